// Package protocol speaks the rest-json wire protocol of a model: it routes
// a request to its operation, decodes labels, query string, headers and body
// into one input document, validates it against the model, calls the handler
// and encodes the typed output or the error. One Dispatcher serves one plane
// (a Service: the control plane or the data plane); Planes serves several on
// one handler.
package protocol

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
)

// DefaultMaxBody bounds a request body. The largest modeled payload (an
// inline gateway target schema) is 1 MB.
const DefaultMaxBody = 6 << 20

// Gate runs after routing and before decoding (authorization, throttling).
type Gate func(ctx context.Context, op *model.Operation, labels map[string]string) error

// Invoker decodes an operation's canonical input JSON into its typed input
// and calls the handler (the generated api packages' Bind makes them).
type Invoker = func(ctx context.Context, input []byte) (any, error)

// Service is one plane as a Dispatcher serves it: the generated facts and the
// dispatch table bound to its handlers, indexed like Model.Operations.
type Service struct {
	Model  *model.Service
	Invoke []Invoker
	extra  []extraRoute // routes beyond the model's
}

// ControlPlane is bedrock-agentcore-control served by h, with its extra routes.
func ControlPlane(h api.Handlers) Service {
	return Service{Model: model.Control, Invoke: api.Bind(h), extra: extraRoutes}
}

// DataPlane is bedrock-agentcore served by h.
func DataPlane(h dpapi.Handlers) Service {
	return Service{Model: dpmodel.Service, Invoke: dpapi.Bind(h)}
}

// Dispatcher serves every operation of one plane.
type Dispatcher struct {
	svc    *model.Service
	shapes shapeTable
	invoke []Invoker
	router *Router
	// headerToken: the operation's idempotency token travels in a header.
	headerToken []bool
	// wireOutput: the output binds headers, the status or a payload.
	wireOutput []bool
	MaxBody    int64
	Gate       Gate
}

// NewDispatcher serves the control plane with h.
func NewDispatcher(h api.Handlers) *Dispatcher { return New(ControlPlane(h)) }

// New serves one plane.
func New(s Service) *Dispatcher {
	if len(s.Invoke) != len(s.Model.Operations) {
		panic(fmt.Sprintf("%s: %d invokers for %d operations", s.Model.Name, len(s.Invoke), len(s.Model.Operations)))
	}
	d := &Dispatcher{svc: s.Model, shapes: s.Model.Shapes, invoke: s.Invoke,
		router: newRouter(s.Model.Operations, s.extra), MaxBody: DefaultMaxBody,
		headerToken: make([]bool, len(s.Model.Operations)), wireOutput: make([]bool, len(s.Model.Operations))}
	for i, op := range s.Model.Operations {
		d.wireOutput[i] = outputOnWire(&s.Model.Shapes[op.Output])
		for _, m := range s.Model.Shapes[op.Input].Members {
			if m.Name == op.TokenMember && m.Location == model.InHeader {
				d.headerToken[i] = true
			}
		}
	}
	return d
}

// Model is the plane the dispatcher serves.
func (d *Dispatcher) Model() *model.Service { return d.svc }

func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, labels, ok := d.router.match(r.Method, r.URL.EscapedPath())
	if !ok {
		writeUnknownOperation(w, r)
		return
	}
	d.serve(w, r, rt, labels)
}

// Planes serves several planes on one handler. Their routes do not collide
// (a test checks it), so at most one matches a request; the first one's
// (the control plane's) routes are tried first. A request no plane routes
// is 404 UnknownOperationException.
type Planes []*Dispatcher

func (p Planes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	for _, d := range p {
		if rt, labels, ok := d.router.match(r.Method, path); ok {
			d.serve(w, r, rt, labels)
			return
		}
	}
	writeUnknownOperation(w, r)
}

func writeUnknownOperation(w http.ResponseWriter, r *http.Request) {
	WriteError(w, nil, awserr.Errorf(awserr.CodeUnknownOperation,
		"No operation matches %s %s.", r.Method, r.URL.EscapedPath()))
}

