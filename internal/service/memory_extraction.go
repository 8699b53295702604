package service

// Extraction: each strategy of a memory turns the conversational events
// written to it into memory records, asynchronously, as AWS does with a
// model. Here an Extractor does it; the built-in one is deterministic and
// offline (builtinExtractor below), another can be given in
// Options.Extractor.
//
// How it runs: CreateEvent (unless extractionMode SKIP, or without a
// conversational payload) adds the new event to the session's extraction
// row (kind "memory-extraction", id "<memory>|<actor>|<session>", parent
// the memory) and schedules that row with the lifecycle engine in the
// memories family: immediate extracts in the request's transaction, timed
// after the delay (events arriving meanwhile wait for the same run),
// manual on an explicit advance. The reconciler runs every ACTIVE
// strategy over the pending events and writes records under the
// strategy's namespaces, templates resolved.
//
// Failures: a strategy whose extractor fails leaves a FAILED extraction
// job in the row (the model's only ExtractionJobStatus), listed by
// ListMemoryExtractionJobs and re-run by StartMemoryExtractionJob, which
// removes it once it succeeds.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/store"
)

const kindMemoryExtraction = "memory-extraction"

// maxSessionRecordText bounds the text of a session-level record.
const maxSessionRecordText = 4000

// ExtractionInput is what an extractor sees of one strategy's run.
type ExtractionInput struct {
	MemoryID  string
	Strategy  api.MemoryStrategy
	ActorID   string
	SessionID string
	// Events are the events new since the last run, oldest first.
	Events []dpapi.Event
	// SessionEvents are all live events of the session, oldest first, for
	// session-level strategies (summary, episodic and their overrides);
	// nil for the others.
	SessionEvents []dpapi.Event
}

// ExtractedRecord is one record an extractor makes.
type ExtractedRecord struct {
	Text     string
	Metadata map[string]dpapi.MemoryRecordMetadataValue
	// Session: the session's one record of this strategy, replaced on
	// each run (a summary); otherwise a record that is added, unless the
	// same text is already in the namespace.
	Session bool
}

// Extractor turns events into records for one strategy. It runs inside a
// store transaction: it must not block for long.
type Extractor interface {
	Extract(ctx context.Context, in ExtractionInput) ([]ExtractedRecord, error)
}

// extractorError is an extractor's failure (as opposed to the store's):
// it fails the strategy's job, not the transaction.
type extractorError struct{ err error }

func (e *extractorError) Error() string { return e.err.Error() }
func (e *extractorError) Unwrap() error { return e.err }

type skipExtractionKey struct{}

// SkipExtraction marks ctx so that the event it creates is not extracted
// (CreateEvent's extractionMode SKIP).
func SkipExtraction(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipExtractionKey{}, true)
}

// extractionState is the document of an extraction row.
type extractionState struct {
	ActorID   string `json:"actorId"`
	SessionID string `json:"sessionId"`
	// Pending are the event ids not extracted yet, oldest first.
	Pending []string `json:"pending,omitempty"`
	// SessionRecords: "<strategyId>|<namespace>" → the id of the
	// session-level record there.
	SessionRecords map[string]string   `json:"sessionRecords,omitempty"`
	Failed         []extractionFailure `json:"failed,omitempty"`
}

type extractionFailure struct {
	JobID      string   `json:"jobId"`
	StrategyID string   `json:"strategyId"`
	Reason     string   `json:"reason"`
	EventIDs   []string `json:"eventIds"`
}

// extractable: only conversational payloads feed extraction.
func extractable(ev *dpapi.Event) bool {
	for _, p := range ev.Payload {
		if p.Conversational != nil {
			return true
		}
	}
	return false
}

