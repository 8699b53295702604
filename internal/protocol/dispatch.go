// Package protocol speaks the rest-json wire protocol of the model: it routes
// a request to its operation, decodes labels, query string and JSON body into
// one input document, validates it against the model, calls the handler and
// encodes the typed output or the error.
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
	"strconv"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
)

// DefaultMaxBody bounds a request body. The largest modeled payload (an
// inline gateway target schema) is 1 MB.
const DefaultMaxBody = 6 << 20

// Gate runs after routing and before decoding (authorization, throttling).
type Gate func(ctx context.Context, op *model.Operation, labels map[string]string) error

// Dispatcher serves every operation of the model.
type Dispatcher struct {
	router   *Router
	handlers api.Handlers
	MaxBody  int64
	Gate     Gate
}

func NewDispatcher(h api.Handlers) *Dispatcher {
	return &Dispatcher{router: NewRouter(), handlers: h, MaxBody: DefaultMaxBody}
}

func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	info := reqctx.From(ctx)
	rt, labels, ok := d.router.match(r.Method, r.URL.EscapedPath())
	opIndex := rt.op
	if !ok {
		WriteError(w, nil, awserr.Errorf(awserr.CodeUnknownOperation,
			"No operation matches %s %s.", r.Method, r.URL.EscapedPath()))
		return
	}
	op := &model.Operations[opIndex]
	info.Operation = op.Name
	if d.Gate != nil {
		if err := d.Gate(ctx, op, labels); err != nil {
			WriteError(w, op, err)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			WriteError(w, op, awserr.Errorf(awserr.CodeTooLarge, "Request body exceeds %d bytes.", d.MaxBody))
			return
		}
		WriteError(w, op, cannotParse("Could not read the request body."))
		return
	}
	doc, aerr := decode(op, labels, r.URL.Query(), body, rt.queryInBody)
	if aerr != nil {
		WriteError(w, op, aerr)
		return
	}
	if aerr := Validate(op.Input, doc); aerr != nil {
		WriteError(w, op, aerr)
		return
	}
	if op.TokenMember != "" {
		if t, ok := doc[op.TokenMember].(string); ok {
			info.ClientToken = t
			delete(doc, op.TokenMember)
		}
	}
	canonical, err := json.Marshal(doc)
	if err != nil {
		WriteError(w, op, cannotParse("Could not encode the request."))
		return
	}
	if info.ClientToken != "" {
		sum := sha256.Sum256(canonical)
		info.RequestHash = hex.EncodeToString(sum[:])
	}
	out, err := api.Invokers[opIndex](ctx, d.handlers, canonical)
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
		WriteError(w, op, err)
		return
	}
	WriteOutput(w, op, out)
}

func cannotParse(msg string) *awserr.Error {
	return &awserr.Error{Code: awserr.CodeValidation, Message: msg, Reason: awserr.ReasonCannotParse}
}

// Decode merges the URI labels, the query string and the JSON body into one
// document keyed by member name. Members the model does not know are dropped:
// newer SDKs send members this model lacks.
func Decode(op *model.Operation, labels map[string]string, query url.Values, body []byte) (map[string]any, *awserr.Error) {
	return decode(op, labels, query, body, false)
}

// decode is Decode; queryInBody takes the query-string members from the
// body too (an extra route's).
func decode(op *model.Operation, labels map[string]string, query url.Values, body []byte, queryInBody bool) (map[string]any, *awserr.Error) {
	in := &model.Shapes[op.Input]
	doc := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, cannotParse("Could not parse the request body as JSON: " + err.Error())
		}
		if dec.More() {
			return nil, cannotParse("Could not parse the request body as JSON: trailing data after the object.")
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
		switch m.Location {
		case model.InURI:
			if v, ok := labels[m.LocationName]; ok {
				doc[m.Name] = v
			}
		case model.InQuery:
			values, ok := query[m.LocationName]
			if !ok {
				continue
			}
			s := &model.Shapes[m.Shape]
			switch s.Type {
			case model.List:
				list := make([]any, len(values))
				for i, v := range values {
					list[i] = v
				}
				doc[m.Name] = list
			case model.Integer, model.Float:
				v := values[0]
				if i, err := strconv.ParseInt(v, 10, 64); err == nil {
					// "+5" and "05" are fine on a query string but not as JSON
					// numbers: canonicalize, or encoding the input fails later.
					v = strconv.FormatInt(i, 10)
				} else if _, err := strconv.ParseFloat(v, 64); err != nil {
					vs = append(vs, violation{path: m.Name, value: quote(s, v), constraint: "expected a number", parse: true})
					continue
				}
				doc[m.Name] = json.Number(v)
			case model.Boolean:
				b, err := strconv.ParseBool(values[0])
				if err != nil {
					vs = append(vs, violation{path: m.Name, value: quote(s, values[0]), constraint: "expected a boolean", parse: true})
					continue
				}
				doc[m.Name] = b
			default:
				doc[m.Name] = values[0]
			}
		}
	}
	if len(vs) > 0 {
		return nil, validationError(vs)
	}
	return doc, nil
}

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

// WriteError writes an AWS-shaped error. op may be nil (no operation matched).
// Errors that are not *awserr.Error become InternalServerException; their
// text is logged, never sent.
func WriteError(w http.ResponseWriter, op *model.Operation, err error) {
	var e *awserr.Error
	if !errors.As(err, &e) {
		slog.Error("internal error", "operation", opName(op), "error", err)
		e = awserr.Errorf(awserr.CodeInternal, "An internal error occurred. Try again.")
	}
	code := operationCode(op, e.Code)
	status := awserr.Status(code)
	body, _ := json.Marshal(errorBody{Message: e.Message, Reason: e.Reason, FieldList: e.Fields})
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// operationCode renames generic codes for operations that model their own:
// Memory operations throttle with ThrottledException and fail with
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
