// Package lifecycle advances resources through their transitional statuses
// (CREATING, UPDATING, DELETING, ...): jobs live in the store, so they
// survive a restart and any instance can claim them; each resource kind
// registers the reconciler that ends its transitions.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"agentcored/internal/store"
)

// Policy says when a resource in a transitional status (CREATING, UPDATING,
// DELETING) reaches its end state.
type Policy string

const (
	// PolicyImmediate: the transition completes in the same transaction as
	// the request, so the next read sees the end state (what moto-style
	// test suites expect); the response still reports the transitional status.
	PolicyImmediate Policy = "immediate"
	// PolicyTimed: the transition completes after a delay, run by the
	// background engine, so SDK waiters and polling code behave as on AWS.
	PolicyTimed Policy = "timed"
	// PolicyManual: the transition waits for an explicit Advance.
	PolicyManual Policy = "manual"
)

func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicyImmediate, PolicyTimed, PolicyManual:
		return p, nil
	}
	return "", fmt.Errorf("unknown lifecycle policy %q (want immediate, timed or manual)", s)
}

// Reconciler moves one resource of its kind towards its end state, inside
// the transaction it is given. It is level-triggered: it looks at the
// resource's status, not at what happened, so running it twice is harmless.
type Reconciler func(ctx context.Context, tx store.Tx, r *store.Resource, now time.Time) error

// PolicySetting is a policy with its delay (timed only).
type PolicySetting struct {
	Policy Policy        `json:"policy"`
	Delay  time.Duration `json:"-"`
}

// An Engine advances transitional states, like a
// controller reconciling towards the desired state. Jobs live in the store,
// so they survive a restart and can be claimed by any instance.
type Engine struct {
	store store.Store
	now   func() time.Time

	mu          sync.Mutex
	defaults    PolicySetting
	families    map[string]PolicySetting // overrides by family name
	familyOf    map[string]string        // kind -> family
	reconcilers map[string]Reconciler

	wake chan struct{}

	// Jobs completed and jobs whose reconciler failed, since start (metrics).
	jobsRun, jobsFailed atomic.Uint64
}

// New makes an engine whose default policy is policy (delay: timed only).
func New(st store.Store, policy Policy, delay time.Duration) *Engine {
	return &Engine{
		store:       st,
		now:         time.Now,
		defaults:    PolicySetting{Policy: policy, Delay: delay},
		families:    map[string]PolicySetting{},
		familyOf:    map[string]string{},
		reconcilers: map[string]Reconciler{},
		wake:        make(chan struct{}, 1),
	}
}

// SetClock makes the engine read time from now (the service's clock, so
// that tests can move it).
func (e *Engine) SetClock(now func() time.Time) { e.now = now }

// Register adds the reconciler of a kind, which belongs to a family (the
// unit whose policy can be changed, e.g. "runtimes").
func (e *Engine) Register(family, kind string, fn Reconciler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.familyOf[kind] = family
	e.reconcilers[kind] = fn
}

// Families lists every registered family with its policy in force.
func (e *Engine) Families() map[string]PolicySetting {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]PolicySetting{}
	for _, f := range e.familyOf {
		out[f] = e.settingLocked(f)
	}
	return out
}

// SetPolicy changes one family's policy ("" changes the default of all).
func (e *Engine) SetPolicy(family string, p PolicySetting) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if family == "" {
		e.defaults = p
		e.families = map[string]PolicySetting{}
		return nil
	}
	known := false
	for _, f := range e.familyOf {
		known = known || f == family
	}
	if !known {
		return fmt.Errorf("unknown family %q", family)
	}
	e.families[family] = p
	return nil
}

func (e *Engine) settingLocked(family string) PolicySetting {
	if p, ok := e.families[family]; ok {
		return p
	}
	return e.defaults
}

func (e *Engine) setting(kind string) (PolicySetting, Reconciler) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settingLocked(e.familyOf[kind]), e.reconcilers[kind]
}

// ReconcilerOf returns the reconciler registered for kind (nil if none).
func (e *Engine) ReconcilerOf(kind string) Reconciler {
	_, fn := e.setting(kind)
	return fn
}

// Immediate reports whether transitions of kind complete inside the
// request's own transaction (the immediate policy).
func (e *Engine) Immediate(kind string) bool {
	set, _ := e.setting(kind)
	return set.Policy != PolicyTimed && set.Policy != PolicyManual
}

