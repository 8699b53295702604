package service

// Short-term memory: the events of a memory's actors and sessions, the
// store access behind the data plane's CreateEvent, GetEvent, ListEvents,
// DeleteEvent, ListSessions and ListActors (internal/dataplane).
//
// Rows (all in the memory's account and region):
//   - "memory-event", id "<memory>|<actor>|<session>|<eventId>", parent the
//     memory; doc the dpapi.Event. "|" is in none of the id patterns, so a
//     session's events are one primary-key range, and eventIds sort by
//     eventTimestamp (zero-padded epoch milliseconds first): listing a
//     session newest first is a descending range read (store.ListRange).
//   - "memory-session", id "<memory>|<actor>|<session>", parent
//     "<memory>|<actor>": the session summary and its event count.
//   - "memory-actor", id "<memory>|<actor>", parent the memory.
//
// A session row with no events left goes, and an actor row with no
// sessions left goes, so ListSessions and ListActors derive from events.
//
// Expiry: an event expires eventExpiryDuration days after its
// eventTimestamp (not after its creation: the timestamp is what the caller
// says the event is, and it is what orders and names the event). Reads
// skip expired events at once; a store job per session (kind
// "memory-session", run by the lifecycle engine whatever the policy, since
// it is put with a due time) purges them when the session's oldest event
// expires, and puts itself again for the next one.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	kindMemoryEvent   = "memory-event"
	kindMemorySession = "memory-session"
	kindMemoryActor   = "memory-actor"

	eventKeySep = "|"
	// eventScanChunk is how many events one range read fetches while a
	// filter skips some.
	eventScanChunk = 100
	opCreateEvent  = "CreateEvent"
)

// memorySession is the document of a session row.
type memorySession struct {
	SessionID string    `json:"sessionId"`
	ActorID   string    `json:"actorId"`
	CreatedAt time.Time `json:"createdAt"` // earliest eventTimestamp seen
	Newest    time.Time `json:"newest"`    // latest eventTimestamp seen
	Events    int       `json:"events"`
}

// memoryActor is the document of an actor row.
type memoryActor struct {
	ActorID  string    `json:"actorId"`
	Newest   time.Time `json:"newest"`
	Sessions int       `json:"sessions"`
}

func actorRowID(memoryID, actorID string) string { return memoryID + eventKeySep + actorID }
func sessionRowID(memoryID, actorID, sessionID string) string {
	return actorRowID(memoryID, actorID) + eventKeySep + sessionID
}
func eventRowID(memoryID, actorID, sessionID, eventID string) string {
	return sessionRowID(memoryID, actorID, sessionID) + eventKeySep + eventID
}

// checkEventIDs refuses ids with the key separator (the model's patterns
// exclude it; the check keeps keys unambiguous whatever reaches here).
func checkEventIDs(ids map[string]string) error {
	for field, v := range ids {
		if strings.Contains(v, eventKeySep) {
			return awserr.Validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must not contain '|'", v, field)
		}
	}
	return nil
}

// eventMemory is what the event operations need of their memory.
type eventMemory struct {
	id     string
	expiry time.Duration // 0: events never expire
	// selfManaged are its ACTIVE self-managed strategies
	// (memory_selfmanaged.go).
	selfManaged []api.MemoryStrategy
}

// expired reports whether an event stamped at ts has expired at now.
func (m eventMemory) expired(ts, now time.Time) bool {
	return m.expiry > 0 && !ts.Add(m.expiry).After(now)
}