// noteEventForExtraction queues a new event for its session's extraction.
func (s *Service) noteEventForExtraction(ctx context.Context, tx store.Tx, sc scope, memoryID string, ev *dpapi.Event, now time.Time) error {
	if skip, _ := ctx.Value(skipExtractionKey{}).(bool); skip || !extractable(ev) {
		return nil
	}
	key := sc.key(kindMemoryExtraction, sessionRowID(memoryID, ev.ActorId, ev.SessionId))
	row, err := tx.Get(ctx, key)
	var st extractionState
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = extractionState{ActorID: ev.ActorId, SessionID: ev.SessionId, Pending: []string{ev.EventId}}
		row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemoryExtraction, ID: key.ID,
			ParentID: memoryID, CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(st)}
		err = tx.Insert(ctx, row)
	case err != nil:
		return err
	default:
		if err := decodeDoc(row, &st); err != nil {
			return err
		}
		st.Pending = append(st.Pending, ev.EventId)
		row.Doc, row.UpdatedAt = encodeDoc(st), now
		err = tx.Update(ctx, row)
	}
	if err != nil {
		return err
	}
	return s.lifecycle.Schedule(ctx, tx, row)
}

// reconcileMemoryExtraction runs every active strategy over the session's
// pending events.
func (s *Service) reconcileMemoryExtraction(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	sc := scope{account: row.Account, region: row.Region}
	_, rec, err := memories.load(ctx, tx, sc, "", row.ParentID)
	if err != nil {
		if isNotFound(err) {
			return nil // the memory's deletion removes the row
		}
		return err
	}
	var st extractionState
	if err := decodeDoc(row, &st); err != nil {
		return err
	}
	if len(st.Pending) == 0 {
		return nil
	}
	events, err := s.loadEvents(ctx, tx, sc, row, st.Pending)
	if err != nil {
		return err
	}
	for _, strat := range rec.Strategies {
		if strat.Status != api.MemoryStrategyStatusActive {
			continue
		}
		err := s.runStrategy(ctx, tx, sc, row.ParentID, strat, &st, events, now)
		var xe *extractorError
		if err != nil && !errors.As(err, &xe) {
			return err // the store's: the transaction is lost anyway
		}
		if err != nil {
			st.Failed = append(st.Failed, extractionFailure{JobID: randomString(idAlphabet, 32), StrategyID: strat.StrategyId,
				Reason: err.Error(), EventIDs: st.Pending})
		}
	}
	st.Pending = nil
	row.Doc, row.UpdatedAt = encodeDoc(st), now
	return tx.Update(ctx, row)
}

