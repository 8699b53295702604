package service

// Browser sessions: the store side of the data plane's StartBrowserSession,
// GetBrowserSession, ListBrowserSessions, StopBrowserSession,
// UpdateBrowserStream and SaveBrowserSessionProfile (internal/dataplane
// runs the Chromium processes).
//
// Rows (in the session's account and region):
//   - "browser-session", id "<browserId>|<sessionId>", parent the browser
//     id, status READY or TERMINATED; doc a BrowserSessionRecord. Sessions
//     are kept after they end, as AWS lists TERMINATED ones.
//   - A saved browser profile lives in the profile's own row (kind
//     "browser-profile"), under the document key savedSessionKey beside the
//     modeled members, so deleting the profile deletes what was saved. The
//     profile family never rewrites a profile (no update operation), and
//     decoding the row into the modeled response ignores the extra key.

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/store"
)

const (
	kindBrowserSession = "browser-session"
	savedSessionKey    = "agentcoredSavedSession"
)

// BrowserSessionRecord is one browser session as stored: the modeled view
// plus where its Chromium runs, so that a restarted agentcored can end what
// a crashed one left behind.
type BrowserSessionRecord struct {
	dpapi.GetBrowserSessionResponse
	Account string `json:"account"`
	Region  string `json:"region"`
	// Host and Pid name the agentcored process that runs the session.
	Host string `json:"host"`
	Pid  int    `json:"pid"`
	// Instance names the data-plane instance inside that process.
	Instance string `json:"instance"`
	// ChromiumPid is the process group of the session's Chromium; Dir its
	// user-data directory.
	ChromiumPid int    `json:"chromiumPid,omitzero"`
	Dir         string `json:"dir,omitzero"`

	seq int64 // the row's store sequence (listing only)
}

func browserSessionRowID(browserID, sessionID string) string { return browserID + "|" + sessionID }

// ResolveSessionBrowser finds the browser a session starts in: the built-in
// aws.browser.v1 or a custom browser of the caller's, by id or ARN, which
// must be READY. It returns the browser id.
func (s *Service) ResolveSessionBrowser(ctx context.Context, identifier string) (string, error) {
	id := identifier
	if strings.HasPrefix(id, "arn:") {
		id = id[strings.LastIndex(id, "/")+1:]
	}
	if id == builtinBrowserID {
		return id, nil
	}
	if strings.Contains(id, "|") {
		return "", awserr.NotFound("Browser not found: %s", identifier)
	}
	b, err := get[api.GetBrowserResponse](ctx, s, browsers, "", id)
	if err != nil {
		return "", err
	}
	if b.Status != api.BrowserStatusReady {
		return "", awserr.Conflict("Browser %s is %s, not READY.", id, b.Status)
	}
	return id, nil
}

// PutBrowserSession inserts or replaces a session row.
func (s *Service) PutBrowserSession(ctx context.Context, rec *BrowserSessionRecord) error {
	sc := scope{account: rec.Account, region: rec.Region}
	now := s.now()
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		key := sc.key(kindBrowserSession, browserSessionRowID(rec.BrowserIdentifier, rec.SessionId))
		row, err := tx.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindBrowserSession, ID: key.ID,
				ParentID: rec.BrowserIdentifier, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
			return tx.Insert(ctx, row)
		}
		if err != nil {
			return err
		}
		row.Status, row.UpdatedAt, row.Doc = string(rec.Status), now, encodeDoc(rec)
		return tx.Update(ctx, row)
	}))
}

// LoadBrowserSession reads one session of the caller's account and region.
func (s *Service) LoadBrowserSession(ctx context.Context, browserID, sessionID string) (*BrowserSessionRecord, error) {
	sc := scopeOf(ctx)
	var rec *BrowserSessionRecord
	err := s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = loadDoc[BrowserSessionRecord](ctx, tx, sc.key(kindBrowserSession, browserSessionRowID(browserID, sessionID)), func() error {
			return awserr.NotFound("Browser session %s not found for browser %s.", sessionID, browserID)
		})
		return err
	})
	return rec, storeError(err)
}