// loadEventMemory finds the memory an event operation names (its id or
// ARN) in the caller's account and region. It must be usable: ACTIVE, or
// UPDATING (strategy changes do not stop short-term memory).
func (s *Service) loadEventMemory(ctx context.Context, tx store.Tx, sc scope, idOrARN string) (eventMemory, error) {
	id := idOrARN
	if strings.HasPrefix(idOrARN, "arn:") {
		prefix := sc.arn("memory/")
		if !strings.HasPrefix(idOrARN, prefix) {
			return eventMemory{}, awserr.NotFound("Memory not found: %s", idOrARN)
		}
		id = idOrARN[len(prefix):]
	}
	if err := checkEventIDs(map[string]string{"memoryId": id}); err != nil {
		return eventMemory{}, err
	}
	_, rec, err := memories.load(ctx, tx, sc, "", id)
	if err != nil {
		return eventMemory{}, err
	}
	switch rec.Status {
	case api.MemoryStatusActive, api.MemoryStatusUpdating:
	case api.MemoryStatusDeleting:
		return eventMemory{}, awserr.NotFound("Memory not found: %s", id)
	default:
		return eventMemory{}, awserr.Validation("Memory %s is not active (status %s).", id, rec.Status)
	}
	m := eventMemory{id: id, selfManaged: activeSelfManaged(rec)}
	if rec.EventExpiryDuration != nil && *rec.EventExpiryDuration > 0 {
		m.expiry = time.Duration(*rec.EventExpiryDuration) * 24 * time.Hour
	}
	return m, nil
}

// newEventID is the zero-padded epoch milliseconds of ts, "#", then hex:
// the creation time in nanoseconds (events of one millisecond keep their
// creation order) and 4 random bytes.
func newEventID(ts, created time.Time) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%019d#%016x%s", ts.UnixMilli(), uint64(created.UnixNano()), hex.EncodeToString(b))
}

// CreateMemoryEvent stores ev (memoryId, actorId, sessionId,
// eventTimestamp, payload, optional branch and metadata; eventId is
// assigned) and answers it. A request with a client token is answered once:
// a retry with the same input replays the first answer, the same token
// with other input is refused.
func (s *Service) CreateMemoryEvent(ctx context.Context, ev dpapi.Event) (*dpapi.Event, error) {
	sc := scopeOf(ctx)
	info := reqctx.From(ctx)
	if err := checkEventIDs(map[string]string{"actorId": ev.ActorId, "sessionId": ev.SessionId}); err != nil {
		return nil, err
	}
	if ev.EventTimestamp.Time.IsZero() || ev.EventTimestamp.UnixMilli() < 0 {
		return nil, awserr.Validation("1 validation error detected: Value at 'eventTimestamp' failed to satisfy constraint: Member must be a time after 1970-01-01T00:00:00Z")
	}
	ev.EventTimestamp = api.NewEpochTime(ev.EventTimestamp.Truncate(time.Millisecond))
	for attempt := 0; ; attempt++ {
		var out *dpapi.Event
		err := s.store.Write(ctx, func(tx store.Tx) error {
			if err := replayed(ctx, tx, info, sc.account, sc.region, opCreateEvent); err != nil {
				return err
			}
			var err error
			if out, err = s.insertEvent(ctx, tx, sc, ev); err != nil {
				return err
			}
			return s.remember(ctx, tx, info, sc.account, sc.region, opCreateEvent, http.StatusCreated, dpapi.CreateEventOutput{Event: out})
		})
		// A concurrent request won the token (replay it), or, without a
		// token, drew the same event id (draw again).
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, storeError(err)
		}
		return out, nil
	}
}

