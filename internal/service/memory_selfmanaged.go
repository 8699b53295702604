package service

// Self-managed strategies: AWS extracts nothing for them; when one of the
// strategy's trigger conditions fires for a session it delivers the
// session's new conversation to the user's S3 bucket and notifies the
// user's SNS topic, and the user's pipeline writes records back with
// BatchCreateMemoryRecords. Here:
//
//   - Triggers: CreateEvent (conversational payloads, not extractionMode
//     SKIP) adds the event to the session's self-managed row (kind
//     "memory-selfmanaged", id "<memory>|<actor>|<session>", parent the
//     memory), per strategy. messageBasedTrigger fires when the pending
//     conversational messages reach messageCount; tokenBasedTrigger when
//     their tokens reach tokenCount, a token being a whitespace-separated
//     word (no model tokenizer offline); both fire in CreateEvent's own
//     transaction. timeBasedTrigger fires idleSessionTimeout seconds after
//     the session's last event: a store job with that due time (run
//     whatever the lifecycle policy, like the events' expiry sweep), put
//     again by each new event. An explicit advance of the job
//     (POST /_agentcored/lifecycle/advance, kind "memory-selfmanaged")
//     counts as the timeout elapsing.
//   - Delivery: a "memory-delivery" row (id "<memory>|<jobId>") records the
//     notification (the SNS stand-in) and, with a data dir, the payload is
//     also written as JSON to <data-dir>/memory-deliveries/<bucket>/<key>
//     (the S3 stand-in); without one (PostgreSQL) the payload stays in the
//     row. GET /_agentcored/memory/deliveries lists them. The file is
//     written inside the transaction: a transaction lost afterwards can
//     leave a file without its row (never a row without its file).

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
	"agentcored/internal/store"
)

const (
	kindMemorySelfManaged = "memory-selfmanaged"
	kindMemoryDelivery    = "memory-delivery"

	triggerMessageCount = "MESSAGE_COUNT"
	triggerTokenCount   = "TOKEN_COUNT"
	triggerIdleTimeout  = "IDLE_SESSION_TIMEOUT"
)

// selfManagedState is the document of a session's self-managed row.
type selfManagedState struct {
	ActorID   string `json:"actorId"`
	SessionID string `json:"sessionId"`
	// Pending: strategy id → what arrived since its last delivery.
	Pending map[string]*selfManagedPending `json:"pending,omitempty"`
	// IdleDue is when the idle job is due (zero: none).
	IdleDue time.Time `json:"idleDue,omitzero"`
}

type selfManagedPending struct {
	EventIDs []string  `json:"eventIds"`
	Messages int       `json:"messages"`
	Tokens   int       `json:"tokens"`
	Last     time.Time `json:"last"` // server time of the newest pending event
}

// selfManagedTriggers are a strategy's trigger thresholds (0: not set).
type selfManagedTriggers struct {
	messages, tokens int
	idle             time.Duration
}

// selfManagedConfig answers a strategy's self-managed configuration, nil
// for other strategies.
func selfManagedConfig(st api.MemoryStrategy) *api.SelfManagedConfiguration {
	if st.Configuration == nil || st.Configuration.Type != api.OverrideTypeSelfManaged {
		return nil
	}
	return st.Configuration.SelfManagedConfiguration
}

func triggersOf(c *api.SelfManagedConfiguration) selfManagedTriggers {
	var t selfManagedTriggers
	for _, tc := range c.TriggerConditions {
		switch {
		case tc.MessageBasedTrigger != nil && tc.MessageBasedTrigger.MessageCount != nil:
			t.messages = int(*tc.MessageBasedTrigger.MessageCount)
		case tc.TokenBasedTrigger != nil && tc.TokenBasedTrigger.TokenCount != nil:
			t.tokens = int(*tc.TokenBasedTrigger.TokenCount)
		case tc.TimeBasedTrigger != nil && tc.TimeBasedTrigger.IdleSessionTimeout != nil:
			t.idle = time.Duration(*tc.TimeBasedTrigger.IdleSessionTimeout) * time.Second
		}
	}
	return t
}

// messageStats counts an event's conversational messages and their
// whitespace-separated words (the tokens of tokenBasedTrigger).
func messageStats(ev *dpapi.Event) (messages, tokens int) {
	for _, p := range ev.Payload {
		if c := p.Conversational; c != nil {
			messages++
			if c.Content != nil {
				tokens += len(strings.Fields(c.Content.Text))
			}
		}
	}
	return messages, tokens
}

