package dataplane

import (
	"context"
	"fmt"
	"testing"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
)

// fakeEvents answers a fixed session newest first, applying keep.
type fakeEvents struct {
	MemoryEvents
	session []dpapi.Event
}

func (f *fakeEvents) ListMemoryEvents(_ context.Context, _, _, _, _ string, _ int, keep func(*dpapi.Event) bool) ([]dpapi.Event, string, error) {
	var out []dpapi.Event
	for i := range f.session {
		if keep == nil || keep(&f.session[i]) {
			out = append(out, f.session[i])
		}
	}
	return out, "", nil
}

func ev(id, branch, root string, md map[string]string) dpapi.Event {
	e := dpapi.Event{EventId: id}
	if branch != "" {
		e.Branch = &dpapi.Branch{Name: branch, RootEventId: root}
	}
	if md != nil {
		e.Metadata = map[string]dpapi.MetadataValue{}
		for k, v := range md {
			e.Metadata[k] = dpapi.MetadataValue{StringValue: v}
		}
	}
	return e
}

func TestEventFilter(t *testing.T) {
	// Newest first: main 1..3, b1 forks at 2, b2 forks from b1's 5.
	session := []dpapi.Event{
		ev("7#a", "b2", "5#a", nil),
		ev("6#a", "b1", "2#a", map[string]string{"k": "x"}),
		ev("5#a", "b1", "2#a", nil),
		ev("4#a", "b1", "2#a", nil),
		ev("3#a", "", "", map[string]string{"k": "y"}),
		ev("2#a", "", "", map[string]string{"k": "x"}),
		ev("1#a", "main", "", nil),
	}
	s := &Service{events: &fakeEvents{session: session}}
	yes, no := true, false
	meta := func(key string, op dpapi.OperatorType, v *string) dpapi.EventMetadataFilterExpression {
		x := dpapi.EventMetadataFilterExpression{Left: &dpapi.LeftExpression{MetadataKey: key}, Operator: op}
		if v != nil {
			x.Right = &dpapi.RightExpression{MetadataValue: &dpapi.MetadataValue{StringValue: *v}}
		}
		return x
	}
	x := "x"
	cases := []struct {
		name   string
		filter *dpapi.FilterInput
		want   string
	}{
		{"none", nil, "[7#a 6#a 5#a 4#a 3#a 2#a 1#a]"},
		{"main", &dpapi.FilterInput{Branch: &dpapi.BranchFilter{Name: "main"}}, "[3#a 2#a 1#a]"},
		{"b1 only", &dpapi.FilterInput{Branch: &dpapi.BranchFilter{Name: "b1", IncludeParentBranches: &no}}, "[6#a 5#a 4#a]"},
		{"b1 with parents", &dpapi.FilterInput{Branch: &dpapi.BranchFilter{Name: "b1", IncludeParentBranches: &yes}}, "[6#a 5#a 4#a 2#a 1#a]"},
		{"b2 with parents", &dpapi.FilterInput{Branch: &dpapi.BranchFilter{Name: "b2", IncludeParentBranches: &yes}}, "[7#a 5#a 4#a 2#a 1#a]"},
		{"k = x", &dpapi.FilterInput{EventMetadata: []dpapi.EventMetadataFilterExpression{meta("k", dpapi.OperatorTypeEqualsTo, &x)}}, "[6#a 2#a]"},
		{"k exists on main", &dpapi.FilterInput{Branch: &dpapi.BranchFilter{Name: "main"},
			EventMetadata: []dpapi.EventMetadataFilterExpression{meta("k", dpapi.OperatorTypeExists, nil)}}, "[3#a 2#a]"},
		{"k absent", &dpapi.FilterInput{EventMetadata: []dpapi.EventMetadataFilterExpression{meta("k", dpapi.OperatorTypeNotExists, nil)}}, "[7#a 5#a 4#a 1#a]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keep, err := s.eventFilter(context.Background(), &dpapi.ListEventsInput{Filter: tc.filter})
			if err != nil {
				t.Fatal(err)
			}
			out, _, _ := s.events.ListMemoryEvents(context.Background(), "", "", "", "", 0, keep)
			var ids []string
			for _, e := range out {
				ids = append(ids, e.EventId)
			}
			if got := fmt.Sprint(ids); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestEventFilterAndPayloadErrors(t *testing.T) {
	s := &Service{events: &fakeEvents{}}
	cases := []struct {
		name string
		run  func() error
	}{
		{"EQUALS_TO without right", func() error {
			_, err := s.eventFilter(context.Background(), &dpapi.ListEventsInput{Filter: &dpapi.FilterInput{EventMetadata: []dpapi.EventMetadataFilterExpression{
				{Left: &dpapi.LeftExpression{MetadataKey: "k"}, Operator: dpapi.OperatorTypeEqualsTo}}}})
			return err
		}},
		{"EXISTS with right", func() error {
			_, err := s.eventFilter(context.Background(), &dpapi.ListEventsInput{Filter: &dpapi.FilterInput{EventMetadata: []dpapi.EventMetadataFilterExpression{
				{Left: &dpapi.LeftExpression{MetadataKey: "k"}, Operator: dpapi.OperatorTypeExists, Right: &dpapi.RightExpression{MetadataValue: &dpapi.MetadataValue{}}}}}})
			return err
		}},
		{"payload with both members", func() error {
			return checkPayload(0, dpapi.PayloadType{Conversational: &dpapi.Conversational{Content: &dpapi.Content{Text: "t"}, Role: "USER"}, Blob: []byte(`{}`)})
		}},
		{"payload with neither", func() error { return checkPayload(0, dpapi.PayloadType{}) }},
		{"conversational without role", func() error {
			return checkPayload(0, dpapi.PayloadType{Conversational: &dpapi.Conversational{Content: &dpapi.Content{Text: "t"}}})
		}},
		{"maxResults 101", func() error { n := int64(101); _, err := pageSize(&n); return err }},
		{"maxResults 0", func() error { n := int64(0); _, err := pageSize(&n); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			ae, ok := err.(*awserr.Error)
			if !ok || ae.Code != awserr.CodeValidation {
				t.Errorf("got %v, want ValidationException", err)
			}
		})
	}
	if err := checkPayload(0, dpapi.PayloadType{Blob: []byte(`{"a":1}`)}); err != nil {
		t.Errorf("blob payload: %v", err)
	}
}
