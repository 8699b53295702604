package dataplane

// Short-term memory operations: CreateEvent, GetEvent, ListEvents,
// DeleteEvent, ListSessions, ListActors (docs/DATAPLANE.md "Memory:
// events"). The events live in the control plane's store, reached through
// MemoryEvents (service/memory_events.go); this file holds the request
// rules: payload shapes, branches and the ListEvents filters.

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/service"
)

// MemoryEvents stores and reads memory events (service.Service).
type MemoryEvents interface {
	CreateMemoryEvent(ctx context.Context, ev dpapi.Event) (*dpapi.Event, error)
	GetMemoryEvent(ctx context.Context, memoryID, actorID, sessionID, eventID string) (*dpapi.Event, error)
	DeleteMemoryEvent(ctx context.Context, memoryID, actorID, sessionID, eventID string) error
	ListMemoryEvents(ctx context.Context, memoryID, actorID, sessionID, token string, limit int, keep func(*dpapi.Event) bool) ([]dpapi.Event, string, error)
	ListMemorySessions(ctx context.Context, memoryID, actorID, token string, limit int) ([]dpapi.SessionSummary, string, error)
	ListMemoryActors(ctx context.Context, memoryID, token string, limit int) ([]dpapi.ActorSummary, string, error)
}

const (
	// mainBranch is the branch of events written without one.
	mainBranch = "main"
	// defaultEventPage is the page size when maxResults is absent.
	defaultEventPage = 20
	maxEventPage     = 100
)