// activeSelfManaged are the memory's ACTIVE self-managed strategies.
func activeSelfManaged(rec *memoryRecord) []api.MemoryStrategy {
	var out []api.MemoryStrategy
	for _, st := range rec.Strategies {
		if st.Status == api.MemoryStrategyStatusActive && selfManagedConfig(st) != nil {
			out = append(out, st)
		}
	}
	return out
}

// noteEventForSelfManaged counts a new event against the session's
// self-managed strategies and delivers those whose message or token
// trigger it fires.
func (s *Service) noteEventForSelfManaged(ctx context.Context, tx store.Tx, sc scope, m eventMemory, ev *dpapi.Event, now time.Time) error {
	if len(m.selfManaged) == 0 {
		return nil
	}
	if skip, _ := ctx.Value(skipExtractionKey{}).(bool); skip || !extractable(ev) {
		return nil
	}
	key := sc.key(kindMemorySelfManaged, sessionRowID(m.id, ev.ActorId, ev.SessionId))
	row, err := tx.Get(ctx, key)
	isNew := errors.Is(err, store.ErrNotFound)
	if err != nil && !isNew {
		return err
	}
	st := selfManagedState{ActorID: ev.ActorId, SessionID: ev.SessionId}
	if isNew {
		row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemorySelfManaged, ID: key.ID,
			ParentID: m.id, CreatedAt: now}
	} else if err := decodeDoc(row, &st); err != nil {
		return err
	}
	if st.Pending == nil {
		st.Pending = map[string]*selfManagedPending{}
	}
	msgs, tokens := messageStats(ev)
	for _, strat := range m.selfManaged {
		p := st.Pending[strat.StrategyId]
		if p == nil {
			p = &selfManagedPending{}
			st.Pending[strat.StrategyId] = p
		}
		p.EventIDs = append(p.EventIDs, ev.EventId)
		p.Messages += msgs
		p.Tokens += tokens
		p.Last = now
		t := triggersOf(selfManagedConfig(strat))
		trigger := ""
		switch {
		case t.messages > 0 && p.Messages >= t.messages:
			trigger = triggerMessageCount
		case t.tokens > 0 && p.Tokens >= t.tokens:
			trigger = triggerTokenCount
		}
		if trigger != "" {
			if err := s.deliverSelfManaged(ctx, tx, sc, m.id, strat, &st, trigger, now); err != nil {
				return err
			}
		}
	}
	if err := s.scheduleIdle(ctx, tx, sc, row, &st, m.selfManaged); err != nil {
		return err
	}
	row.Doc, row.UpdatedAt = encodeDoc(st), now
	if isNew {
		return tx.Insert(ctx, row)
	}
	return tx.Update(ctx, row)
}