// loadEvents reads the named events of the row's session (those still
// there), oldest first.
func (s *Service) loadEvents(ctx context.Context, tx store.Tx, sc scope, row *store.Resource, ids []string) ([]dpapi.Event, error) {
	var out []dpapi.Event
	for _, id := range ids {
		evRow, err := tx.Get(ctx, sc.key(kindMemoryEvent, row.ID+eventKeySep+id))
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted or expired meanwhile
		}
		if err != nil {
			return nil, err
		}
		var ev dpapi.Event
		if err := decodeDoc(evRow, &ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// strategyKind is what a strategy extracts: its type, or a custom one's
// override.
func strategyKind(st api.MemoryStrategy) api.MemoryStrategyType {
	if st.Type != api.MemoryStrategyTypeCustom {
		return st.Type
	}
	if st.Configuration != nil {
		switch st.Configuration.Type {
		case api.OverrideTypeSemanticOverride:
			return api.MemoryStrategyTypeSemantic
		case api.OverrideTypeSummaryOverride:
			return api.MemoryStrategyTypeSummarization
		case api.OverrideTypeUserPreferenceOverride:
			return api.MemoryStrategyTypeUserPreference
		case api.OverrideTypeEpisodicOverride:
			return api.MemoryStrategyTypeEpisodic
		}
	}
	return api.MemoryStrategyTypeCustom // self-managed: records come from the user
}

func sessionLevel(k api.MemoryStrategyType) bool {
	return k == api.MemoryStrategyTypeSummarization || k == api.MemoryStrategyTypeEpisodic
}

// runStrategy extracts one strategy's records from events and writes them.
func (s *Service) runStrategy(ctx context.Context, tx store.Tx, sc scope, memoryID string, strat api.MemoryStrategy, st *extractionState, events []dpapi.Event, now time.Time) error {
	if len(events) == 0 {
		return nil
	}
	in := ExtractionInput{MemoryID: memoryID, Strategy: strat, ActorID: st.ActorID, SessionID: st.SessionID, Events: events}
	if sessionLevel(strategyKind(strat)) {
		all, err := s.sessionEvents(ctx, tx, sc, sessionRowID(memoryID, st.ActorID, st.SessionID))
		if err != nil {
			return err
		}
		in.SessionEvents = all
	}
	out, err := s.extractor.Extract(ctx, in)
	if err != nil {
		return &extractorError{err}
	}
	for _, ns := range strat.Namespaces {
		ns = resolveNamespace(ns, strat.StrategyId, st.ActorID, st.SessionID)
		for _, x := range out {
			if strings.TrimSpace(x.Text) == "" {
				continue
			}
			if err := s.writeExtracted(ctx, tx, sc, memoryID, strat.StrategyId, ns, x, st, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) writeExtracted(ctx context.Context, tx store.Tx, sc scope, memoryID, strategyID, ns string, x ExtractedRecord, st *extractionState, now time.Time) error {
	rec := &dpapi.MemoryRecord{Content: &dpapi.MemoryContent{Text: x.Text}, MemoryStrategyId: strategyID,
		Namespaces: []string{ns}, CreatedAt: api.NewEpochTime(now), Metadata: x.Metadata}
	if x.Session {
		slot := strategyID + eventKeySep + ns
		if id := st.SessionRecords[slot]; id != "" {
			row, old, err := loadMemoryRecord(ctx, tx, sc, memoryID, id)
			if err == nil {
				rec.MemoryRecordId, rec.CreatedAt = id, old.CreatedAt
				return putRecord(ctx, tx, sc, memoryID, rec, row, now)
			}
			if !isNotFound(err) {
				return err
			}
		}
		rec.MemoryRecordId = newRecordID()
		if st.SessionRecords == nil {
			st.SessionRecords = map[string]string{}
		}
		st.SessionRecords[slot] = rec.MemoryRecordId
		return putRecord(ctx, tx, sc, memoryID, rec, nil, now)
	}
	// The same text in the same namespace of the same strategy is one
	// record (consolidation's NO-OP): its id derives from them.
	rec.MemoryRecordId = derivedRecordID(memoryID, strategyID, ns, x.Text)
	if _, err := tx.Get(ctx, sc.key(kindMemoryRecord, recordRowID(memoryID, rec.MemoryRecordId))); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return putRecord(ctx, tx, sc, memoryID, rec, nil, now)
}

func derivedRecordID(memoryID, strategyID, ns, text string) string {
	sum := sha256.Sum256([]byte(memoryID + "\x00" + strategyID + "\x00" + ns + "\x00" + strings.ToLower(text)))
	return recordIDPrefix + hex.EncodeToString(sum[:])[:recordIDChars]
}

// sessionEvents reads every event of a session, oldest first.
func (s *Service) sessionEvents(ctx context.Context, tx store.Tx, sc scope, sessionRow string) ([]dpapi.Event, error) {
	rows, err := tx.ListRange(ctx, store.RangeQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryEvent, Prefix: sessionRow + eventKeySep})
	if err != nil {
		return nil, err
	}
	out := make([]dpapi.Event, 0, len(rows))
	for _, row := range rows {
		var ev dpapi.Event
		if err := decodeDoc(row, &ev); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// resolveNamespace fills a namespace template's variables.
func resolveNamespace(tmpl, strategyID, actorID, sessionID string) string {
	return strings.NewReplacer("{actorId}", actorID, "{sessionId}", sessionID,
		"{memoryStrategyId}", strategyID, "{strategyId}", strategyID).Replace(tmpl)
}

// ExtractionJobFilter selects failed extraction jobs ("" members match all).
type ExtractionJobFilter struct {
	StrategyID, SessionID, ActorID string
}

// ListMemoryExtractionJobs answers the memory's failed extraction jobs,
// oldest session first, a page of limit from token.
func (s *Service) ListMemoryExtractionJobs(ctx context.Context, memoryID string, f ExtractionJobFilter, token string, limit int) ([]dpapi.ExtractionJobMetadata, string, error) {
	sc := scopeOf(ctx)
	var all []dpapi.ExtractionJobMetadata
	var id string
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		id = m.id
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryExtraction, ParentID: m.id})
		if err != nil {
			return err
		}
		for _, row := range rows {
			var st extractionState
			if err := decodeDoc(row, &st); err != nil {
				return err
			}
			for _, fl := range st.Failed {
				if (f.StrategyID != "" && f.StrategyID != fl.StrategyID) || (f.SessionID != "" && f.SessionID != st.SessionID) ||
					(f.ActorID != "" && f.ActorID != st.ActorID) {
					continue
				}
				all = append(all, jobMetadata(st, fl))
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	start, err := s.decodePageToken(sc, token, kindMemoryExtraction, id)
	if err != nil {
		return nil, "", err
	}
	start = min(start, int64(len(all)))
	end, next := len(all), ""
	if limit > 0 && int(start)+limit < end {
		end = int(start) + limit
		next = s.encodePageToken(sc, pageToken{Kind: kindMemoryExtraction, Parent: id, Seq: int64(end)})
	}
	return all[start:end], next, nil
}

func jobMetadata(st extractionState, fl extractionFailure) dpapi.ExtractionJobMetadata {
	msgs := &dpapi.ExtractionJobMessages{MessagesList: []dpapi.MessageMetadata{}}
	for _, eid := range fl.EventIDs {
		zero := int64(0)
		msgs.MessagesList = append(msgs.MessagesList, dpapi.MessageMetadata{EventId: eid, MessageIndex: &zero})
	}
	return dpapi.ExtractionJobMetadata{JobID: fl.JobID, Messages: msgs, Status: dpapi.ExtractionJobStatusFailed,
		FailureReason: fl.Reason, StrategyId: fl.StrategyID, SessionId: st.SessionID, ActorId: st.ActorID}
}

// StartMemoryExtractionJob re-runs a failed extraction job now. It goes
// from the list when it succeeds; when it fails again, its reason is the
// new failure's.
func (s *Service) StartMemoryExtractionJob(ctx context.Context, memoryID, jobID string) error {
	sc := scopeOf(ctx)
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		_, rec, err := memories.load(ctx, tx, sc, "", m.id)
		if err != nil {
			return err
		}
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryExtraction, ParentID: m.id})
		if err != nil {
			return err
		}
		now := s.now().UTC()
		for _, row := range rows {
			var st extractionState
			if err := decodeDoc(row, &st); err != nil {
				return err
			}
			for i, fl := range st.Failed {
				if fl.JobID != jobID {
					continue
				}
				var strat *api.MemoryStrategy
				for j := range rec.Strategies {
					if rec.Strategies[j].StrategyId == fl.StrategyID {
						strat = &rec.Strategies[j]
					}
				}
				if strat == nil {
					st.Failed = append(st.Failed[:i], st.Failed[i+1:]...) // its strategy is gone
				} else {
					events, err := s.loadEvents(ctx, tx, sc, row, fl.EventIDs)
					if err != nil {
						return err
					}
					err = s.runStrategy(ctx, tx, sc, m.id, *strat, &st, events, now)
					var xe *extractorError
					if err != nil && !errors.As(err, &xe) {
						return err
					}
					if err != nil {
						st.Failed[i].Reason = err.Error()
					} else {
						st.Failed = append(st.Failed[:i], st.Failed[i+1:]...)
					}
				}
				row.Doc, row.UpdatedAt = encodeDoc(st), now
				return tx.Update(ctx, row)
			}
		}
		return awserr.NotFound("Extraction job not found: %s", jobID)
	}))
}

// builtinExtractor is the deterministic offline extractor:
//   - semantic: one record per USER or ASSISTANT conversational text,
//     whitespace normalised;
//   - user preference: each USER sentence that states a liking ("I like /
//     love / prefer / enjoy / hate / dislike ...", "my favorite ..."), in
//     the third person ("The user prefers ...");
//   - summary: one record per session, "Session summary: " and the
//     session's conversational texts ("ROLE: text"), cut at 4000 characters;
//   - episodic: one record per session: the actor, how many turns, what the
//     user asked first and what was answered last;
//   - self-managed (a custom strategy without a built-in override): none,
//     the user's own pipeline writes records with BatchCreateMemoryRecords.
type builtinExtractor struct{}

func (builtinExtractor) Extract(_ context.Context, in ExtractionInput) ([]ExtractedRecord, error) {
	switch strategyKind(in.Strategy) {
	case api.MemoryStrategyTypeSemantic:
		var out []ExtractedRecord
		for _, t := range turns(in.Events) {
			if t.role == dpapi.RoleUser || t.role == dpapi.RoleAssistant {
				out = append(out, ExtractedRecord{Text: t.text})
			}
		}
		return out, nil
	case api.MemoryStrategyTypeUserPreference:
		var out []ExtractedRecord
		for _, t := range turns(in.Events) {
			if t.role != dpapi.RoleUser {
				continue
			}
			for _, sentence := range sentences(t.text) {
				if p, ok := preference(sentence); ok {
					out = append(out, ExtractedRecord{Text: p})
				}
			}
		}
		return out, nil
	case api.MemoryStrategyTypeSummarization:
		var b strings.Builder
		b.WriteString("Session summary:")
		for _, t := range turns(in.SessionEvents) {
			fmt.Fprintf(&b, " %s: %s", t.role, t.text)
		}
		return []ExtractedRecord{{Text: cut(b.String(), maxSessionRecordText), Session: true}}, nil
	case api.MemoryStrategyTypeEpisodic:
		ts := turns(in.SessionEvents)
		if len(ts) == 0 {
			return nil, nil
		}
		first, last := "", ""
		for _, t := range ts {
			if t.role == dpapi.RoleUser && first == "" {
				first = t.text
			}
			if t.role == dpapi.RoleAssistant {
				last = t.text
			}
		}
		text := fmt.Sprintf("Episode of %s in session %s, %d turns. The user asked: %s. Outcome: %s",
			in.ActorID, in.SessionID, len(ts), strings.TrimSuffix(first, "."), last)
		return []ExtractedRecord{{Text: cut(text, maxSessionRecordText), Session: true}}, nil
	}
	return nil, nil
}

type turn struct {
	role dpapi.Role
	text string
}

// turns are the conversational texts of events, whitespace normalised.
func turns(events []dpapi.Event) []turn {
	var out []turn
	for _, ev := range events {
		for _, p := range ev.Payload {
			c := p.Conversational
			if c == nil || c.Content == nil {
				continue
			}
			if text := strings.Join(strings.Fields(c.Content.Text), " "); text != "" {
				out = append(out, turn{role: c.Role, text: text})
			}
		}
	}
	return out
}

func sentences(text string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(text, func(r rune) bool { return r == '.' || r == '!' || r == '?' || r == ';' || r == '\n' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// preferencePhrases map a first-person liking to the third person.
var preferencePhrases = []struct{ first, third string }{
	{"i don't like ", "The user does not like "}, {"i do not like ", "The user does not like "},
	{"i really like ", "The user really likes "}, {"i like ", "The user likes "}, {"i love ", "The user loves "},
	{"i prefer ", "The user prefers "}, {"i enjoy ", "The user enjoys "}, {"i hate ", "The user hates "},
	{"i dislike ", "The user dislikes "}, {"my favorite ", "The user's favorite "}, {"my favourite ", "The user's favourite "},
}

func preference(sentence string) (string, bool) {
	lower := strings.ToLower(sentence)
	for _, p := range preferencePhrases {
		if i := strings.Index(lower, p.first); i >= 0 && (i == 0 || lower[i-1] == ' ' || lower[i-1] == ',') {
			return p.third + sentence[i+len(p.first):] + ".", true
		}
	}
	return "", false
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Back off to a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