func (s *Service) CreateEvent(ctx context.Context, in *dpapi.CreateEventInput) (*dpapi.CreateEventOutput, error) {
	if len(in.Payload) == 0 {
		return nil, awserr.Validation("1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for i, p := range in.Payload {
		if err := checkPayload(i, p); err != nil {
			return nil, err
		}
	}
	if b := in.Branch; b != nil && b.Name != mainBranch && b.RootEventId == "" {
		return nil, awserr.Validation("1 validation error detected: Value at 'branch.rootEventId' failed to satisfy constraint: a branch other than %s needs the event it starts from", mainBranch)
	}
	sessionID := in.SessionId
	if sessionID == "" {
		sessionID = uuid.NewString() // the model makes it optional
	}
	if in.ExtractionMode == dpapi.ExtractionModeSkip {
		ctx = service.SkipExtraction(ctx)
	}
	ev, err := s.events.CreateMemoryEvent(ctx, dpapi.Event{
		MemoryId: in.MemoryId, ActorId: in.ActorId, SessionId: sessionID, EventTimestamp: in.EventTimestamp,
		Payload: in.Payload, Branch: in.Branch, Metadata: in.Metadata,
	})
	if err != nil {
		return nil, err
	}
	return &dpapi.CreateEventOutput{Event: ev}, nil
}

// checkPayload: each payload item is a union, exactly one of
// conversational (content.text and role) or blob.
func checkPayload(i int, p dpapi.PayloadType) error {
	field := "payload." + strconv.Itoa(i+1) + ".member"
	switch {
	case p.Conversational != nil && len(p.Blob) > 0, p.Conversational == nil && len(p.Blob) == 0:
		return awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: exactly one of conversational or blob must be set", field)
	case p.Conversational != nil && (p.Conversational.Content == nil || p.Conversational.Content.Text == ""):
		return awserr.Validation("1 validation error detected: Value at '%s.conversational.content.text' failed to satisfy constraint: Member must not be null", field)
	case p.Conversational != nil && p.Conversational.Role == "":
		return awserr.Validation("1 validation error detected: Value at '%s.conversational.role' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

func (s *Service) GetEvent(ctx context.Context, in *dpapi.GetEventInput) (*dpapi.GetEventOutput, error) {
	ev, err := s.events.GetMemoryEvent(ctx, in.MemoryId, in.ActorId, in.SessionId, in.EventId)
	if err != nil {
		return nil, err
	}
	return &dpapi.GetEventOutput{Event: ev}, nil
}

func (s *Service) DeleteEvent(ctx context.Context, in *dpapi.DeleteEventInput) (*dpapi.DeleteEventOutput, error) {
	if err := s.events.DeleteMemoryEvent(ctx, in.MemoryId, in.ActorId, in.SessionId, in.EventId); err != nil {
		return nil, err
	}
	return &dpapi.DeleteEventOutput{EventId: in.EventId}, nil
}

func pageSize(maxResults *int64) (int, error) {
	if maxResults == nil {
		return defaultEventPage, nil
	}
	if *maxResults < 1 || *maxResults > maxEventPage {
		return 0, awserr.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *maxResults, maxEventPage)
	}
	return int(*maxResults), nil
}

func (s *Service) ListEvents(ctx context.Context, in *dpapi.ListEventsInput) (*dpapi.ListEventsOutput, error) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	keep, err := s.eventFilter(ctx, in)
	if err != nil {
		return nil, err
	}
	events, next, err := s.events.ListMemoryEvents(ctx, in.MemoryId, in.ActorId, in.SessionId, in.NextToken, limit, keep)
	if err != nil {
		return nil, err
	}
	if in.IncludePayloads != nil && !*in.IncludePayloads {
		for i := range events {
			events[i].Payload = nil
		}
	}
	if events == nil {
		events = []dpapi.Event{} // the member is required
	}
	return &dpapi.ListEventsOutput{Events: events, NextToken: next}, nil
}

// branchOf is the branch an event was written on.
func branchOf(ev *dpapi.Event) string {
	if ev.Branch == nil || ev.Branch.Name == "" {
		return mainBranch
	}
	return ev.Branch.Name
}

// eventFilter turns ListEvents' filter into a predicate: every metadata
// expression holds, and the event is on the branch (or, with
// includeParentBranches, on an ancestor branch at or before the event the
// descendant forked from).
func (s *Service) eventFilter(ctx context.Context, in *dpapi.ListEventsInput) (func(*dpapi.Event) bool, error) {
	if in.Filter == nil {
		return nil, nil
	}
	var preds []func(*dpapi.Event) bool
	for i, x := range in.Filter.EventMetadata {
		p, err := metadataPredicate(i, x)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	if b := in.Filter.Branch; b != nil {
		p, err := s.branchPredicate(ctx, in, b)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return func(ev *dpapi.Event) bool {
		for _, p := range preds {
			if !p(ev) {
				return false
			}
		}
		return true
	}, nil
}

func metadataPredicate(i int, x dpapi.EventMetadataFilterExpression) (func(*dpapi.Event) bool, error) {
	field := "filter.eventMetadata." + strconv.Itoa(i+1) + ".member"
	if x.Left == nil || x.Left.MetadataKey == "" {
		return nil, awserr.Validation("1 validation error detected: Value at '%s.left' failed to satisfy constraint: Member must not be null", field)
	}
	key := x.Left.MetadataKey
	switch x.Operator {
	case dpapi.OperatorTypeEqualsTo:
		if x.Right == nil || x.Right.MetadataValue == nil {
			return nil, awserr.Validation("1 validation error detected: Value at '%s.right' failed to satisfy constraint: EQUALS_TO needs a right operand", field)
		}
		want := x.Right.MetadataValue.StringValue
		return func(ev *dpapi.Event) bool {
			v, ok := ev.Metadata[key]
			return ok && v.StringValue == want
		}, nil
	case dpapi.OperatorTypeExists, dpapi.OperatorTypeNotExists:
		if x.Right != nil {
			return nil, awserr.Validation("1 validation error detected: Value at '%s.right' failed to satisfy constraint: %s takes no right operand", field, x.Operator)
		}
		exists := x.Operator == dpapi.OperatorTypeExists
		return func(ev *dpapi.Event) bool {
			_, ok := ev.Metadata[key]
			return ok == exists
		}, nil
	}
	return nil, awserr.Validation("1 validation error detected: Value '%s' at '%s.operator' failed to satisfy constraint: Member must satisfy enum value set: [EQUALS_TO, EXISTS, NOT_EXISTS]", x.Operator, field)
}

// branchPredicate keeps the events of branch b. With includeParentBranches
// it reads the session once to learn where each branch forked: the chain
// b → parent (up to its fork event) → grandparent ... ends at main.
func (s *Service) branchPredicate(ctx context.Context, in *dpapi.ListEventsInput, b *dpapi.BranchFilter) (func(*dpapi.Event) bool, error) {
	if b.IncludeParentBranches == nil || !*b.IncludeParentBranches || b.Name == mainBranch {
		return func(ev *dpapi.Event) bool { return branchOf(ev) == b.Name }, nil
	}
	all, _, err := s.events.ListMemoryEvents(ctx, in.MemoryId, in.ActorId, in.SessionId, "", 0, nil)
	if err != nil {
		return nil, err
	}
	rootOf := map[string]string{}   // branch → the event it forked from
	branchAt := map[string]string{} // event id → its branch
	for i := range all {
		ev := &all[i]
		branchAt[ev.EventId] = branchOf(ev)
		if ev.Branch != nil && ev.Branch.RootEventId != "" {
			rootOf[branchOf(ev)] = ev.Branch.RootEventId
		}
	}
	// upTo[branch] is the newest event id of that branch on the chain
	// ("" for b itself: all of it).
	upTo := map[string]string{b.Name: ""}
	for cur := b.Name; ; {
		root, ok := rootOf[cur]
		if !ok {
			break
		}
		parent, ok := branchAt[root]
		if _, seen := upTo[parent]; !ok || seen {
			break // fork event gone (expired, deleted) or a cycle
		}
		upTo[parent] = root
		cur = parent
	}
	return func(ev *dpapi.Event) bool {
		limit, ok := upTo[branchOf(ev)]
		return ok && (limit == "" || ev.EventId <= limit)
	}, nil
}

func (s *Service) ListSessions(ctx context.Context, in *dpapi.ListSessionsInput) (*dpapi.ListSessionsOutput, error) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	// filter.eventFilter HAS_EVENTS: every session listed has events.
	sessions, next, err := s.events.ListMemorySessions(ctx, in.MemoryId, in.ActorId, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	if sessions == nil {
		sessions = []dpapi.SessionSummary{}
	}
	return &dpapi.ListSessionsOutput{SessionSummaries: sessions, NextToken: next}, nil
}

func (s *Service) ListActors(ctx context.Context, in *dpapi.ListActorsInput) (*dpapi.ListActorsOutput, error) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	actors, next, err := s.events.ListMemoryActors(ctx, in.MemoryId, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	if actors == nil {
		actors = []dpapi.ActorSummary{}
	}
	return &dpapi.ListActorsOutput{ActorSummaries: actors, NextToken: next}, nil
}
