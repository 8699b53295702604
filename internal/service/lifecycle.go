package service

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

// Lifecycle is the engine that advances transitional states, like a
// controller reconciling towards the desired state. Jobs live in the store,
// so they survive a restart and can be claimed by any instance.
type Lifecycle struct {
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

func NewLifecycle(st store.Store, policy Policy, delay time.Duration) *Lifecycle {
	return &Lifecycle{
		store:       st,
		now:         time.Now,
		defaults:    PolicySetting{Policy: policy, Delay: delay},
		families:    map[string]PolicySetting{},
		familyOf:    map[string]string{},
		reconcilers: map[string]Reconciler{},
		wake:        make(chan struct{}, 1),
	}
}

// Register adds the reconciler of a kind, which belongs to a family (the
// unit whose policy can be changed, e.g. "runtimes").
func (l *Lifecycle) Register(family, kind string, fn Reconciler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.familyOf[kind] = family
	l.reconcilers[kind] = fn
}

// Families lists every registered family with its policy in force.
func (l *Lifecycle) Families() map[string]PolicySetting {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]PolicySetting{}
	for _, f := range l.familyOf {
		out[f] = l.settingLocked(f)
	}
	return out
}

// SetPolicy changes one family's policy ("" changes the default of all).
func (l *Lifecycle) SetPolicy(family string, p PolicySetting) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if family == "" {
		l.defaults = p
		l.families = map[string]PolicySetting{}
		return nil
	}
	known := false
	for _, f := range l.familyOf {
		known = known || f == family
	}
	if !known {
		return fmt.Errorf("unknown family %q", family)
	}
	l.families[family] = p
	return nil
}

func (l *Lifecycle) settingLocked(family string) PolicySetting {
	if p, ok := l.families[family]; ok {
		return p
	}
	return l.defaults
}

func (l *Lifecycle) setting(kind string) (PolicySetting, Reconciler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settingLocked(l.familyOf[kind]), l.reconcilers[kind]
}

// Immediate reports whether transitions of kind complete inside the
// request's own transaction (the immediate policy).
func (l *Lifecycle) Immediate(kind string) bool {
	set, _ := l.setting(kind)
	return set.Policy != PolicyTimed && set.Policy != PolicyManual
}

// Schedule is called, inside the request's transaction, for a resource that
// has just entered a transitional status.
func (l *Lifecycle) Schedule(ctx context.Context, tx store.Tx, r *store.Resource) error {
	set, fn := l.setting(r.Kind)
	if fn == nil {
		return fmt.Errorf("lifecycle: no reconciler for kind %q", r.Kind)
	}
	job := &store.Job{Account: r.Account, Region: r.Region, Kind: r.Kind, ResourceID: r.ID}
	switch set.Policy {
	case PolicyTimed:
		job.DueAt = l.now().Add(set.Delay)
		if err := tx.PutJob(ctx, job); err != nil {
			return err
		}
		l.poke()
		return nil
	case PolicyManual:
		return tx.PutJob(ctx, job) // zero DueAt: waits for Advance
	default:
		return fn(ctx, tx, r, l.now())
	}
}

func (l *Lifecycle) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Advance completes the pending transition of one resource now, whatever
// the policy. It reports whether there was one.
func (l *Lifecycle) Advance(ctx context.Context, key store.Key) (bool, error) {
	advanced := false
	err := l.store.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.GetJob(ctx, key); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}
		advanced = true
		return l.runLocked(ctx, tx, key)
	})
	l.count(advanced, err)
	return advanced, err
}

// AdvanceAll completes every transition pending now (of one account, or of
// all when account is ""), whatever the policy, and returns how many ran.
// Jobs that the reconcilers schedule meanwhile wait for the next call.
func (l *Lifecycle) AdvanceAll(ctx context.Context, account string) (int, error) {
	jobs, err := l.PendingJobs(ctx)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, j := range jobs {
		if account != "" && j.Account != account {
			continue
		}
		ok, err := l.Advance(ctx, j.Key())
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
func (l *Lifecycle) PendingJobs(ctx context.Context) ([]store.Job, error) {
	var jobs []store.Job
	err := l.store.Read(ctx, func(tx store.Tx) error {
		var err error
		jobs, err = tx.ListJobs(ctx)
		return err
	})
	return jobs, err
}

// Stats reports how many jobs this process completed and how many failed.
func (l *Lifecycle) Stats() (run, failed uint64) {
	return l.jobsRun.Load(), l.jobsFailed.Load()
}

func (l *Lifecycle) count(ran bool, err error) {
	switch {
	case err != nil:
		l.jobsFailed.Add(1)
	case ran:
		l.jobsRun.Add(1)
	}
}

// runLocked reconciles one resource whose job is held by the caller.
func (l *Lifecycle) runLocked(ctx context.Context, tx store.Tx, key store.Key) error {
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
	_, fn := l.setting(key.Kind)
	if fn == nil {
		return fmt.Errorf("lifecycle: no reconciler for kind %q", key.Kind)
	}
	return fn(ctx, tx, r, l.now())
}

// RunDue runs every job that is due now and returns how many it ran.
func (l *Lifecycle) RunDue(ctx context.Context) (int, error) {
	jobs, err := l.store.DueJobs(ctx, l.now(), 64, 30*time.Second)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, j := range jobs {
		key := j.Key()
		did := false
		err := l.store.Write(ctx, func(tx store.Tx) error {
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
			return l.runLocked(ctx, tx, key)
		})
		l.count(did, err)
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
func (l *Lifecycle) Run(ctx context.Context) {
	for {
		if _, err := l.RunDue(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("lifecycle: cannot read jobs", "error", err)
		}
		wait := time.Second
		if next, err := l.store.NextDue(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(l.now()); d < wait {
				wait = max(d, 5*time.Millisecond)
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-l.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// transitional reports whether a status is one a change must wait out.
func transitional(status string) bool {
	switch status {
	case "CREATING", "UPDATING", "DELETING":
		return true
	}
	return false
}