// scheduleIdle puts (or drops) the row's idle job: due when the first
// strategy with pending events and an idle trigger goes idle.
func (s *Service) scheduleIdle(ctx context.Context, tx store.Tx, sc scope, row *store.Resource, st *selfManagedState, strategies []api.MemoryStrategy) error {
	var due time.Time
	for _, strat := range strategies {
		p := st.Pending[strat.StrategyId]
		t := triggersOf(selfManagedConfig(strat))
		if p == nil || len(p.EventIDs) == 0 || t.idle == 0 {
			continue
		}
		if d := p.Last.Add(t.idle); due.IsZero() || d.Before(due) {
			due = d
		}
	}
	key := store.Key{Account: sc.account, Region: sc.region, Kind: kindMemorySelfManaged, ID: row.ID}
	if due.IsZero() {
		st.IdleDue = time.Time{}
		if err := tx.DeleteJob(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}
	if due.Equal(st.IdleDue) {
		return nil
	}
	st.IdleDue = due
	return tx.PutJob(ctx, &store.Job{Account: sc.account, Region: sc.region, Kind: kindMemorySelfManaged, ResourceID: row.ID, DueAt: due})
}

// reconcileSelfManaged is the idle job of a session: it delivers every
// strategy whose idle timeout has elapsed, all of those with an idle
// trigger when run before its due time (an explicit advance), and puts
// itself again for the rest.
func (s *Service) reconcileSelfManaged(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	sc := scope{account: row.Account, region: row.Region}
	_, rec, err := memories.load(ctx, tx, sc, "", row.ParentID)
	if err != nil {
		if isNotFound(err) {
			return nil // the memory's deletion removes the row
		}
		return err
	}
	var st selfManagedState
	if err := decodeDoc(row, &st); err != nil {
		return err
	}
	forced := !st.IdleDue.IsZero() && now.Before(st.IdleDue)
	strategies := activeSelfManaged(rec)
	for _, strat := range strategies {
		p := st.Pending[strat.StrategyId]
		t := triggersOf(selfManagedConfig(strat))
		if p == nil || len(p.EventIDs) == 0 || t.idle == 0 || (!forced && now.Before(p.Last.Add(t.idle))) {
			continue
		}
		if err := s.deliverSelfManaged(ctx, tx, sc, row.ParentID, strat, &st, triggerIdleTimeout, now); err != nil {
			return err
		}
	}
	// The job that runs now is gone: put the next one afresh.
	st.IdleDue = time.Time{}
	if err := s.scheduleIdle(ctx, tx, sc, row, &st, strategies); err != nil {
		return err
	}
	row.Doc, row.UpdatedAt = encodeDoc(st), now
	return tx.Update(ctx, row)
}

// selfManagedMessage is one conversational message of a payload.
type selfManagedMessage struct {
	Role    dpapi.Role    `json:"role"`
	Content dpapi.Content `json:"content"`
}

// SelfManagedPayload is what a delivery writes to the bucket: the shape
// AWS documents for self-managed strategies, plus eventIds and trigger.
type SelfManagedPayload struct {
	JobID             string               `json:"jobId"`
	MemoryID          string               `json:"memoryId"`
	StrategyID        string               `json:"strategyId"`
	ActorID           string               `json:"actorId"`
	SessionID         string               `json:"sessionId"`
	Namespaces        []string             `json:"namespaces"`
	StartingTimestamp int64                `json:"startingTimestamp"` // epoch seconds of the first event
	EndingTimestamp   int64                `json:"endingTimestamp"`   // and of the last
	Trigger           string               `json:"trigger"`
	EventIDs          []string             `json:"eventIds"`
	CurrentContext    []selfManagedMessage `json:"currentContext"`
	HistoricalContext []selfManagedMessage `json:"historicalContext"`
}

// MemoryDelivery is one delivery: the notification published to the
// strategy's topic, where the payload went, and the payload itself when
// it is kept in the store.
type MemoryDelivery struct {
	JobID             string              `json:"jobId"`
	MemoryID          string              `json:"memoryId"`
	StrategyID        string              `json:"strategyId"`
	ActorID           string              `json:"actorId"`
	SessionID         string              `json:"sessionId"`
	Trigger           string              `json:"trigger"`
	TopicArn          string              `json:"topicArn"`
	Bucket            string              `json:"bucket"`
	Key               string              `json:"key"`
	S3PayloadLocation string              `json:"s3PayloadLocation"`
	File              string              `json:"file,omitempty"`
	Payload           *SelfManagedPayload `json:"payload,omitempty"`
	CreatedAt         time.Time           `json:"createdAt"`
}

// deliverSelfManaged delivers one strategy's pending events and clears
// them.
func (s *Service) deliverSelfManaged(ctx context.Context, tx store.Tx, sc scope, memoryID string, strat api.MemoryStrategy, st *selfManagedState, trigger string, now time.Time) error {
	p := st.Pending[strat.StrategyId]
	delete(st.Pending, strat.StrategyId)
	row := &store.Resource{ID: sessionRowID(memoryID, st.ActorID, st.SessionID)}
	events, err := s.loadEvents(ctx, tx, sc, row, p.EventIDs)
	if err != nil || len(events) == 0 {
		return err // none left (deleted meanwhile): nothing to deliver
	}
	cfg := selfManagedConfig(strat)
	pl := &SelfManagedPayload{JobID: randomString(idAlphabet, 32), MemoryID: memoryID, StrategyID: strat.StrategyId,
		ActorID: st.ActorID, SessionID: st.SessionID, Trigger: trigger,
		StartingTimestamp: events[0].EventTimestamp.Unix(), EndingTimestamp: events[len(events)-1].EventTimestamp.Unix(),
		CurrentContext: []selfManagedMessage{}, HistoricalContext: []selfManagedMessage{}}
	for _, ns := range strat.Namespaces {
		pl.Namespaces = append(pl.Namespaces, resolveNamespace(ns, strat.StrategyId, st.ActorID, st.SessionID))
	}
	for _, ev := range events {
		pl.EventIDs = append(pl.EventIDs, ev.EventId)
		pl.CurrentContext = append(pl.CurrentContext, messagesOf(ev)...)
	}
	if n := int(ptrValue(cfg.HistoricalContextWindowSize)); n > 0 {
		hist, err := s.historicalMessages(ctx, tx, sc, row.ID, events[0].EventId, n)
		if err != nil {
			return err
		}
		pl.HistoricalContext = hist
	}
	d := MemoryDelivery{JobID: pl.JobID, MemoryID: memoryID, StrategyID: strat.StrategyId, ActorID: st.ActorID,
		SessionID: st.SessionID, Trigger: trigger, CreatedAt: now}
	if inv := cfg.InvocationConfiguration; inv != nil {
		d.TopicArn, d.Bucket = inv.TopicArn, inv.PayloadDeliveryBucketName
	}
	d.Key = strings.Join([]string{memoryID, strat.StrategyId, st.ActorID, st.SessionID, pl.JobID + ".json"}, "/")
	d.S3PayloadLocation = "s3://" + d.Bucket + "/" + d.Key
	if s.deliveryDir != "" {
		file, err := s.writeDeliveryFile(d.Bucket, []string{memoryID, strat.StrategyId, st.ActorID, st.SessionID, pl.JobID + ".json"}, pl)
		if err != nil {
			return err
		}
		d.File = file
	} else {
		d.Payload = pl
	}
	return tx.Insert(ctx, &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemoryDelivery,
		ID: memoryID + eventKeySep + pl.JobID, ParentID: memoryID, CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(d)})
}

