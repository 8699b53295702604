// Package reqctx carries what is known about one request (its id, the caller's
// account and region, the operation, the idempotency token) from the transport
// layer down to the services.
package reqctx

import (
	"context"
	"net/http"
	"strconv"
)

// Info describes one request. The middleware creates it; the dispatcher fills
// in the operation and the idempotency fields.
type Info struct {
	RequestID string
	AccessKey string
	Account   string
	Region    string
	Operation string
	// ClientToken is the idempotency token the request carried, if any.
	ClientToken string
	// RequestHash identifies the request's parameters without the token, to
	// tell a retry from a different request that reuses a token.
	RequestHash string
	// Header is the request's headers as sent (the dispatcher sets it): the
	// data plane forwards the allowlisted ones to an agent.
	Header http.Header
	// Bearer: the request carried "Authorization: Bearer <token>" on a
	// route whose handler verifies the token itself (InvokeAgentRuntime on
	// a runtime with a customJWTAuthorizer), so the server did not
	// authenticate it with SigV4; BearerToken is the token ("" when the
	// header held the scheme alone). AccessKey is empty then.
	Bearer      bool
	BearerToken string

	once map[string]string
}

type key struct{}

func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request's Info; a zero Info when there is none (tests).
func From(ctx context.Context) *Info {
	if info, ok := ctx.Value(key{}).(*Info); ok {
		return info
	}
	return &Info{}
}

// Replay is returned by a service instead of an output when the request is a
// retry of one already answered: the protocol layer writes the stored answer.
type Replay struct {
	Status int
	Body   []byte
}

func (r *Replay) Error() string {
	return "replay of an earlier response (" + strconv.Itoa(r.Status) + ")"
}

// Once returns the value compute gave the first time key was asked during
// this request. A transaction that runs again (it lost a race and is
// retried) then makes the same decisions as its first run, e.g. about an
// injected fault, instead of consuming a second one.
func (i *Info) Once(key string, compute func() string) string {
	if v, ok := i.once[key]; ok {
		return v
	}
	if i.once == nil {
		i.once = map[string]string{}
	}
	v := compute()
	i.once[key] = v
	return v
}
