package service

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
)

func TestTriggersOf(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		in   []api.TriggerCondition
		want selfManagedTriggers
	}{
		{"none", nil, selfManagedTriggers{}},
		{"messages", []api.TriggerCondition{{MessageBasedTrigger: &api.MessageBasedTrigger{MessageCount: n(3)}}}, selfManagedTriggers{messages: 3}},
		{"all", []api.TriggerCondition{
			{MessageBasedTrigger: &api.MessageBasedTrigger{MessageCount: n(6)}},
			{TokenBasedTrigger: &api.TokenBasedTrigger{TokenCount: n(100)}},
			{TimeBasedTrigger: &api.TimeBasedTrigger{IdleSessionTimeout: n(20)}},
		}, selfManagedTriggers{messages: 6, tokens: 100, idle: 20 * time.Second}},
		{"unset count", []api.TriggerCondition{{MessageBasedTrigger: &api.MessageBasedTrigger{}}}, selfManagedTriggers{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := triggersOf(&api.SelfManagedConfiguration{TriggerConditions: tc.in}); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMessageStats(t *testing.T) {
	conv := func(text string) dpapi.PayloadType {
		return dpapi.PayloadType{Conversational: &dpapi.Conversational{Role: dpapi.RoleUser, Content: &dpapi.Content{Text: text}}}
	}
	tests := []struct {
		name             string
		payload          []dpapi.PayloadType
		messages, tokens int
	}{
		{"empty", nil, 0, 0},
		{"one", []dpapi.PayloadType{conv("  hello   big\tworld\n")}, 1, 3},
		{"two", []dpapi.PayloadType{conv("a b"), conv("c")}, 2, 3},
		{"blob only", []dpapi.PayloadType{{}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, tok := messageStats(&dpapi.Event{Payload: tc.payload})
			if m != tc.messages || tok != tc.tokens {
				t.Fatalf("got %d messages %d tokens, want %d %d", m, tok, tc.messages, tc.tokens)
			}
		})
	}
}

// TestWriteDeliveryFile: each id is one escaped segment inside the
// delivery directory, whatever "/" or dots it holds.
func TestWriteDeliveryFile(t *testing.T) {
	dir := t.TempDir()
	s := &Service{deliveryDir: dir}
	tests := []struct {
		key  []string
		want string
	}{
		{[]string{"mem", "strat", "actor", "sess", "job.json"}, "b/mem/strat/actor/sess/job.json"},
		{[]string{"mem", "strat", "a/../../x", "sess", "job.json"}, "b/mem/strat/a%2F..%2F..%2Fx/sess/job.json"},
		{[]string{"mem", "..", "", "sess", "job.json"}, "b/mem/%2E%2E/%2E/sess/job.json"},
	}
	for _, tc := range tests {
		path, err := s.writeDeliveryFile("b", tc.key, &SelfManagedPayload{JobID: "j"})
		if err != nil {
			t.Fatal(err)
		}
		if path != filepath.Join(dir, filepath.FromSlash(tc.want)) {
			t.Fatalf("path %s, want %s", path, filepath.Join(dir, tc.want))
		}
		if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"jobId":"j"`) {
			t.Fatalf("file: %v %s", err, b)
		}
	}
}
