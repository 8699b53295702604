package service

import (
	"context"
	"encoding/json"
	"errors"

	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

// Client tokens, for every operation of either plane that takes one: the
// lookup before a change and the record written with it, in the change's
// transaction, so that a concurrent retry (on any instance) sees both or
// neither.

// replayed looks the request's client token up for operation: a retry
// with the same parameters is answered by replaying the recorded answer (a
// *reqctx.Replay error, which the dispatcher writes); the same token with
// other parameters is refused. nil: the request is new, or has no token.
func replayed(ctx context.Context, tx store.Tx, info *reqctx.Info, account, region, operation string) error {
	if info.ClientToken == "" {
		return nil
	}
	rec, err := tx.GetIdempotency(ctx, account, region, operation, info.ClientToken)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec.RequestHash != info.RequestHash {
		return &awserr.Error{Code: awserr.CodeValidation, Reason: awserr.ReasonIdempotentMismatch,
			Message: "The client token " + info.ClientToken + " was already used with different request parameters."}
	}
	return &reqctx.Replay{Status: rec.StatusCode, Body: rec.Body}
}

// remember records the answer to the request's client token (its JSON;
// none when answer is nil). Without a token it does nothing.
func (s *Service) remember(ctx context.Context, tx store.Tx, info *reqctx.Info, account, region, operation string, status int, answer any) error {
	if info.ClientToken == "" {
		return nil
	}
	var body []byte
	if answer != nil {
		var err error
		if body, err = json.Marshal(answer); err != nil {
			return err
		}
	}
	return tx.PutIdempotency(ctx, &store.IdempotencyRecord{
		Account: account, Region: region, Operation: operation, Token: info.ClientToken,
		RequestHash: info.RequestHash, StatusCode: status, Body: body, CreatedAt: s.now(),
	})
}
