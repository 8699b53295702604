package console

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/dpmodel"
	"agentcored/internal/protocol"
)

// DataPlane is what the console calls on the data plane (satisfied by
// *dataplane.Service): the same operations the API serves, so that the
// console has no data path of its own.
type DataPlane interface {
	InvokeAgentRuntime(ctx context.Context, in *dpapi.InvokeAgentRuntimeRequest) (*dpapi.InvokeAgentRuntimeResponse, error)
	ListMemoryRecords(ctx context.Context, in *dpapi.ListMemoryRecordsInput) (*dpapi.ListMemoryRecordsOutput, error)
}

// maxInvokePayload bounds the form's payload (the API's own limit is 100 MB;
// a console textarea needs far less).
const maxInvokePayload = 1 << 20

// SessionHeader carries the runtime session id of a console invocation.
const SessionHeader = "X-Agentcored-Runtime-Session-Id"

// invoke calls InvokeAgentRuntime as the signed-in account with the form's
// payload, session id and qualifier, and streams the agent's answer back
// as it comes (flushing after every read), so that the page's script shows
// each event of a text/event-stream answer as soon as the agent sends it.
// Errors are answered AWS-shaped: the operation's status, X-Amzn-ErrorType
// and {"__type", "message"}.
func (h *Handler) invoke(w http.ResponseWriter, r *http.Request) {
	if h.opts.Data == nil {
		writeAWSError(w, awserr.NotImplemented("InvokeAgentRuntime"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxInvokePayload+64<<10)
	if err := r.ParseForm(); err != nil {
		writeAWSError(w, awserr.Validation("1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to %d", maxInvokePayload))
		return
	}
	payload := r.PostForm.Get("payload")
	if len(payload) > maxInvokePayload {
		writeAWSError(w, awserr.Validation("1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to %d", maxInvokePayload))
		return
	}
	session := strings.TrimSpace(r.PostForm.Get("session"))
	if session != "" && (len(session) < 33 || len(session) > 256) {
		writeAWSError(w, awserr.Validation("1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length between 33 and 256"))
		return
	}
	res, err := h.load(r, familyBySlug("runtimes"), r.PathValue("id"))
	if err != nil {
		writeAWSError(w, err)
		return
	}
	out, err := h.opts.Data.InvokeAgentRuntime(r.Context(), &dpapi.InvokeAgentRuntimeRequest{
		AgentRuntimeArn: res.ARN, Qualifier: strings.TrimSpace(r.PostForm.Get("qualifier")),
		RuntimeSessionId: session, ContentType: "application/json", Payload: []byte(payload)})
	if err != nil {
		writeAWSError(w, err)
		return
	}
	defer out.Response.Close()
	// A person who leaves the page ends the call, even while the agent is
	// silent (a Read would otherwise wait for its next bytes).
	stop := context.AfterFunc(r.Context(), func() { out.Response.Close() })
	defer stop()
	// An answer streams for as long as the agent talks.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", out.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(SessionHeader, out.RuntimeSessionId)
	status := http.StatusOK
	if out.StatusCode != nil {
		status = int(*out.StatusCode)
	}
	w.WriteHeader(status)
	rc.Flush()
	buf := make([]byte, 32<<10)
	for {
		n, err := out.Response.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			rc.Flush()
		}
		if err == io.EOF || r.Context().Err() != nil {
			return
		}
		if err != nil {
			// As the API does: a cut answer is aborted, not ended cleanly,
			// so that the page reports it.
			panic(http.ErrAbortHandler)
		}
	}
}

// writeAWSError answers err as the API's InvokeAgentRuntime would: its
// modeled status (RuntimeClientError is 424), X-Amzn-ErrorType and message.
func writeAWSError(w http.ResponseWriter, err error) {
	w.Header().Set("Cache-Control", "no-store")
	protocol.WriteErrorOf(w, dpmodel.Service, invokeOperation, err)
}

var invokeOperation = dpmodel.Service.OperationByName("InvokeAgentRuntime")

// qualifiers are the endpoint names of a runtime's detail page (its
// Endpoints child list), for the invoke form's qualifier select.
func qualifiers(res *resource) []string {
	var names []string
	for _, c := range res.Children {
		if c.Title != "Endpoints" {
			continue
		}
		for _, row := range c.Rows {
			if len(row) > 0 && row[0] != "" {
				names = append(names, row[0])
			}
		}
	}
	return names
}