// serve runs one routed request: gate, body, decode, validate, handler, answer.
func (d *Dispatcher) serve(w http.ResponseWriter, r *http.Request, rt route, labels map[string]string) {
	ctx := r.Context()
	info := reqctx.From(ctx)
	opIndex := rt.op
	op := &d.svc.Operations[opIndex]
	info.Operation = op.Name
	info.Header = r.Header
	if d.Gate != nil {
		if err := d.Gate(ctx, op, labels); err != nil {
			d.writeError(w, op, err)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			d.writeError(w, op, awserr.Errorf(awserr.CodeTooLarge, "Request body exceeds %d bytes.", d.MaxBody))
			return
		}
		d.writeError(w, op, cannotParse("Could not read the request body."))
		return
	}
	// Strict, not r.URL.Query(): that drops what it cannot parse (the edge
	// has refused those already; this keeps the dispatcher safe alone).
	query, aerr := ParseQuery(r.URL.RawQuery)
	if aerr != nil {
		d.writeError(w, op, aerr)
		return
	}
	doc, aerr := d.shapes.decode(op, labels, query, r.Header, body, rt.queryInBody)
	if aerr != nil {
		d.writeError(w, op, aerr)
		return
	}
	if aerr := d.shapes.validate(op.Input, doc); aerr != nil {
		d.writeError(w, op, aerr)
		return
	}
	if op.TokenMember != "" {
		if t, ok := doc[op.TokenMember].(string); ok {
			info.ClientToken = t
			// A body token leaves the input (it is not part of the request
			// hash); a header token is also what the operation works with
			// (InvokeAgentRuntime's runtime session id) and stays.
			if !d.headerToken[opIndex] {
				delete(doc, op.TokenMember)
			}
		}
	}
	canonical, err := json.Marshal(doc)
	if err != nil {
		d.writeError(w, op, cannotParse("Could not encode the request."))
		return
	}
	if info.ClientToken != "" {
		sum := sha256.Sum256(canonical)
		info.RequestHash = hex.EncodeToString(sum[:])
	}
	out, err := d.invoke[opIndex](ctx, canonical)
	if err != nil {
		var replay *reqctx.Replay
		if errors.As(err, &replay) {
			writeBody(w, replay.Status, replay.Body)
			return
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			err = cannotParse(fmt.Sprintf("Value at '%s' could not be parsed.", typeErr.Field))
		}
		d.writeError(w, op, err)
		return
	}
	if d.wireOutput[opIndex] {
		d.writeWireOutput(w, op, out)
		return
	}
	body, err = EncodeOutput(op, out)
	if err != nil {
		d.writeError(w, op, err)
		return
	}
	writeBody(w, op.Status, body)
}

func (d *Dispatcher) writeError(w http.ResponseWriter, op *model.Operation, err error) {
	writeError(w, d.svc, op, err)
}

func cannotParse(msg string) *awserr.Error {
	return &awserr.Error{Code: awserr.CodeValidation, Message: msg, Reason: awserr.ReasonCannotParse}
}

// Decode merges the URI labels, the query string and the JSON body of a
// control-plane request into one document keyed by member name. Members the
// model does not know are dropped: newer SDKs send members this model lacks.
func Decode(op *model.Operation, labels map[string]string, query url.Values, body []byte) (map[string]any, *awserr.Error) {
	return controlShapes.decode(op, labels, query, nil, body, false)
}

// decode is Decode with queryInBody, for tests.
func decode(op *model.Operation, labels map[string]string, query url.Values, body []byte, queryInBody bool) (map[string]any, *awserr.Error) {
	return controlShapes.decode(op, labels, query, nil, body, queryInBody)
}

