package protocol

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"agentcored/internal/dpapi"
)

// commandHandlers answers InvokeAgentRuntimeCommand with the events the
// test sends on events, one at a time.
type commandHandlers struct {
	dpapi.UnimplementedHandlers
	events chan *dpapi.InvokeAgentRuntimeCommandStreamOutput
}

func (h commandHandlers) InvokeAgentRuntimeCommand(ctx context.Context, in *dpapi.InvokeAgentRuntimeCommandRequest) (*dpapi.InvokeAgentRuntimeCommandResponse, error) {
	return &dpapi.InvokeAgentRuntimeCommandResponse{RuntimeSessionId: in.RuntimeSessionId, ContentType: "application/json",
		Stream: func(yield func(*dpapi.InvokeAgentRuntimeCommandStreamOutput) bool) {
			for ev := range h.events {
				if !yield(ev) {
					return
				}
			}
		}}, nil
}

// TestEventStreamOutput: an event-stream payload is written in the AWS
// event-stream framing, each event flushed as it is yielded (the test
// decodes one before the handler yields the next), exceptions as
// exception messages; the SDK's own decoder reads it back.
func TestEventStreamOutput(t *testing.T) {
	events := make(chan *dpapi.InvokeAgentRuntimeCommandStreamOutput)
	srv := httptest.NewServer(New(DataPlane(commandHandlers{events: events})))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/runtimes/"+escapedARN+"/commands", strings.NewReader(`{"command":"true"}`))
	req.Header.Set("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "0123456789abcdef0123456789abcdef-s")
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() { resp, err := http.DefaultClient.Do(req); done <- result{resp, err} }()
	events <- &dpapi.InvokeAgentRuntimeCommandStreamOutput{Chunk: &dpapi.ResponseChunk{ContentStart: &dpapi.ContentStartEvent{}}}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	resp := r.resp
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentTypeEventStream ||
		resp.Header.Get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") != "0123456789abcdef0123456789abcdef-s" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	dec := eventstream.NewDecoder()
	next := func() eventstream.Message {
		t.Helper()
		msg, err := dec.Decode(resp.Body, nil)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		return msg
	}
	header := func(m eventstream.Message, name string) string {
		if v := m.Headers.Get(name); v != nil {
			return v.String()
		}
		return ""
	}
	exit := int64(3)
	steps := []struct {
		send                   *dpapi.InvokeAgentRuntimeCommandStreamOutput
		msgType, kind, payload string
	}{
		{nil, "event", "chunk", `{"contentStart":{}}`}, // sent above
		{&dpapi.InvokeAgentRuntimeCommandStreamOutput{Chunk: &dpapi.ResponseChunk{ContentDelta: &dpapi.ContentDeltaEvent{Stdout: "hi\n"}}},
			"event", "chunk", `{"contentDelta":{"stdout":"hi\n"}}`},
		{&dpapi.InvokeAgentRuntimeCommandStreamOutput{Chunk: &dpapi.ResponseChunk{ContentStop: &dpapi.ContentStopEvent{ExitCode: &exit, Status: dpapi.CommandExecutionStatusCompleted}}},
			"event", "chunk", `{"contentStop":{"exitCode":3,"status":"COMPLETED"}}`},
		{&dpapi.InvokeAgentRuntimeCommandStreamOutput{RuntimeClientError: &dpapi.RuntimeClientError{Message: "boom"}},
			"exception", "runtimeClientError", `{"message":"boom"}`},
	}
	for i, s := range steps {
		if s.send != nil {
			events <- s.send
		}
		m := next()
		typeHeader := ":event-type"
		if s.msgType == "exception" {
			typeHeader = ":exception-type"
		}
		if header(m, ":message-type") != s.msgType || header(m, typeHeader) != s.kind ||
			header(m, ":content-type") != "application/json" {
			t.Errorf("message %d: headers %v", i, m.Headers)
		}
		var got, want any
		json.Unmarshal(m.Payload, &got)
		json.Unmarshal([]byte(s.payload), &want)
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(want) {
			t.Errorf("message %d: payload %s, want %s", i, m.Payload, s.payload)
		}
	}
	close(events)
	if _, err := dec.Decode(resp.Body, nil); err == nil {
		t.Errorf("a message after the stream ended")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestEventMessageEmpty: a union value with no member set sends nothing.
func TestEventMessageEmpty(t *testing.T) {
	d := New(DataPlane(dpapi.UnimplementedHandlers{}))
	for _, op := range d.svc.Operations {
		if op.Name != "InvokeAgentRuntimeCommand" {
			continue
		}
		out := &d.shapes[op.Output]
		u := d.shapes.memberShape(out, out.Payload)
		for _, ev := range []any{nil, &dpapi.InvokeAgentRuntimeCommandStreamOutput{}} {
			if _, ok, err := eventMessage(d.shapes, u, ev); ok || err != nil {
				t.Errorf("%#v: ok %v err %v, want nothing sent", ev, ok, err)
			}
		}
		return
	}
	t.Fatal("no InvokeAgentRuntimeCommand operation")
}
