package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/model"
)

// PayloadStreamer is an output whose payload member is a streaming blob
// (generated for InvokeAgentRuntimeResponse): the body is copied from it
// as it is read, each chunk flushed to the client, then it is closed.
type PayloadStreamer interface {
	PayloadStream() io.ReadCloser
}

// outputOnWire: the output shape binds members outside the JSON body
// (headers, the status code, a payload). No control-plane output does.
func outputOnWire(s *model.Shape) bool {
	if s.Payload != "" {
		return true
	}
	for _, m := range s.Members {
		if m.Location == model.InHeader || m.Location == model.InStatusCode {
			return true
		}
	}
	return false
}

// writeWireOutput answers with an output whose shape binds members outside
// the body: header members become headers, a statusCode member the status,
// the payload member the whole body (an event stream encoded event by
// event, eventstream.go; a streaming blob copied with flushing, a blob as
// its bytes, a structure as its JSON); without a payload the remaining
// members are the JSON body.
func (d *Dispatcher) writeWireOutput(w http.ResponseWriter, op *model.Operation, out any) {
	shape := &d.shapes[op.Output]
	var stream io.ReadCloser
	if s, ok := out.(PayloadStreamer); ok && out != nil {
		stream = s.PayloadStream()
	}
	if stream != nil {
		defer stream.Close()
	}
	doc := map[string]any{}
	if out != nil {
		raw, err := json.Marshal(out)
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			err = dec.Decode(&doc)
		}
		if err != nil {
			d.writeError(w, op, err)
			return
		}
	}
	status := op.Status
	h := w.Header()
	for _, m := range shape.Members {
		v, ok := doc[m.Name]
		if !ok {
			continue
		}
		switch m.Location {
		case model.InHeader:
			h.Set(m.LocationName, headerText(v))
			delete(doc, m.Name)
		case model.InStatusCode:
			if n, ok := v.(json.Number); ok {
				if i, err := strconv.Atoi(n.String()); err == nil && i >= 100 && i <= 999 {
					status = i
				}
			}
			delete(doc, m.Name)
		}
	}
	var body []byte
	switch payload := shape.Payload; {
	case payload != "" && d.shapes.memberShape(shape, payload).EventStream:
		var events iter.Seq[any]
		if s, ok := out.(EventStreamer); ok && out != nil {
			events = s.EventStream()
		}
		d.writeEventStream(w, status, d.shapes.memberShape(shape, payload), events)
		return
	case stream != nil:
		copyStream(w, status, stream)
		return
	case payload == "":
		body, _ = json.Marshal(doc)
	case d.shapes.memberShape(shape, payload).Type == model.Blob:
		if s, ok := doc[payload].(string); ok {
			body, _ = base64.StdEncoding.DecodeString(s)
		}
	default:
		if v, ok := doc[payload]; ok {
			body, _ = json.Marshal(v)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// copyStream sends a streamed body as it is read: each chunk is written and
// flushed at once (a text/event-stream answer reaches the client event by
// event). The stream lasts as long as its source talks, so the server's
// write deadline is lifted. A source that fails mid-stream aborts the
// response, so the client sees a cut body rather than a clean end.
func copyStream(w http.ResponseWriter, status int, src io.Reader) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_ = rc.Flush()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away
			}
			if ferr := rc.Flush(); ferr != nil {
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			slog.Warn("streamed answer cut", "error", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// headerText is a header member's value as sent.
func headerText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = headerText(e)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