// decode is Decode for the table's plane, with the headers; queryInBody
// takes the query-string members from the body too (an extra route's). A
// payload member takes the whole body: raw bytes for a blob, the JSON value
// otherwise.
func (t shapeTable) decode(op *model.Operation, labels map[string]string, query url.Values, header http.Header, body []byte, queryInBody bool) (map[string]any, *awserr.Error) {
	in := &t[op.Input]
	doc := map[string]any{}
	switch payload := in.Payload; {
	case payload != "" && t.memberShape(in, payload).Type == model.Blob:
		if len(body) > 0 {
			doc[payload] = body
		}
	case len(bytes.TrimSpace(body)) > 0:
		if aerr := CheckJSONContentType(header.Get("Content-Type")); aerr != nil {
			return nil, aerr
		}
		v, aerr := parseJSON(body)
		if aerr != nil {
			return nil, aerr
		}
		if payload != "" {
			doc[payload] = v
			break
		}
		obj, ok := v.(map[string]any)
		if !ok && v != nil {
			return nil, cannotParse("The request body must be a JSON object.")
		}
		for _, m := range in.Members {
			if m.Location == model.InBody || queryInBody && m.Location == model.InQuery {
				if val, ok := obj[m.Name]; ok {
					doc[m.Name] = val
				}
			}
		}
	}
	var vs []violation
	for _, m := range in.Members {
		var values []string
		switch m.Location {
		case model.InURI:
			if v, ok := labels[m.LocationName]; ok {
				doc[m.Name] = v
			}
			continue
		case model.InQuery:
			values = query[m.LocationName]
		case model.InHeader:
			values = header.Values(m.LocationName)
		default:
			continue
		}
		if len(values) == 0 {
			continue
		}
		// A scalar sent twice is ambiguous: refuse it rather than pick one.
		if len(values) > 1 && t[m.Shape].Type != model.List {
			where := "query string parameter"
			if m.Location == model.InHeader {
				where = "header"
			}
			vs = append(vs, violation{path: m.Name, value: t.quote(&t[m.Shape], strings.Join(values, ",")),
				constraint: fmt.Sprintf("the %s '%s' must be sent once, it was sent %d times", where, m.LocationName, len(values)), parse: true})
			continue
		}
		if v, bad := t.textValue(m, values); bad != nil {
			vs = append(vs, *bad)
		} else {
			doc[m.Name] = v
		}
	}
	if len(vs) > 0 {
		return nil, validationError(vs)
	}
	return doc, nil
}

// parseJSON reads exactly one JSON value, numbers kept as json.Number. It
// refuses what encoding/json would let through silently: invalid UTF-8
// (replaced by U+FFFD), bytes after the value (dec.More() misses a stray
// '}' or ']') and an object key given twice (the last would win).
func parseJSON(body []byte) (any, *awserr.Error) {
	if !utf8.Valid(body) {
		return nil, cannotParse("Could not parse the request body as JSON: it is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, cannotParse("Could not parse the request body as JSON: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, cannotParse("Could not parse the request body as JSON: trailing data after the value.")
	}
	if key, path := duplicateKey(body); key != "" {
		return nil, cannotParse(fmt.Sprintf("Could not parse the request body as JSON: the key '%s' appears twice in the object at '%s'.", printable(key), path))
	}
	return v, nil
}

// duplicateKey finds an object key repeated in the same object of a valid
// JSON text, and the path of that object ("" when none). It walks tokens
// with an explicit stack, so deep nesting costs no Go stack.
func duplicateKey(body []byte) (key, path string) {
	type frame struct {
		keys    map[string]bool // nil for an array
		path    string          // this container's path
		lastKey string
		wantKey bool // an object expecting a key (or '}') next
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					if top.path == "" {
						return k, "(top level)"
					}
					return k, top.path
				}
				top.keys[k], top.lastKey, top.wantKey = true, k, false
				continue
			}
		} else if top != nil && top.keys != nil {
			top.wantKey = true // tok is a value: a key comes next
		}
		d, ok := tok.(json.Delim)
		if !ok {
			continue
		}
		switch d {
		case '{', '[':
			child := &frame{wantKey: d == '{'}
			if d == '{' {
				child.keys = map[string]bool{}
			}
			if top != nil && top.keys != nil {
				child.path = join(top.path, top.lastKey)
			} else if top != nil {
				child.path = top.path + "[]"
			}
			stack = append(stack, child)
		case '}', ']':
			stack = stack[:len(stack)-1]
		}
	}
}

func (t shapeTable) memberShape(s *model.Shape, name string) *model.Shape {
	for _, m := range s.Members {
		if m.Name == name {
			return &t[m.Shape]
		}
	}
	panic("shape " + s.Name + " has no member " + name)
}

