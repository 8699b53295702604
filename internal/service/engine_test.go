package service

import (
	"context"
	"errors"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/faults"
	"agentcored/internal/lifecycle"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

// The widget family is a plain asynchronous family declared the way a
// family file declares one: its record, its description, and operations
// that are one engine call each. The tests below drive it through every
// status the engine owns.

type widgetRecord struct {
	WidgetId, WidgetArn, Name, Description string
	Status, FailureReason                  string
	CreatedAt, LastUpdatedAt               api.DateTime
	PendingFailure                         string `json:"pendingFailure,omitempty"`
}

type (
	createWidgetRequest struct {
		Name, Description string
		Tags              map[string]string
	}
	updateWidgetRequest struct{ Description *api.UpdatedDescription }
	widgetAnswer        struct{ WidgetId, Status string }
	widgetSummary       struct{ WidgetId, Name, Status string }
)

var widgets = &family[widgetRecord]{
	kind: "widget", group: "widgets", noun: "widget", arnPath: "widget/",
	fields: fields{ID: "WidgetId", ARN: "WidgetArn", Status: "Status", Reason: "FailureReason", Created: "CreatedAt", Updated: "LastUpdatedAt"},
	states: asyncStates, quota: func(Quotas) int { return 3 }, listLimit: 2,
}

// testService is a service on a fresh SQLite store under the lifecycle
// policy given, closed when the test ends.
func testService(t *testing.T, policy lifecycle.Policy) (*Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := New(ctx, st, Options{Lifecycle: lifecycle.New(st, policy, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

// widgetService is a service whose transitions wait for an explicit
// Advance, with the widget family registered.
func widgetService(t *testing.T) (*Service, store.Store) {
	t.Helper()
	s, st := testService(t, lifecycle.PolicyManual)
	widgets.register(s)
	return s, st
}

// call is a request context for operation op (a real operation name, so
// that fault rules and clientToken records apply to it).
func call(op, token string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Account: "123456789012", Region: "us-east-1",
		Operation: op, ClientToken: token, RequestHash: "h"})
}

func widgetStatus(t *testing.T, s *Service, id string) string {
	t.Helper()
	w, err := get[widgetRecord](call("GetBrowser", ""), s, widgets, "", id)
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == awserr.CodeNotFound {
		return "gone"
	}
	if err != nil {
		t.Fatal(err)
	}
	return w.Status + " " + w.FailureReason
}

func advance(t *testing.T, s *Service, id string) { advanceRow(t, s, "widget", id) }

// advanceRow ends the pending transition of row kind/id of the test
// account and region.
func advanceRow(t *testing.T, s *Service, kind, id string) {
	t.Helper()
	key := store.Key{Account: "123456789012", Region: "us-east-1", Kind: kind, ID: id}
	if _, err := s.lifecycle.Advance(context.Background(), key); err != nil {
		t.Fatal(err)
	}
}

// failNext makes the next change of each operation fail with reason.
func failNext(t *testing.T, s *Service, reason string, ops ...string) {
	t.Helper()
	for _, op := range ops {
		if _, err := s.faults.Add(faults.Rule{Operation: op, Action: faults.ActionFail, FailureReason: reason, Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFamilyLifecycle(t *testing.T) {
	tests := []struct {
		name string
		fail string // operation an injected fault makes fail
		want []string
	}{
		{"plain", "", []string{"CREATING ", "READY ", "UPDATING ", "READY ", "DELETING ", "gone"}},
		{"create fails", "CreateBrowser", []string{"CREATING ", "CREATE_FAILED boom"}},
		{"update fails", "UpdateHarness", []string{"CREATING ", "READY ", "UPDATING ", "UPDATE_FAILED boom", "DELETING ", "gone"}},
		{"delete fails", "DeleteBrowser", []string{"CREATING ", "READY ", "UPDATING ", "READY ", "DELETING ", "DELETE_FAILED boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := widgetService(t)
			if tt.fail != "" {
				failNext(t, s, "boom", tt.fail)
			}
			var got []string
			step := func(id string) {
				got = append(got, widgetStatus(t, s, id))
				advance(t, s, id)
				// Level-triggered: a second run changes nothing.
				advance(t, s, id)
				got = append(got, widgetStatus(t, s, id))
			}
			w, err := create[widgetAnswer](call("CreateBrowser", ""), s, widgets,
				creation{name: "w1", from: &createWidgetRequest{Name: "w1", Description: "first"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			step(w.WidgetId)
			if got[len(got)-1] == "READY " {
				_, err := update[widgetAnswer](call("UpdateHarness", ""), s, widgets, "", w.WidgetId,
					&updateWidgetRequest{Description: &api.UpdatedDescription{OptionalValue: "second"}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				step(w.WidgetId)
				if _, err := remove[widgetAnswer](call("DeleteBrowser", ""), s, widgets, "", w.WidgetId); err != nil {
					t.Fatal(err)
				}
				got = append(got, widgetStatus(t, s, w.WidgetId))
				advance(t, s, w.WidgetId)
				got = append(got, widgetStatus(t, s, w.WidgetId))
			}
			if want := compact(tt.want); !equal(compact(got), want) {
				t.Errorf("statuses %q, want %q", compact(got), want)
			}
		})
	}
}

// compact drops repeats, so that a step that stayed put reads once.
func compact(list []string) []string {
	var out []string
	for _, v := range list {
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFamilyRules(t *testing.T) {
	s, _ := widgetService(t)
	newWidget := func(name, token string) (*widgetAnswer, error) {
		return create[widgetAnswer](call("CreateBrowser", token), s, widgets,
			creation{name: name, from: &createWidgetRequest{Name: name}}, nil)
	}
	code := func(err error) string {
		var ae *awserr.Error
		if errors.As(err, &ae) {
			return ae.Code
		}
		return ""
	}
	first, err := newWidget("a", "token-1")
	if err != nil {
		t.Fatal(err)
	}
	// A retry with the same token replays the first answer.
	_, err = newWidget("a", "token-1")
	var replay *reqctx.Replay
	if !errors.As(err, &replay) {
		t.Fatalf("retry: %v, want a replay", err)
	}
	if _, err := newWidget("a", ""); code(err) != awserr.CodeConflict {
		t.Errorf("same name: %v, want ConflictException", err)
	}
	if _, err := update[widgetAnswer](call("UpdateHarness", ""), s, widgets, "", first.WidgetId, &updateWidgetRequest{}, nil); code(err) != awserr.CodeConflict {
		t.Errorf("update while CREATING: %v, want ConflictException", err)
	}
	for _, name := range []string{"b", "c"} {
		if _, err := newWidget(name, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newWidget("d", ""); code(err) != awserr.CodeQuota {
		t.Errorf("fourth widget: %v, want ServiceQuotaExceededException", err)
	}
	// Listing: creation order, two a page, then the last one.
	var names []string
	token := ""
	for {
		items, next, err := list[widgetSummary](call("ListBrowsers", ""), s, widgets, listing[widgetRecord]{nextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			names = append(names, it.Name)
		}
		if token = next; token == "" {
			break
		}
	}
	if !equal(names, []string{"a", "b", "c"}) {
		t.Errorf("listed %q, want a, b, c", names)
	}
}
