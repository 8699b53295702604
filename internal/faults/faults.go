// Package faults holds the fault-injection rules a test installs through the
// admin API: errors and latency before an operation runs, and failures that
// make the resource an operation changes end in its failed status.
package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
)

// Actions.
const (
	// ActionFail makes the resource a matching operation changes end in its
	// *_FAILED status with FailureReason, instead of its end state.
	ActionFail = "fail"
	// ActionError makes a matching operation answer ErrorCode at once.
	ActionError = "error"
	// ActionLatency delays a matching operation by Latency.
	ActionLatency = "latency"
)

// Rule is one fault to inject, chosen by operation name.
type Rule struct {
	ID            string  `json:"id"`
	Operation     string  `json:"operation"`
	Action        string  `json:"action"`
	FailureReason string  `json:"failureReason,omitempty"`
	ErrorCode     string  `json:"errorCode,omitempty"`
	Message       string  `json:"message,omitempty"`
	Probability   float64 `json:"probability,omitempty"` // 0 means always
	Count         int     `json:"count,omitempty"`       // matches left; 0 means unlimited
	LatencyMillis int     `json:"latencyMillis,omitempty"`
}

// Set holds the rules in force. They live in memory: they are a test
// instrument of one process, not state.
type Set struct {
	mu     sync.Mutex
	rules  []*Rule
	nextID int
}

// New makes an empty set of rules.
func New() *Set { return &Set{} }

// Add validates and installs a rule, returning it with its id.
func (f *Set) Add(r Rule) (Rule, error) {
	// Operation names are unique across the two planes.
	control := model.OperationByName(r.Operation) != nil
	if !control && dpmodel.Service.OperationByName(r.Operation) == nil {
		return r, fmt.Errorf("unknown operation %q", r.Operation)
	}
	switch r.Action {
	case ActionFail:
		// Data-plane calls drive no resource through a lifecycle.
		if !control {
			return r, fmt.Errorf("%s is a data-plane operation: it takes error or latency faults, not fail", r.Operation)
		}
		if r.FailureReason == "" {
			r.FailureReason = "Injected failure"
		}
	case ActionError:
		if r.ErrorCode == "" {
			return r, fmt.Errorf("an error fault needs errorCode")
		}
		if r.Message == "" {
			r.Message = "Injected fault"
		}
	case ActionLatency:
		if r.LatencyMillis <= 0 {
			return r, fmt.Errorf("a latency fault needs latencyMillis > 0")
		}
	default:
		return r, fmt.Errorf("unknown action %q (want fail, error or latency)", r.Action)
	}
	if r.Probability < 0 || r.Probability > 1 || r.Count < 0 {
		return r, fmt.Errorf("probability must be within 0..1 and count >= 0")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	r.ID = strconv.Itoa(f.nextID)
	rule := r
	f.rules = append(f.rules, &rule)
	return rule, nil
}

func (f *Set) List() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Rule, len(f.rules))
	for i, r := range f.rules {
		out[i] = *r
	}
	return out
}

// Remove deletes one rule; "" deletes all.
func (f *Set) Remove(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id == "" {
		f.rules = nil
		return true
	}
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i], f.rules[i+1:]...)
			return true
		}
	}
	return false
}

// take consumes one match of the first rule for operation and action.
func (f *Set) take(operation, action string) (Rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.Operation != operation || r.Action != action {
			continue
		}
		if r.Probability > 0 && rand.Float64() >= r.Probability {
			continue
		}
		got := *r
		if r.Count > 0 {
			r.Count--
			if r.Count == 0 {
				f.rules = append(f.rules[:i], f.rules[i+1:]...)
			}
		}
		return got, true
	}
	return Rule{}, false
}

// TakeFailure returns the failure reason to record on a resource the
// operation is changing, if a fail rule matches.
func (f *Set) TakeFailure(operation string) (string, bool) {
	r, ok := f.take(operation, ActionFail)
	return r.FailureReason, ok
}

// Gate applies latency and error rules before an operation runs.
func (f *Set) Gate(ctx context.Context, op *model.Operation) error {
	if r, ok := f.take(op.Name, ActionLatency); ok {
		t := time.NewTimer(time.Duration(r.LatencyMillis) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if r, ok := f.take(op.Name, ActionError); ok {
		return awserr.Errorf(r.ErrorCode, "%s", r.Message)
	}
	return nil
}