// ListBrowserSessionRecords lists a browser's sessions in creation order,
// those with the given status only when status is set. The page token is
// the store sequence of the last row returned.
func (s *Service) ListBrowserSessionRecords(ctx context.Context, browserID, status, token string, limit int) ([]BrowserSessionRecord, string, error) {
	sc := scopeOf(ctx)
	var after int64
	if token != "" {
		n, err := strconv.ParseInt(token, 10, 64)
		if err != nil || n < 0 {
			return nil, "", awserr.Validation("Invalid nextToken.")
		}
		after = n
	}
	var out []BrowserSessionRecord
	next := ""
	err := s.store.Read(ctx, func(tx store.Tx) error {
		for {
			rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindBrowserSession,
				ParentID: browserID, AfterSeq: after, Limit: 100})
			if err != nil {
				return err
			}
			for _, row := range rows {
				after = row.Seq
				if status != "" && row.Status != status {
					continue
				}
				if len(out) == limit {
					next = strconv.FormatInt(out[len(out)-1].seq, 10)
					return nil
				}
				var rec BrowserSessionRecord
				if err := decodeDoc(row, &rec); err != nil {
					return err
				}
				rec.seq = row.Seq
				out = append(out, rec)
			}
			if len(rows) < 100 {
				return nil
			}
		}
	})
	return out, next, storeError(err)
}

// ReadyBrowserSessions lists every READY session in the store, all
// accounts and regions (at start, to end what a previous process left).
func (s *Service) ReadyBrowserSessions(ctx context.Context) ([]BrowserSessionRecord, error) {
	var out []BrowserSessionRecord
	err := s.store.Read(ctx, func(tx store.Tx) error {
		rows, err := tx.ListStatus(ctx, kindBrowserSession, string(dpapi.BrowserSessionStatusReady))
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.Kind != kindBrowserSession || row.Status != string(dpapi.BrowserSessionStatusReady) {
				continue
			}
			var rec BrowserSessionRecord
			if err := decodeDoc(row, &rec); err != nil {
				return err
			}
			rec.Account, rec.Region = row.Account, row.Region
			out = append(out, rec)
		}
		return nil
	})
	return out, storeError(err)
}

// SavedBrowserSession is what SaveBrowserSessionProfile keeps of a session.
type SavedBrowserSession struct {
	Cookies json.RawMessage `json:"cookies"` // CDP Network.Cookie objects
}

// SaveBrowserProfile stores a session's state into the caller's profile
// (which must exist and be READY) and records when and from which session.
func (s *Service) SaveBrowserProfile(ctx context.Context, profileID, browserID, sessionID string, saved SavedBrowserSession) (time.Time, error) {
	sc := scopeOf(ctx)
	now := s.now()
	err := s.store.Write(ctx, func(tx store.Tx) error {
		row, prof, err := browserProfiles.load(ctx, tx, sc, "", profileID)
		if err != nil {
			return err
		}
		if prof.Status != api.BrowserProfileStatusReady {
			return awserr.Conflict("Browser profile %s is %s, not READY.", profileID, prof.Status)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(row.Doc, &doc); err != nil {
			return err
		}
		prof.LastSavedAt, prof.LastUpdatedAt = api.NewDateTime(now), api.NewDateTime(now)
		prof.LastSavedBrowserId, prof.LastSavedBrowserSessionId = browserID, sessionID
		modeled := map[string]json.RawMessage{}
		if err := json.Unmarshal(encodeDoc(prof), &modeled); err != nil {
			return err
		}
		for k, v := range modeled {
			doc[k] = v
		}
		doc[savedSessionKey] = encodeDoc(saved)
		row.Doc, row.UpdatedAt = encodeDoc(doc), now
		return tx.Update(ctx, row)
	})
	return now, storeError(err)
}

// LoadBrowserProfile reads what was saved into the caller's profile (which
// must exist; nil when nothing was saved yet).
func (s *Service) LoadBrowserProfile(ctx context.Context, profileID string) (*SavedBrowserSession, error) {
	sc := scopeOf(ctx)
	var saved *SavedBrowserSession
	err := s.store.Read(ctx, func(tx store.Tx) error {
		row, _, err := browserProfiles.load(ctx, tx, sc, "", profileID)
		if err != nil {
			return err
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(row.Doc, &doc); err != nil {
			return err
		}
		if raw, ok := doc[savedSessionKey]; ok {
			saved = &SavedBrowserSession{}
			return json.Unmarshal(raw, saved)
		}
		return nil
	})
	return saved, storeError(err)
}