func (s *Service) insertEvent(ctx context.Context, tx store.Tx, sc scope, ev dpapi.Event) (*dpapi.Event, error) {
	m, err := s.loadEventMemory(ctx, tx, sc, ev.MemoryId)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	ts := ev.EventTimestamp.Time
	if m.expired(ts, now) {
		return nil, awserr.Validation("1 validation error detected: Value at 'eventTimestamp' failed to satisfy constraint: the event would already be expired (the memory's eventExpiryDuration is %d days)", int(m.expiry/(24*time.Hour)))
	}
	ev.MemoryId = m.id
	if ev.Branch != nil && ev.Branch.RootEventId != "" {
		key := sc.key(kindMemoryEvent, eventRowID(m.id, ev.ActorId, ev.SessionId, ev.Branch.RootEventId))
		if _, err := tx.Get(ctx, key); errors.Is(err, store.ErrNotFound) {
			return nil, awserr.NotFound("Root event %s not found in session %s.", ev.Branch.RootEventId, ev.SessionId)
		} else if err != nil {
			return nil, err
		}
	}
	ev.EventId = newEventID(ts, now)
	row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent,
		ID: eventRowID(m.id, ev.ActorId, ev.SessionId, ev.EventId), ParentID: m.id, CreatedAt: now, UpdatedAt: now}
	row.Doc = encodeDoc(ev)
	if err := tx.Insert(ctx, row); err != nil {
		return nil, err
	}
	if err := s.countEvent(ctx, tx, sc, m, ev.ActorId, ev.SessionId, ts, now); err != nil {
		return nil, err
	}
	if err := s.noteEventForExtraction(ctx, tx, sc, m.id, &ev, now); err != nil {
		return nil, err
	}
	if err := s.noteEventForSelfManaged(ctx, tx, sc, m, &ev, now); err != nil {
		return nil, err
	}
	return &ev, nil
}

// countEvent records a new event of ts in its session and actor rows
// (creating them), and makes sure the session's expiry job is due no later
// than the event expires.
func (s *Service) countEvent(ctx context.Context, tx store.Tx, sc scope, m eventMemory, actorID, sessionID string, ts, now time.Time) error {
	skey := sc.key(kindMemorySession, sessionRowID(m.id, actorID, sessionID))
	srow, err := tx.Get(ctx, skey)
	newSession := errors.Is(err, store.ErrNotFound)
	if err != nil && !newSession {
		return err
	}
	var sess memorySession
	if newSession {
		sess = memorySession{SessionID: sessionID, ActorID: actorID, CreatedAt: ts, Newest: ts}
		srow = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemorySession, ID: skey.ID,
			ParentID: actorRowID(m.id, actorID), CreatedAt: now, UpdatedAt: now}
	} else if err := decodeDoc(srow, &sess); err != nil {
		return err
	}
	sess.Events++
	if ts.Before(sess.CreatedAt) {
		sess.CreatedAt = ts
	}
	if ts.After(sess.Newest) {
		sess.Newest = ts
	}
	srow.Doc, srow.UpdatedAt = encodeDoc(sess), now
	if newSession {
		err = tx.Insert(ctx, srow)
	} else {
		err = tx.Update(ctx, srow)
	}
	if err != nil {
		return err
	}
	if err := s.touchActor(ctx, tx, sc, m.id, actorID, ts, newSession, now); err != nil {
		return err
	}
	if m.expiry == 0 {
		return nil
	}
	due := ts.Add(m.expiry)
	job, err := tx.GetJob(ctx, skey)
	if err == nil && !job.DueAt.IsZero() && !job.DueAt.After(due) {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return tx.PutJob(ctx, &store.Job{Account: sc.account, Region: sc.region, Kind: kindMemorySession, ResourceID: skey.ID, DueAt: due})
}

// touchActor creates the actor row or counts a new session in it.
func (s *Service) touchActor(ctx context.Context, tx store.Tx, sc scope, memoryID, actorID string, ts time.Time, newSession bool, now time.Time) error {
	akey := sc.key(kindMemoryActor, actorRowID(memoryID, actorID))
	arow, err := tx.Get(ctx, akey)
	if errors.Is(err, store.ErrNotFound) {
		doc := memoryActor{ActorID: actorID, Newest: ts, Sessions: 1}
		return tx.Insert(ctx, &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemoryActor, ID: akey.ID,
			ParentID: memoryID, CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)})
	}
	if err != nil {
		return err
	}
	var actor memoryActor
	if err := decodeDoc(arow, &actor); err != nil {
		return err
	}
	if !newSession && !ts.After(actor.Newest) {
		return nil
	}
	if newSession {
		actor.Sessions++
	}
	if ts.After(actor.Newest) {
		actor.Newest = ts
	}
	arow.Doc, arow.UpdatedAt = encodeDoc(actor), now
	return tx.Update(ctx, arow)
}