// Schedule is called, inside the request's transaction, for a resource that
// has just entered a transitional status.
func (e *Engine) Schedule(ctx context.Context, tx store.Tx, r *store.Resource) error {
	set, fn := e.setting(r.Kind)
	if fn == nil {
		return fmt.Errorf("lifecycle: no reconciler for kind %q", r.Kind)
	}
	job := &store.Job{Account: r.Account, Region: r.Region, Kind: r.Kind, ResourceID: r.ID}
	switch set.Policy {
	case PolicyTimed:
		job.DueAt = e.now().Add(set.Delay)
		if err := tx.PutJob(ctx, job); err != nil {
			return err
		}
		e.poke()
		return nil
	case PolicyManual:
		return tx.PutJob(ctx, job) // zero DueAt: waits for Advance
	default:
		return fn(ctx, tx, r, e.now())
	}
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Advance completes the pending transition of one resource now, whatever
// the policy. It reports whether there was one.
func (e *Engine) Advance(ctx context.Context, key store.Key) (bool, error) {
	advanced := false
	err := e.store.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.GetJob(ctx, key); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		advanced = true
		return e.runLocked(ctx, tx, key)
	})
	e.count(advanced, err)
	return advanced, err
}

// AdvanceAll completes every transition pending now (of one account, or of
// all when account is ""), whatever the policy, and returns how many ran.
// Jobs that the reconcilers schedule meanwhile wait for the next call.
func (e *Engine) AdvanceAll(ctx context.Context, account string) (int, error) {
	jobs, err := e.PendingJobs(ctx)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, j := range jobs {
		if account != "" && j.Account != account {
			continue
		}
		ok, err := e.Advance(ctx, j.Key())
		if err != nil {
			return ran, fmt.Errorf("advance %s %s: %w", j.Kind, j.ResourceID, err)
		}
		if ok {
			ran++
		}
	}
	return ran, nil
}

// PendingJobs lists every job waiting in the store, timed and manual.
func (e *Engine) PendingJobs(ctx context.Context) ([]store.Job, error) {
	var jobs []store.Job
	err := e.store.Read(ctx, func(tx store.Tx) error {
		var err error
		jobs, err = tx.ListJobs(ctx)
		return err
	})
	return jobs, err
}

// Stats reports how many jobs this process completed and how many failed.
func (e *Engine) Stats() (run, failed uint64) {
	return e.jobsRun.Load(), e.jobsFailed.Load()
}

func (e *Engine) count(ran bool, err error) {
	switch {
	case err != nil:
		e.jobsFailed.Add(1)
	case ran:
		e.jobsRun.Add(1)
	}
}

// runLocked reconciles one resource whose job is held by the caller.
func (e *Engine) runLocked(ctx context.Context, tx store.Tx, key store.Key) error {
	if err := tx.DeleteJob(ctx, key); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	r, err := tx.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil // gone already: nothing to do
	}
	if err != nil {
		return err
	}
	_, fn := e.setting(key.Kind)
	if fn == nil {
		return fmt.Errorf("lifecycle: no reconciler for kind %q", key.Kind)
	}
	return fn(ctx, tx, r, e.now())
}

// RunDue runs every job that is due now and returns how many it ran.
func (e *Engine) RunDue(ctx context.Context) (int, error) {
	jobs, err := e.store.DueJobs(ctx, e.now(), 64, 30*time.Second)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, j := range jobs {
		key := j.Key()
		did := false
		err := e.store.Write(ctx, func(tx store.Tx) error {
			// The job may have been replaced (a newer transition) or run by
			// Advance meanwhile; only run the one we leased.
			cur, err := tx.GetJob(ctx, key)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if !cur.DueAt.Equal(j.DueAt) {
				return nil
			}
			did = true
			return e.runLocked(ctx, tx, key)
		})
		e.count(did, err)
		if err != nil {
			slog.Error("lifecycle job failed", "kind", key.Kind, "id", key.ID, "error", err)
			continue
		}
		ran++
	}
	return ran, nil
}

// Run advances timed jobs until ctx ends. It sleeps until a job can next be
// claimed (due, and not leased by a run here or on another instance), for
// at most a second so that jobs other instances schedule are seen, or until
// Schedule pokes it.
func (e *Engine) Run(ctx context.Context) {
	for {
		if _, err := e.RunDue(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("lifecycle: cannot read jobs", "error", err)
		}
		wait := time.Second
		if next, err := e.store.NextDue(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(e.now()); d < wait {
				wait = max(d, 5*time.Millisecond)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-e.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}
