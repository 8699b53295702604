package console

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"agentcored/internal/store"
)

// Change is one resource row written by a committed transaction.
type Change struct {
	At      time.Time
	Account string
	Region  string
	Kind    string
	ID      string
	Status  string
	Action  string // created, updated or deleted
}

// recentChanges is how many changes the overview can show.
const recentChanges = 200

// Watcher counts committed writes and remembers the last changes. It sits
// between the service and the store (Watch), so every change made by the
// API, the lifecycle engine, the admin API or the console itself is seen
// without the service having to announce it. It sees this process's writes
// only: another instance sharing a PostgreSQL store is not watched.
type Watcher struct {
	version atomic.Int64
	mu      sync.Mutex
	ring    []Change // newest last, at most recentChanges
	notify  chan struct{}
}

// NewWatcher makes a watcher with no changes.
func NewWatcher() *Watcher {
	return &Watcher{notify: make(chan struct{})}
}

// Version is a counter that grows with every committed write.
func (w *Watcher) Version() int64 { return w.version.Load() }

// Changed returns a channel closed at the next committed write.
func (w *Watcher) Changed() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.notify
}

// Recent returns up to n of the newest changes of one account and region
// whose kind keep accepts, newest first.
func (w *Watcher) Recent(account, region string, n int, keep func(kind string) bool) []Change {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Change
	for i := len(w.ring) - 1; i >= 0 && len(out) < n; i-- {
		c := w.ring[i]
		if c.Account == account && c.Region == region && keep(c.Kind) {
			out = append(out, c)
		}
	}
	return out
}

func (w *Watcher) committed(changes []Change) {
	w.mu.Lock()
	w.ring = append(w.ring, changes...)
	if over := len(w.ring) - recentChanges; over > 0 {
		w.ring = append(w.ring[:0:0], w.ring[over:]...)
	}
	w.version.Add(1)
	close(w.notify)
	w.notify = make(chan struct{})
	w.mu.Unlock()
}

// Watch wraps st so that w sees its committed writes.
func Watch(st store.Store, w *Watcher) store.Store {
	return watchedStore{Store: st, w: w}
}

type watchedStore struct {
	store.Store
	w *Watcher
}

func (s watchedStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	var changes []Change
	err := s.Store.Write(ctx, func(tx store.Tx) error {
		// The store may run fn more than once (retries): keep only the
		// last run's changes.
		changes = changes[:0]
		return fn(watchedTx{Tx: tx, changes: &changes})
	})
	if err == nil {
		s.w.committed(changes)
	}
	return err
}

func (s watchedStore) Reset(ctx context.Context, account string) error {
	err := s.Store.Reset(ctx, account)
	if err == nil {
		s.w.committed(nil)
	}
	return err
}

type watchedTx struct {
	store.Tx
	changes *[]Change
}

// Unwrap gives the store's own transaction to what needs more than Tx
// (store.TextIndexOf).
func (t watchedTx) Unwrap() store.Tx { return t.Tx }

func (t watchedTx) record(r *store.Resource, key store.Key, action string) {
	c := Change{At: time.Now().UTC(), Account: key.Account, Region: key.Region, Kind: key.Kind, ID: key.ID, Action: action}
	if r != nil {
		c.Status = r.Status
	}
	*t.changes = append(*t.changes, c)
}

func (t watchedTx) Insert(ctx context.Context, r *store.Resource) error {
	err := t.Tx.Insert(ctx, r)
	if err == nil {
		t.record(r, r.Key(), "created")
	}
	return err
}

func (t watchedTx) Update(ctx context.Context, r *store.Resource) error {
	err := t.Tx.Update(ctx, r)
	if err == nil {
		t.record(r, r.Key(), "updated")
	}
	return err
}

func (t watchedTx) Delete(ctx context.Context, key store.Key) error {
	err := t.Tx.Delete(ctx, key)
	if err == nil {
		t.record(nil, key, "deleted")
	}
	return err
}
