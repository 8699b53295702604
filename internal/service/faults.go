package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
)

// Fault actions.
const (
	// FaultFail makes the resource a matching operation changes end in its
	// *_FAILED status with FailureReason, instead of its end state.
	FaultFail = "fail"
	// FaultError makes a matching operation answer ErrorCode at once.
	FaultError = "error"
	// FaultLatency delays a matching operation by Latency.
	FaultLatency = "latency"
)

// FaultRule is one fault to inject, chosen by operation name.
type FaultRule struct {
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

// Faults holds the rules in force. They live in memory: they are a test
// instrument of one process, not state.
type Faults struct {
	mu     sync.Mutex
	rules  []*FaultRule
	nextID int
}

func NewFaults() *Faults { return &Faults{} }

// Add validates and installs a rule, returning it with its id.
func (f *Faults) Add(r FaultRule) (FaultRule, error) {
	if model.OperationByName(r.Operation) == nil {
		return r, fmt.Errorf("unknown operation %q", r.Operation)
	}
	switch r.Action {
	case FaultFail:
		if r.FailureReason == "" {
			r.FailureReason = "Injected failure"
		}
	case FaultError:
		if r.ErrorCode == "" {
			return r, fmt.Errorf("an error fault needs errorCode")
		}
		if r.Message == "" {
			r.Message = "Injected fault"
		}
	case FaultLatency:
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

func (f *Faults) List() []FaultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FaultRule, len(f.rules))
	for i, r := range f.rules {
		out[i] = *r
	}
	return out
}

// Remove deletes one rule; "" deletes all.
func (f *Faults) Remove(id string) bool {
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
func (f *Faults) take(operation, action string) (FaultRule, bool) {
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
	return FaultRule{}, false
}

// TakeFailure returns the failure reason to record on a resource the
// operation is changing, if a fail rule matches.
func (f *Faults) TakeFailure(operation string) (string, bool) {
	r, ok := f.take(operation, FaultFail)
	return r.FailureReason, ok
}

// Gate applies latency and error rules before an operation runs.
func (f *Faults) Gate(ctx context.Context, op *model.Operation) error {
	if r, ok := f.take(op.Name, FaultLatency); ok {
		t := time.NewTimer(time.Duration(r.LatencyMillis) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if r, ok := f.take(op.Name, FaultError); ok {
		return awserr.Errorf(r.ErrorCode, "%s", r.Message)
	}
	return nil
}

// injectedFailure consumes a matching "fail" rule at most once per request
// and returns its failure reason ("" when none matches). Families call it
// inside their write transaction, which the store may run more than once.
func (s *Service) injectedFailure(ctx context.Context, operation string) string {
	return reqctx.From(ctx).Once("fault:"+operation, func() string {
		reason, _ := s.faults.TakeFailure(operation)
		return reason
	})
}
