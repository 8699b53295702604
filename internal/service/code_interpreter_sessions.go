package service

// Code interpreter sessions: the store access behind the data plane's
// Start/Get/List/StopCodeInterpreterSession (internal/dataplane,
// codeinterp*.go). The processes a session runs live in the data plane;
// the store keeps what must survive a restart of agentcored: which sessions
// exist and whether they ended.
//
// Rows: kind "code-interpreter-session", id the session id (random, unique),
// parent the code interpreter's id (the built-in's is aws.codeinterpreter.v1),
// status READY or TERMINATED, doc a CodeInterpreterSession.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

const (
	kindCodeInterpreterSession = "code-interpreter-session"
	opStartCodeInterpreter     = "StartCodeInterpreterSession"
	// codeInterpreterSessionIDLen: the model allows [0-9a-zA-Z]{1,40}.
	codeInterpreterSessionIDLen = 26
)

// CodeInterpreterTarget is what the data plane needs of a code interpreter.
type CodeInterpreterTarget struct {
	ID          string
	ARN         string
	NetworkMode string // PUBLIC, SANDBOX or VPC
}

// CodeInterpreterSession is one session's stored record.
type CodeInterpreterSession struct {
	Account        string    `json:"account"`
	Region         string    `json:"region"`
	InterpreterID  string    `json:"interpreterId"`
	SessionID      string    `json:"sessionId"`
	Name           string    `json:"name,omitempty"`
	NetworkMode    string    `json:"networkMode"`
	TimeoutSeconds int64     `json:"timeoutSeconds"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"createdAt"`
	LastUpdatedAt  time.Time `json:"lastUpdatedAt"`
	// Owner: the agentcored that runs the session's processes (host name,
	// process id, and an id per data-plane instance within that process),
	// so that a restart ends only its own predecessors' sessions.
	Host     string `json:"host,omitempty"`
	PID      int    `json:"pid,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// ExpiresAt is when the session's timeout ends it.
func (r *CodeInterpreterSession) ExpiresAt() time.Time {
	return r.CreatedAt.Add(time.Duration(r.TimeoutSeconds) * time.Second)
}

// StatusAt is the session's status at now: a READY session past its timeout
// is TERMINATED even before the reaper has written so.
func (r *CodeInterpreterSession) StatusAt(now time.Time) string {
	if r.Status == string(dpapi.CodeInterpreterSessionStatusReady) && !now.Before(r.ExpiresAt()) {
		return string(dpapi.CodeInterpreterSessionStatusTerminated)
	}
	return r.Status
}

// ResolveCodeInterpreter finds the code interpreter an identifier names (its
// id, or its ARN) in the caller's account and region: the built-in or one
// of the caller's own, which must be READY.
func (s *Service) ResolveCodeInterpreter(ctx context.Context, identifier string) (*CodeInterpreterTarget, error) {
	id := identifier
	if strings.HasPrefix(id, "arn:") {
		id = id[strings.LastIndex(id, "/")+1:]
	}
	if id == builtinInterpreterID {
		b := builtinCodeInterpreter(scopeOf(ctx)).(*api.GetCodeInterpreterResponse)
		return &CodeInterpreterTarget{ID: b.CodeInterpreterId, ARN: b.CodeInterpreterArn, NetworkMode: string(b.NetworkConfiguration.NetworkMode)}, nil
	}
	got, err := s.GetCodeInterpreter(ctx, &api.GetCodeInterpreterRequest{CodeInterpreterId: id})
	if err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == awserr.CodeNotFound {
			return nil, awserr.NotFound("Code interpreter %s not found.", identifier)
		}
		return nil, err
	}
	if identifier != id && identifier != got.CodeInterpreterArn {
		return nil, awserr.NotFound("Code interpreter %s not found.", identifier)
	}
	if got.Status != api.CodeInterpreterStatusReady {
		return nil, awserr.Conflict("Code interpreter %s is not ready (status %s).", id, got.Status)
	}
	mode := string(api.CodeInterpreterNetworkModeSandbox)
	if got.NetworkConfiguration != nil && got.NetworkConfiguration.NetworkMode != "" {
		mode = string(got.NetworkConfiguration.NetworkMode)
	}
	return &CodeInterpreterTarget{ID: got.CodeInterpreterId, ARN: got.CodeInterpreterArn, NetworkMode: mode}, nil
}

// CreateCodeInterpreterSession stores a new READY session of rec's
// interpreter (rec's SessionID, Account, Region, Status and times are
// assigned) and answers it. With a client token the answer is recorded: a
// retry with the same input gets the first answer back (a reqctx.Replay
// error, which the dispatcher writes) and starts nothing.
func (s *Service) CreateCodeInterpreterSession(ctx context.Context, rec CodeInterpreterSession) (*CodeInterpreterSession, error) {
	sc := scopeOf(ctx)
	info := reqctx.From(ctx)
	now := s.now().UTC()
	rec.Account, rec.Region = sc.account, sc.region
	rec.SessionID = randomString(idAlphabet, codeInterpreterSessionIDLen)
	rec.Status = string(dpapi.CodeInterpreterSessionStatusReady)
	rec.CreatedAt, rec.LastUpdatedAt = now, now
	err := s.store.Write(ctx, func(tx store.Tx) error {
		if err := replayed(ctx, tx, info, sc.account, sc.region, opStartCodeInterpreter); err != nil {
			return err
		}
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindCodeInterpreterSession, ID: rec.SessionID,
			ParentID: rec.InterpreterID, Status: rec.Status, CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		if err := tx.Insert(ctx, row); err != nil {
			return err
		}
		return s.remember(ctx, tx, info, sc.account, sc.region, opStartCodeInterpreter, http.StatusOK,
			dpapi.StartCodeInterpreterSessionResponse{CodeInterpreterIdentifier: rec.InterpreterID,
				SessionId: rec.SessionID, CreatedAt: api.NewDateTime(rec.CreatedAt)})
	})
	var replay *reqctx.Replay
	if errors.As(err, &replay) {
		return nil, err
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &rec, nil
}

// GetCodeInterpreterSession reads one session of the interpreter in the
// caller's account and region (404 when there is none).
func (s *Service) GetCodeInterpreterSession(ctx context.Context, interpreterID, sessionID string) (*CodeInterpreterSession, error) {
	sc := scopeOf(ctx)
	var rec CodeInterpreterSession
	err := s.read(ctx, func(tx store.Tx) error {
		row, err := tx.Get(ctx, sc.key(kindCodeInterpreterSession, sessionID))
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.ParentID != interpreterID) {
			return awserr.NotFound("Session %s not found for code interpreter %s.", sessionID, interpreterID)
		}
		if err != nil {
			return err
		}
		return decodeDoc(row, &rec)
	})
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// TerminateCodeInterpreterSession marks a session TERMINATED at at (in the
// session's own account and region, so the reaper can call it without a
// request) and answers the record. A session already terminated stays as
// it is and is answered with ended false.
func (s *Service) TerminateCodeInterpreterSession(ctx context.Context, account, region, sessionID string, at time.Time) (rec *CodeInterpreterSession, ended bool, err error) {
	sc := scope{account: account, region: region}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		row, err := tx.Get(ctx, sc.key(kindCodeInterpreterSession, sessionID))
		if errors.Is(err, store.ErrNotFound) {
			return awserr.NotFound("Session %s not found.", sessionID)
		}
		if err != nil {
			return err
		}
		rec = &CodeInterpreterSession{}
		if err := decodeDoc(row, rec); err != nil {
			return err
		}
		if rec.Status == string(dpapi.CodeInterpreterSessionStatusTerminated) {
			return nil
		}
		ended = true
		rec.Status = string(dpapi.CodeInterpreterSessionStatusTerminated)
		rec.LastUpdatedAt = at.UTC()
		row.Status, row.UpdatedAt, row.Doc = rec.Status, rec.LastUpdatedAt, encodeDoc(rec)
		return tx.Update(ctx, row)
	})
	if err != nil {
		return nil, false, storeError(err)
	}
	return rec, ended, nil
}

// ListCodeInterpreterSessions answers the interpreter's sessions in the
// caller's account and region in creation order, those with status (as of
// now) when status is set, at most limit, and the next page's token.
func (s *Service) ListCodeInterpreterSessions(ctx context.Context, interpreterID, status, token string, limit int, now time.Time) ([]CodeInterpreterSession, string, error) {
	sc := scopeOf(ctx)
	var out []CodeInterpreterSession
	next := ""
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		out, next, err = scanSeq(ctx, s, tx, sc, kindCodeInterpreterSession, interpreterID, token, limit,
			func(row *store.Resource) (CodeInterpreterSession, bool, error) {
				var rec CodeInterpreterSession
				if err := decodeDoc(row, &rec); err != nil {
					return rec, false, err
				}
				return rec, status == "" || rec.StatusAt(now) == status, nil
			})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ReadyCodeInterpreterSessions answers every session of every account and
// region still stored as READY: at start the data plane ends them, since
// their processes belonged to an earlier agentcored.
func (s *Service) ReadyCodeInterpreterSessions(ctx context.Context) ([]CodeInterpreterSession, error) {
	var out []CodeInterpreterSession
	err := s.read(ctx, func(tx store.Tx) error {
		rows, err := tx.ListStatus(ctx, kindCodeInterpreterSession, string(dpapi.CodeInterpreterSessionStatusReady))
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.Kind != kindCodeInterpreterSession || row.Status != string(dpapi.CodeInterpreterSessionStatusReady) {
				continue
			}
			var rec CodeInterpreterSession
			if err := decodeDoc(row, &rec); err != nil {
				return err
			}
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}