// textValue is the document value of a query-string or header member (its
// values as sent): a list, a canonical number, a boolean or the text.
func (t shapeTable) textValue(m model.Member, values []string) (any, *violation) {
	s := &t[m.Shape]
	switch s.Type {
	case model.List:
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		return list, nil
	case model.Integer, model.Float:
		v := values[0]
		if i, err := strconv.ParseInt(v, 10, 64); err == nil {
			// "+5" and "05" are fine on a query string but not as JSON
			// numbers: canonicalize, or encoding the input fails later.
			v = strconv.FormatInt(i, 10)
		} else if !decimalNumber.MatchString(v) {
			// Not ParseFloat alone: it takes "NaN", "Inf", "0x1p3" and "1_0".
			return nil, &violation{path: m.Name, value: t.quote(s, v), constraint: "expected a number", parse: true}
		}
		return json.Number(v), nil
	case model.Boolean:
		// Exactly "true" or "false": strconv.ParseBool also takes 1, t, T, TRUE...
		switch values[0] {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, &violation{path: m.Name, value: t.quote(s, values[0]), constraint: "expected a boolean", parse: true}
	}
	return values[0], nil
}

// decimalNumber is a JSON number, what a numeric query or header value
// must be.
var decimalNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// WriteOutput encodes a typed output with the operation's success status.
func WriteOutput(w http.ResponseWriter, op *model.Operation, out any) {
	body, err := EncodeOutput(op, out)
	if err != nil {
		WriteError(w, op, err)
		return
	}
	writeBody(w, op.Status, body)
}

// EncodeOutput is the body WriteOutput sends; services use it to record the
// answer to an idempotent request.
func EncodeOutput(op *model.Operation, out any) ([]byte, error) {
	if op.Status == http.StatusNoContent {
		return nil, nil
	}
	if out == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(out)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	if status != http.StatusNoContent {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if status != http.StatusNoContent {
		w.Write(body)
	}
}

type errorBody struct {
	Message   string              `json:"message"`
	Reason    string              `json:"reason,omitempty"`
	FieldList []awserr.FieldError `json:"fieldList,omitempty"`
}

// WriteError writes an AWS-shaped error for a control-plane operation. op
// may be nil (no operation matched).
func WriteError(w http.ResponseWriter, op *model.Operation, err error) {
	writeError(w, model.Control, op, err)
}

// WriteErrorOf writes an AWS-shaped error as svc answers it: the server's
// routes outside a dispatcher that belong to the data plane (the runtime
// WebSocket) answer its modeled statuses (RuntimeClientError 424).
func WriteErrorOf(w http.ResponseWriter, svc *model.Service, op *model.Operation, err error) {
	writeError(w, svc, op, err)
}

// writeError writes an AWS-shaped error of op, an operation of svc (or nil):
// the status is svc's modeled one for the code, else awserr.Status's. Errors
// that are not *awserr.Error become InternalServerException; their text is
// logged, never sent.
func writeError(w http.ResponseWriter, svc *model.Service, op *model.Operation, err error) {
	var e *awserr.Error
	if !errors.As(err, &e) {
		slog.Error("internal error", "operation", opName(op), "error", err)
		e = awserr.Errorf(awserr.CodeInternal, "An internal error occurred. Try again.")
	}
	code := operationCode(op, e.Code)
	status := svc.ErrorStatus(code)
	if status == 0 {
		status = awserr.Status(code)
	}
	body, _ := json.Marshal(errorBody{Message: e.Message, Reason: e.Reason, FieldList: e.Fields})
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// operationCode renames generic codes for operations that model their own,
// from the operation's modeled errors (so per plane, from its model): Memory
// operations of both planes throttle with ThrottledException and fail with
// ServiceException.
func operationCode(op *model.Operation, code string) string {
	if op == nil {
		return code
	}
	switch code {
	case awserr.CodeThrottling:
		if !op.HasError(code) && op.HasError("ThrottledException") {
			return "ThrottledException"
		}
	case awserr.CodeInternal:
		if !op.HasError(code) && op.HasError("ServiceException") {
			return "ServiceException"
		}
	}
	return code
}

func opName(op *model.Operation) string {
	if op == nil {
		return ""
	}
	return op.Name
}
