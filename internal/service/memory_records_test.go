package service

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

func conv(role dpapi.Role, text string) dpapi.Event {
	return dpapi.Event{Payload: []dpapi.PayloadType{{Conversational: &dpapi.Conversational{Role: role, Content: &dpapi.Content{Text: text}}}}}
}

func TestBuiltinExtractor(t *testing.T) {
	events := []dpapi.Event{
		conv(dpapi.RoleUser, "  I prefer   window seats. My favorite city is Porto!"),
		conv(dpapi.RoleAssistant, "Noted, window seats."),
		conv(dpapi.RoleTool, "lookup result"),
		conv(dpapi.RoleUser, "Honestly, i don't like red-eye flights; book Tuesday."),
		{Payload: []dpapi.PayloadType{{Blob: []byte(`"blob"`)}}},
	}
	custom := func(o api.OverrideType) api.MemoryStrategy {
		return api.MemoryStrategy{Type: api.MemoryStrategyTypeCustom, Configuration: &api.StrategyConfiguration{Type: o}}
	}
	cases := []struct {
		name  string
		strat api.MemoryStrategy
		want  []string
	}{
		{"semantic", api.MemoryStrategy{Type: api.MemoryStrategyTypeSemantic},
			[]string{"I prefer window seats. My favorite city is Porto!", "Noted, window seats.", "Honestly, i don't like red-eye flights; book Tuesday."}},
		{"user preference", api.MemoryStrategy{Type: api.MemoryStrategyTypeUserPreference},
			[]string{"The user prefers window seats.", "The user's favorite city is Porto.", "The user does not like red-eye flights."}},
		{"summary", api.MemoryStrategy{Type: api.MemoryStrategyTypeSummarization},
			[]string{"Session summary: USER: I prefer window seats. My favorite city is Porto! ASSISTANT: Noted, window seats. TOOL: lookup result USER: Honestly, i don't like red-eye flights; book Tuesday."}},
		{"episodic", api.MemoryStrategy{Type: api.MemoryStrategyTypeEpisodic},
			[]string{"Episode of a1 in session s1, 4 turns. The user asked: I prefer window seats. My favorite city is Porto!. Outcome: Noted, window seats."}},
		{"custom semantic override", custom(api.OverrideTypeSemanticOverride), []string{"I prefer window seats. My favorite city is Porto!", "Noted, window seats.", "Honestly, i don't like red-eye flights; book Tuesday."}},
		{"self-managed", custom(api.OverrideTypeSelfManaged), nil},
	}
	for _, tc := range cases {
		out, err := builtinExtractor{}.Extract(context.Background(), ExtractionInput{Strategy: tc.strat, ActorID: "a1", SessionID: "s1",
			Events: events, SessionEvents: events})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, r := range out {
			got = append(got, r.Text)
			if r.Session != sessionLevel(strategyKind(tc.strat)) {
				t.Errorf("%s: Session = %v", tc.name, r.Session)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestResolveNamespaceAndPath(t *testing.T) {
	if got := resolveNamespace("/s/{memoryStrategyId}/{strategyId}/a/{actorId}/s/{sessionId}", "st1", "u1", "c1"); got != "/s/st1/st1/a/u1/s/c1" {
		t.Errorf("resolveNamespace = %q", got)
	}
	cases := []struct {
		ns, path string
		want     bool
	}{
		{"/a/b", "/a", true}, {"/a/b", "/a/", true}, {"/a/b", "/a/b", true}, {"/a/bc", "/a/b", false}, {"/a", "/a/b", false},
	}
	for _, c := range cases {
		if got := underPath(c.ns, c.path); got != c.want {
			t.Errorf("underPath(%q, %q) = %v", c.ns, c.path, got)
		}
	}
}

// flakyExtractor fails while failing is set.
type flakyExtractor struct{ failing atomic.Bool }

func (f *flakyExtractor) Extract(ctx context.Context, in ExtractionInput) ([]ExtractedRecord, error) {
	if f.failing.Load() {
		return nil, errors.New("model endpoint unavailable")
	}
	return builtinExtractor{}.Extract(ctx, in)
}

// TestExtractionFailureAndRestart: an extractor's failure leaves a FAILED
// job (the event itself is stored); StartMemoryExtractionJob re-runs it
// and the job goes once it succeeds.
func TestExtractionFailureAndRestart(t *testing.T) {
	ctx := reqctx.With(context.Background(), &reqctx.Info{Account: "123456789012", Region: "us-east-1"})
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	x := &flakyExtractor{}
	svc, err := New(ctx, st, Options{Extractor: x})
	if err != nil {
		t.Fatal(err)
	}
	mem, err := svc.CreateMemory(ctx, &api.CreateMemoryInput{Name: "flaky", EventExpiryDuration: ptrTo[int64](30),
		MemoryStrategies: []api.MemoryStrategyInput{{SemanticMemoryStrategy: &api.SemanticMemoryStrategyInput{Name: "facts", Namespaces: []string{"/f/{actorId}"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := mem.Memory.Id
	x.failing.Store(true)
	ev := conv(dpapi.RoleUser, "The user keeps bees.")
	ev.MemoryId, ev.ActorId, ev.SessionId, ev.EventTimestamp = id, "u1", "s1", api.NewEpochTime(time.Now())
	if _, err := svc.CreateMemoryEvent(ctx, ev); err != nil {
		t.Fatalf("CreateMemoryEvent with a failing extractor: %v", err)
	}
	jobs, _, err := svc.ListMemoryExtractionJobs(ctx, id, ExtractionJobFilter{}, "", 10)
	if err != nil || len(jobs) != 1 || jobs[0].Status != dpapi.ExtractionJobStatusFailed || jobs[0].FailureReason != "model endpoint unavailable" ||
		jobs[0].ActorId != "u1" || jobs[0].SessionId != "s1" || len(jobs[0].Messages.MessagesList) != 1 {
		t.Fatalf("jobs after a failure: %v %+v", err, jobs)
	}
	if other, _, _ := svc.ListMemoryExtractionJobs(ctx, id, ExtractionJobFilter{ActorID: "u2"}, "", 10); len(other) != 0 {
		t.Errorf("filter by another actor: %+v", other)
	}
	// Still failing: the job stays.
	if err := svc.StartMemoryExtractionJob(ctx, id, jobs[0].JobID); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := svc.ListMemoryExtractionJobs(ctx, id, ExtractionJobFilter{}, "", 10); len(again) != 1 {
		t.Fatalf("jobs after a failed restart: %+v", again)
	}
	x.failing.Store(false)
	if err := svc.StartMemoryExtractionJob(ctx, id, jobs[0].JobID); err != nil {
		t.Fatal(err)
	}
	if left, _, _ := svc.ListMemoryExtractionJobs(ctx, id, ExtractionJobFilter{}, "", 10); len(left) != 0 {
		t.Fatalf("jobs after a successful restart: %+v", left)
	}
	recs, _, err := svc.ListMemoryRecords(ctx, RecordQuery{MemoryID: id, Namespace: "/f/u1"}, "", 10)
	if err != nil || len(recs) != 1 || recs[0].Content.Text != "The user keeps bees." {
		t.Fatalf("records after the restart: %v %+v", err, recs)
	}
	if err := svc.StartMemoryExtractionJob(ctx, id, jobs[0].JobID); !isNotFound(err) {
		t.Errorf("restart of a finished job: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }
