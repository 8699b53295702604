package protocol

import (
	"bytes"
	"encoding/json"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"agentcored/internal/model"
)

// ContentTypeEventStream is the media type of an AWS event-stream body.
const ContentTypeEventStream = "application/vnd.amazon.eventstream"

// EventStreamer is an output whose payload member is an event stream
// (generated for InvokeAgentRuntimeCommandResponse and the other outputs
// whose payload shape has "eventstream": true). Each value yielded is the
// stream's union with one member set: an event member becomes an event
// message, an error member an exception message. The handler's sequence
// runs while the answer is written; it must stop when yield returns false
// (the client went away).
type EventStreamer interface {
	EventStream() iter.Seq[any]
}

// eventEncoder writes the messages of one event-stream answer, flushing
// each so that the client sees it as it happens.
type eventEncoder struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	enc   *eventstream.Encoder
	union *model.Shape
	shape shapeTable
	buf   bytes.Buffer
}

// writeEventStream answers status with an event-stream body made of the
// events yielded by events, encoded with the AWS event-stream framing
// (the SDK's own encoder): headers :message-type event, :event-type <member
// name>, :content-type application/json and the member's JSON as payload;
// or :message-type exception, :exception-type <member name> for an error
// member. The stream lasts as long as its source yields, so the server's
// write deadline is lifted.
func (d *Dispatcher) writeEventStream(w http.ResponseWriter, status int, union *model.Shape, events iter.Seq[any]) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", ContentTypeEventStream)
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_ = rc.Flush()
	if events == nil {
		return
	}
	e := &eventEncoder{w: w, rc: rc, enc: eventstream.NewEncoder(), union: union, shape: d.shapes}
	for ev := range events {
		if err := e.write(ev); err != nil {
			slog.Warn("event stream cut", "error", err)
			return // the client went away, or an event could not be encoded
		}
	}
}

// write encodes one union value and flushes it. A value with no member set
// is skipped.
func (e *eventEncoder) write(ev any) error {
	msg, ok, err := eventMessage(e.shape, e.union, ev)
	if err != nil || !ok {
		return err
	}
	e.buf.Reset()
	if err := e.enc.Encode(&e.buf, msg); err != nil {
		return err
	}
	if _, err := e.w.Write(e.buf.Bytes()); err != nil {
		return err
	}
	return e.rc.Flush()
}

// eventMessage is the event-stream message of one union value: the one
// member set names the event (or exception) type, its JSON is the payload.
func eventMessage(shapes shapeTable, union *model.Shape, ev any) (eventstream.Message, bool, error) {
	var msg eventstream.Message
	raw, err := json.Marshal(ev)
	if err != nil {
		return msg, false, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || len(members) == 0 {
		return msg, false, err // null or {}: nothing to send
	}
	for _, m := range union.Members {
		payload, ok := members[m.Name]
		if !ok {
			continue
		}
		if shapes[m.Shape].IsError {
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
			msg.Headers.Set(":exception-type", eventstream.StringValue(m.Name))
		} else {
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
			msg.Headers.Set(":event-type", eventstream.StringValue(m.Name))
		}
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		msg.Payload = payload
		return msg, true, nil
	}
	return msg, false, nil
}