// uncountEvents records that n events left a session; a session left empty
// goes, and its actor when that was its last session.
func (s *Service) uncountEvents(ctx context.Context, tx store.Tx, srow *store.Resource, sess *memorySession, n int, now time.Time) error {
	sess.Events -= n
	if sess.Events > 0 {
		srow.Doc, srow.UpdatedAt = encodeDoc(sess), now
		return tx.Update(ctx, srow)
	}
	if err := tx.Delete(ctx, srow.Key()); err != nil {
		return err
	}
	arow, actor, err := loadIfAny[memoryActor](ctx, tx, store.Key{Account: srow.Account, Region: srow.Region, Kind: kindMemoryActor, ID: srow.ParentID})
	if err != nil || arow == nil {
		return err
	}
	actor.Sessions--
	if actor.Sessions <= 0 {
		return tx.Delete(ctx, arow.Key())
	}
	arow.Doc, arow.UpdatedAt = encodeDoc(actor), now
	return tx.Update(ctx, arow)
}

// GetMemoryEvent answers one event; an expired one is not found.
func (s *Service) GetMemoryEvent(ctx context.Context, memoryID, actorID, sessionID, eventID string) (*dpapi.Event, error) {
	sc := scopeOf(ctx)
	if err := checkEventIDs(map[string]string{"actorId": actorID, "sessionId": sessionID, "eventId": eventID}); err != nil {
		return nil, err
	}
	var ev dpapi.Event
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		_, found, err := loadDoc[dpapi.Event](ctx, tx, sc.key(kindMemoryEvent, eventRowID(m.id, actorID, sessionID, eventID)),
			func() error { return eventNotFound(eventID) })
		if err != nil {
			return err
		}
		ev = *found
		if m.expired(ev.EventTimestamp.Time, s.now()) {
			return eventNotFound(eventID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

func eventNotFound(eventID string) error {
	return awserr.NotFound("Event not found: %s", eventID)
}

// DeleteMemoryEvent removes one event.
func (s *Service) DeleteMemoryEvent(ctx context.Context, memoryID, actorID, sessionID, eventID string) error {
	sc := scopeOf(ctx)
	if err := checkEventIDs(map[string]string{"actorId": actorID, "sessionId": sessionID, "eventId": eventID}); err != nil {
		return err
	}
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		key := sc.key(kindMemoryEvent, eventRowID(m.id, actorID, sessionID, eventID))
		if _, err := tx.Get(ctx, key); errors.Is(err, store.ErrNotFound) {
			return eventNotFound(eventID)
		} else if err != nil {
			return err
		}
		if err := tx.Delete(ctx, key); err != nil {
			return err
		}
		srow, sess, err := loadIfAny[memorySession](ctx, tx, sc.key(kindMemorySession, sessionRowID(m.id, actorID, sessionID)))
		if err != nil || srow == nil {
			return err
		}
		return s.uncountEvents(ctx, tx, srow, sess, 1, s.now().UTC())
	}))
}

// eventCursor is where a ListMemoryEvents page resumes: after (older than)
// the event id it names.
type eventCursor struct {
	Session string `json:"s"`
	After   string `json:"a"`
}

func (s *Service) encodeEventToken(sc scope, c eventCursor) string {
	b, _ := json.Marshal(c)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + s.tokenMAC(sc, kindMemoryEvent+"\x00"+payload)
}

