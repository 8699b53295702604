// Package throttle limits the request rate of each account per operation
// with token buckets, as AWS does ("Rate exceeded").
package throttle

import (
	"sync"
	"time"

	"agentcored/internal/awserr"
)

// Built-in defaults, generous enough that only a runaway client notices.
const (
	DefaultRate  = 1000 // requests per second per operation per account
	DefaultBurst = 2000
)

// Limiter holds one token bucket per (account, operation). Buckets are
// created on first use; their number is bounded by the accounts the server
// knows times the operations of the model.
type Limiter struct {
	rate  float64 // tokens per second; < 0 disables the limiter
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[key]*bucket
}

type key struct{ account, operation string }

type bucket struct {
	tokens float64
	last   time.Time
}

// New builds a limiter. rate 0 means DefaultRate (and DefaultBurst unless
// burst is given); a negative rate disables throttling; burst 0 with an
// explicit rate means twice the rate, at least 1.
func New(rate float64, burst int) *Limiter {
	l := &Limiter{rate: rate, burst: float64(burst), now: time.Now, buckets: map[key]*bucket{}}
	if rate == 0 {
		l.rate = DefaultRate
		if burst <= 0 {
			l.burst = DefaultBurst
		}
	}
	if l.burst <= 0 {
		l.burst = max(1, 2*l.rate)
	}
	return l
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// Allow takes one token from the bucket of (account, operation) and
// reports whether there was one.
func (l *Limiter) Allow(account, operation string) bool {
	if l.rate < 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := key{account, operation}
	b, ok := l.buckets[k]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[k] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Check is Allow as an API error: 429 ThrottlingException "Rate exceeded"
// (renamed ThrottledException by the error writer for Memory operations).
func (l *Limiter) Check(account, operation string) error {
	if l.Allow(account, operation) {
		return nil
	}
	return awserr.Errorf(awserr.CodeThrottling, "Rate exceeded")
}
