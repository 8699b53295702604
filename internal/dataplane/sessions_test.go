package dataplane

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/service"
)

// fakeClock is the sessions' clock in tests: time moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func lifecycleTarget(idle, maxLife int64) *service.RuntimeTarget {
	t := &service.RuntimeTarget{RuntimeID: "r-1", RuntimeARN: "arn:r-1", Version: "1", Endpoint: "DEFAULT"}
	if idle > 0 || maxLife > 0 {
		t.Config.LifecycleConfiguration = &api.LifecycleConfiguration{}
		if idle > 0 {
			t.Config.LifecycleConfiguration.IdleRuntimeSessionTimeout = &idle
		}
		if maxLife > 0 {
			t.Config.LifecycleConfiguration.MaxLifetime = &maxLife
		}
	}
	return t
}

// pingServer answers /ping with HealthyBusy while busy is set.
func pingServer(t *testing.T, busy *atomic.Bool) *url.URL {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if busy.Load() {
			w.Write([]byte(`{"status":"HealthyBusy"}`))
			return
		}
		w.Write([]byte(`{"status":"Healthy"}`))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func TestSessionLifetimes(t *testing.T) {
	ss := newSessions(nil, 0.01, nil)
	for _, c := range []struct {
		idle, maxLife         int64
		wantIdle, wantMaxLife time.Duration
	}{
		{0, 0, 9 * time.Second, 288 * time.Second}, // defaults 900 s and 28800 s, scaled
		{60, 120, 600 * time.Millisecond, 1200 * time.Millisecond},
	} {
		idle, maxLife := ss.lifetimes(lifecycleTarget(c.idle, c.maxLife))
		if idle != c.wantIdle || maxLife != c.wantMaxLife {
			t.Errorf("lifecycle %d/%d: idle %v max %v, want %v %v", c.idle, c.maxLife, idle, maxLife, c.wantIdle, c.wantMaxLife)
		}
	}
}

func TestSessionReaper(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	var busy atomic.Bool
	agent := &agentTarget{url: pingServer(t, &busy), source: "test"}
	ss := newSessions(clock.Now, 1, http.DefaultClient)
	ctx := context.Background()
	target := lifecycleTarget(60, 300)
	key := func(id string) sessionKey { return sessionKey{ARN: "arn:r-1", Version: "1", Session: id} }
	live := func(id string) bool {
		ss.mu.Lock()
		defer ss.mu.Unlock()
		_, ok := ss.m[key(id)]
		return ok
	}

	// Idle: reaped once 60 s pass without a call, not before.
	s, id, _, err := ss.acquire(ctx, key("idle"), agent, target)
	if err != nil {
		t.Fatal(err)
	}
	ss.release(s, id)
	clock.advance(59 * time.Second)
	ss.reap(ctx)
	if !live("idle") {
		t.Fatalf("reaped before its idle timeout")
	}
	// A call resets the idle clock; the same session is found again.
	s2, id, _, _ := ss.acquire(ctx, key("idle"), agent, target)
	if s2 != s {
		t.Fatalf("a second call got another session")
	}
	ss.release(s2, id)
	clock.advance(59 * time.Second)
	ss.reap(ctx)
	if !live("idle") {
		t.Fatalf("a used session was reaped")
	}
	clock.advance(2 * time.Second)
	ss.reap(ctx)
	if live("idle") {
		t.Fatalf("not reaped after its idle timeout")
	}

	// A call in flight is never idle, but maxLifetime ends it and cuts
	// the call.
	s, _, callCtx, _ := ss.acquire(ctx, key("long"), agent, target)
	clock.advance(200 * time.Second)
	ss.reap(ctx)
	if !live("long") || callCtx.Err() != nil {
		t.Fatalf("a session with a call in flight was reaped as idle")
	}
	clock.advance(100 * time.Second)
	ss.reap(ctx)
	if live("long") || callCtx.Err() == nil {
		t.Fatalf("maxLifetime: live %v, call %v", live("long"), callCtx.Err())
	}

	// HealthyBusy keeps an idle session alive; Healthy lets it go.
	s, id, _, _ = ss.acquire(ctx, key("busy"), agent, target)
	ss.release(s, id)
	busy.Store(true)
	clock.advance(61 * time.Second)
	ss.reap(ctx)
	if !live("busy") {
		t.Fatalf("a HealthyBusy session was reaped as idle")
	}
	busy.Store(false)
	clock.advance(61 * time.Second)
	ss.reap(ctx)
	if live("busy") {
		t.Fatalf("not reaped once Healthy again")
	}

	// stopKey ends a session at once; an unknown one is reported.
	_, _, callCtx, _ = ss.acquire(ctx, key("stop"), agent, target)
	if !ss.stopKey(key("stop")) || callCtx.Err() == nil || live("stop") {
		t.Fatalf("stopKey did not end the session")
	}
	if ss.stopKey(key("stop")) {
		t.Fatalf("stopKey of an ended session reported true")
	}
	if got := len(ss.list()); got != 0 {
		t.Errorf("%d sessions left", got)
	}
}