func (s *Service) decodeEventToken(sc scope, token, session string) (string, error) {
	if token == "" {
		return "", nil
	}
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || mac != s.tokenMAC(sc, kindMemoryEvent+"\x00"+payload) {
		return "", invalidToken()
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var c eventCursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.Session != session {
		return "", invalidToken()
	}
	return c.After, nil
}

// ListMemoryEvents answers a session's live events newest first, those
// keep accepts (nil: all), at most limit of them (limit <= 0: all), and
// the token of the next page ("" on the last). The token names the last
// event answered, so events written meanwhile neither repeat nor shift a
// page: newer ones sort before it.
func (s *Service) ListMemoryEvents(ctx context.Context, memoryID, actorID, sessionID, token string, limit int, keep func(*dpapi.Event) bool) ([]dpapi.Event, string, error) {
	sc := scopeOf(ctx)
	if err := checkEventIDs(map[string]string{"actorId": actorID, "sessionId": sessionID}); err != nil {
		return nil, "", err
	}
	var out []dpapi.Event
	next := ""
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		prefix := sessionRowID(m.id, actorID, sessionID) + eventKeySep
		cursor, err := s.decodeEventToken(sc, token, prefix)
		if err != nil {
			return err
		}
		now := s.now()
		for {
			rows, err := tx.ListRange(ctx, store.RangeQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent,
				Prefix: prefix, Cursor: cursor, Descending: true, Limit: eventScanChunk})
			if err != nil {
				return err
			}
			for _, row := range rows {
				var ev dpapi.Event
				if err := decodeDoc(row, &ev); err != nil {
					return err
				}
				if m.expired(ev.EventTimestamp.Time, now) {
					return nil // older ones are expired too
				}
				if keep != nil && !keep(&ev) {
					continue
				}
				if limit > 0 && len(out) == limit {
					// One more exists: the page ends at the last answered.
					next = s.encodeEventToken(sc, eventCursor{Session: prefix, After: eventRowID(m.id, actorID, sessionID, out[len(out)-1].EventId)})
					return nil
				}
				out = append(out, ev)
			}
			if len(rows) < eventScanChunk {
				return nil
			}
			cursor = rows[len(rows)-1].ID
		}
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ListMemorySessions answers an actor's sessions that still have live
// events, in the order they began, and the next page's token.
func (s *Service) ListMemorySessions(ctx context.Context, memoryID, actorID, token string, limit int) ([]dpapi.SessionSummary, string, error) {
	sc := scopeOf(ctx)
	if err := checkEventIDs(map[string]string{"actorId": actorID}); err != nil {
		return nil, "", err
	}
	var out []dpapi.SessionSummary
	next := ""
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		now := s.now()
		out, next, err = scanSeq(ctx, s, tx, sc, kindMemorySession, actorRowID(m.id, actorID), token, limit,
			func(row *store.Resource) (dpapi.SessionSummary, bool, error) {
				var sess memorySession
				if err := decodeDoc(row, &sess); err != nil || m.expired(sess.Newest, now) {
					return dpapi.SessionSummary{}, false, err
				}
				return dpapi.SessionSummary{SessionId: sess.SessionID, ActorId: sess.ActorID, CreatedAt: api.NewEpochTime(sess.CreatedAt)}, true, nil
			})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// ListMemoryActors answers the memory's actors that still have live
// events, in the order they first wrote, and the next page's token.
func (s *Service) ListMemoryActors(ctx context.Context, memoryID, token string, limit int) ([]dpapi.ActorSummary, string, error) {
	sc := scopeOf(ctx)
	var out []dpapi.ActorSummary
	next := ""
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		now := s.now()
		out, next, err = scanSeq(ctx, s, tx, sc, kindMemoryActor, m.id, token, limit,
			func(row *store.Resource) (dpapi.ActorSummary, bool, error) {
				var actor memoryActor
				if err := decodeDoc(row, &actor); err != nil || m.expired(actor.Newest, now) {
					return dpapi.ActorSummary{}, false, err
				}
				return dpapi.ActorSummary{ActorId: actor.ActorID}, true, nil
			})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// scanSeq walks the rows of kind under parent in creation order from
// token and answers what accept makes of the rows it accepts, at most limit
// of them, with the token after the last answered when an accepted row
// follows ("" otherwise).
func scanSeq[T any](ctx context.Context, s *Service, tx store.Tx, sc scope, kind, parent, token string, limit int,
	accept func(*store.Resource) (T, bool, error)) ([]T, string, error) {
	after, err := s.decodePageToken(sc, token, kind, parent)
	if err != nil {
		return nil, "", err
	}
	var out []T
	lastSeq := int64(0)
	for {
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kind, ParentID: parent,
			AfterSeq: after, Limit: eventScanChunk})
		if err != nil {
			return nil, "", err
		}
		for _, row := range rows {
			item, ok, err := accept(row)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
			if limit > 0 && len(out) == limit {
				return out, s.encodePageToken(sc, pageToken{Kind: kind, Parent: parent, Seq: lastSeq}), nil
			}
			out = append(out, item)
			lastSeq = row.Seq
		}
		if len(rows) < eventScanChunk {
			return out, "", nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// reconcileMemorySession is the expiry job of one session: it purges the
// events that have expired (oldest first, the front of the session's
// range), then waits for the next one to expire.
func (s *Service) reconcileMemorySession(ctx context.Context, tx store.Tx, srow *store.Resource, now time.Time) error {
	sc := scope{account: srow.Account, region: srow.Region}
	memoryID, _, _ := strings.Cut(srow.ID, eventKeySep)
	_, rec, err := memories.load(ctx, tx, sc, "", memoryID)
	if err != nil {
		if isNotFound(err) {
			return nil // the memory's deletion removes its events
		}
		return err
	}
	m := eventMemory{id: memoryID}
	if rec.EventExpiryDuration != nil && *rec.EventExpiryDuration > 0 {
		m.expiry = time.Duration(*rec.EventExpiryDuration) * 24 * time.Hour
	}
	if m.expiry == 0 {
		return nil
	}
	var sess memorySession
	if err := decodeDoc(srow, &sess); err != nil {
		return err
	}
	purged := 0
	var nextDue time.Time
	cursor := ""
scan:
	for {
		rows, err := tx.ListRange(ctx, store.RangeQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent,
			Prefix: srow.ID + eventKeySep, Cursor: cursor, Limit: eventScanChunk})
		if err != nil {
			return err
		}
		for _, row := range rows {
			var ev dpapi.Event
			if err := decodeDoc(row, &ev); err != nil {
				return err
			}
			if !m.expired(ev.EventTimestamp.Time, now) {
				nextDue = ev.EventTimestamp.Add(m.expiry)
				break scan
			}
			if err := tx.Delete(ctx, row.Key()); err != nil {
				return err
			}
			purged++
		}
		if len(rows) < eventScanChunk {
			break
		}
		cursor = rows[len(rows)-1].ID
	}
	if purged > 0 {
		if err := s.uncountEvents(ctx, tx, srow, &sess, min(purged, sess.Events), now); err != nil {
			return err
		}
	}
	if nextDue.IsZero() {
		return nil
	}
	return tx.PutJob(ctx, &store.Job{Account: sc.account, Region: sc.region, Kind: kindMemorySession, ResourceID: srow.ID, DueAt: nextDue})
}

func isNotFound(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == awserr.CodeNotFound
}

// purgeMemoryEvents removes every event, session and actor of a memory
// (its deletion).
func purgeMemoryEvents(ctx context.Context, tx store.Tx, sc scope, memoryID string) error {
	events, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent, ParentID: memoryID})
	if err != nil {
		return err
	}
	for _, row := range events {
		if err := tx.Delete(ctx, row.Key()); err != nil {
			return err
		}
	}
	actors, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryActor, ParentID: memoryID})
	if err != nil {
		return err
	}
	for _, arow := range actors {
		sessions, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemorySession, ParentID: arow.ID})
		if err != nil {
			return err
		}
		for _, srow := range sessions {
			if err := tx.Delete(ctx, srow.Key()); err != nil {
				return err
			}
		}
		if err := tx.Delete(ctx, arow.Key()); err != nil {
			return err
		}
	}
	return nil
}
