package throttle

import (
	"errors"
	"testing"
	"time"

	"agentcored/internal/awserr"
)

// clock is a manual clock: tests move it, nothing sleeps.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestThrottleBucket(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(2, 3)
	l.SetClock(c.now)

	for i := range 3 {
		if !l.Allow("111111111111", "GetAgentRuntime") {
			t.Fatalf("request %d within the burst was throttled", i)
		}
	}
	if l.Allow("111111111111", "GetAgentRuntime") {
		t.Fatal("request past the burst was allowed")
	}
	// Other operations and other accounts have their own buckets.
	if !l.Allow("111111111111", "ListAgentRuntimes") || !l.Allow("222222222222", "GetAgentRuntime") {
		t.Fatal("an untouched bucket throttled")
	}
	// Half a second at 2/s refills one token, not more.
	c.t = c.t.Add(500 * time.Millisecond)
	if !l.Allow("111111111111", "GetAgentRuntime") {
		t.Fatal("refilled token not available")
	}
	if l.Allow("111111111111", "GetAgentRuntime") {
		t.Fatal("more tokens than refilled")
	}
	// A long pause refills up to the burst only.
	c.t = c.t.Add(time.Hour)
	for i := range 3 {
		if !l.Allow("111111111111", "GetAgentRuntime") {
			t.Fatalf("request %d after the pause was throttled", i)
		}
	}
	if l.Allow("111111111111", "GetAgentRuntime") {
		t.Fatal("bucket refilled past its burst")
	}
}

func TestThrottleDefaultsAndCheck(t *testing.T) {
	tests := []struct {
		name        string
		rate        float64
		burst       int
		wantRate    float64
		wantBurst   float64
		unthrottled bool
	}{
		{name: "default", rate: 0, burst: 0, wantRate: DefaultRate, wantBurst: DefaultBurst},
		{name: "default rate, own burst", rate: 0, burst: 5, wantRate: DefaultRate, wantBurst: 5},
		{name: "rate without burst", rate: 10, burst: 0, wantRate: 10, wantBurst: 20},
		{name: "tiny rate", rate: 0.001, burst: 0, wantRate: 0.001, wantBurst: 1},
		{name: "disabled", rate: -1, burst: 0, unthrottled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.rate, tt.burst)
			if tt.unthrottled {
				for range 10_000 {
					if err := l.Check("a", "op"); err != nil {
						t.Fatalf("disabled limiter throttled: %v", err)
					}
				}
				return
			}
			if l.rate != tt.wantRate || l.burst != tt.wantBurst {
				t.Fatalf("rate, burst = %v, %v; want %v, %v", l.rate, l.burst, tt.wantRate, tt.wantBurst)
			}
		})
	}

	l := New(0.001, 1)
	if err := l.Check("a", "op"); err != nil {
		t.Fatalf("first request: %v", err)
	}
	err := l.Check("a", "op")
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != awserr.CodeThrottling || ae.Message != "Rate exceeded" || ae.Status() != 429 {
		t.Fatalf("second request: %v, want 429 ThrottlingException Rate exceeded", err)
	}
}