func ptrValue(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func messagesOf(ev dpapi.Event) []selfManagedMessage {
	var out []selfManagedMessage
	for _, p := range ev.Payload {
		if c := p.Conversational; c != nil {
			m := selfManagedMessage{Role: c.Role}
			if c.Content != nil {
				m.Content = *c.Content
			}
			out = append(out, m)
		}
	}
	return out
}

// historicalMessages are the last n messages of the session before the
// event first (a descending range read from it).
func (s *Service) historicalMessages(ctx context.Context, tx store.Tx, sc scope, sessionRow, first string, n int) ([]selfManagedMessage, error) {
	rows, err := tx.ListRange(ctx, store.RangeQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent,
		Prefix: sessionRow + eventKeySep, Cursor: sessionRow + eventKeySep + first, Descending: true, Limit: n})
	if err != nil {
		return nil, err
	}
	var rev []selfManagedMessage
	for _, row := range rows {
		var ev dpapi.Event
		if err := decodeDoc(row, &ev); err != nil {
			return nil, err
		}
		msgs := messagesOf(ev)
		for i := len(msgs) - 1; i >= 0 && len(rev) < n; i-- {
			rev = append(rev, msgs[i])
		}
	}
	slices.Reverse(rev)
	if rev == nil {
		rev = []selfManagedMessage{}
	}
	return rev, nil
}

// writeDeliveryFile writes the payload under <deliveryDir>/<bucket>/ and
// one directory per element of the key (the ids, each escaped as one
// segment: actor ids may hold "/"), through a temporary file so that a
// reader never sees half a payload.
func (s *Service) writeDeliveryFile(bucket string, key []string, pl *SelfManagedPayload) (string, error) {
	segs := []string{deliverySegment(bucket)}
	for _, k := range key {
		segs = append(segs, deliverySegment(k))
	}
	rel := filepath.Join(segs...)
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("delivery path %q leaves the delivery directory", rel)
	}
	path := filepath.Join(s.deliveryDir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, encodeDoc(pl), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return path, nil
}

// deliverySegment is one path segment for s: "/" escaped, and never "."
// or "..".
func deliverySegment(s string) string {
	s = url.PathEscape(s)
	if s == "" || strings.Trim(s, ".") == "" {
		return strings.Repeat("%2E", max(len(s), 1))
	}
	return s
}

// ListMemoryDeliveries answers the self-managed deliveries of an account
// and region (of one memory when memoryID is set), oldest first.
func (s *Service) ListMemoryDeliveries(ctx context.Context, account, region, memoryID string) ([]MemoryDelivery, error) {
	prefix := ""
	if memoryID != "" {
		prefix = memoryID + eventKeySep
	}
	out := []MemoryDelivery{}
	err := s.read(ctx, func(tx store.Tx) error {
		rows, err := tx.ListRange(ctx, store.RangeQuery{Account: account, Region: region, Kind: kindMemoryDelivery, Prefix: prefix})
		if err != nil {
			return err
		}
		for _, row := range rows {
			var d MemoryDelivery
			if err := decodeDoc(row, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b MemoryDelivery) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

// purgeSelfManaged removes a memory's self-managed rows (its deletion);
// deliveries stay, as objects in a bucket do.
func purgeSelfManaged(ctx context.Context, tx store.Tx, sc scope, memoryID string) error {
	rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemorySelfManaged, ParentID: memoryID})
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := tx.Delete(ctx, row.Key()); err != nil {
			return err
		}
	}
	return nil
}
