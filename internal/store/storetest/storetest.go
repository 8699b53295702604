// Package storetest is the conformance suite every store.Store
// implementation must pass. An implementation's test calls Run with a
// function that opens its store.
package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"agentcored/internal/store"
)

// Opener returns a Store for t.
//
// The first call for a given t must return an empty store. A later call for
// the same t, made after the previous store was closed, must return a store
// over the same data: that is how the suite checks durability. The opener
// closes what it opened when t ends; Close must therefore tolerate being
// called twice.
type Opener func(t *testing.T) store.Store

// Run runs every conformance test against the stores open returns; open
// must behave as described for Opener.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"InsertAndGet", testInsertAndGet},
		{"InsertKeepsGivenTimes", testInsertKeepsGivenTimes},
		{"InsertConflicts", testInsertConflicts},
		{"ConflictLeavesTransactionUsable", testConflictLeavesTransactionUsable},
		{"Update", testUpdate},
		{"UpdateErrors", testUpdateErrors},
		{"Delete", testDelete},
		{"List", testList},
		{"ListPaging", testListPaging},
		{"ListSummaries", testListSummaries},
		{"ListRange", testListRange},
		{"TextSearch", testTextSearch},
		{"Count", testCount},
		{"ListStatus", testListStatus},
		{"SeqNeverReused", testSeqNeverReused},
		{"Tags", testTags},
		{"Idempotency", testIdempotency},
		{"Jobs", testJobs},
		{"DueJobs", testDueJobs},
		{"DueJobsConcurrent", testDueJobsConcurrent},
		{"NextDue", testNextDue},
		{"Meta", testMeta},
		{"Reset", testReset},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"WriteInsideRead", testWriteInsideRead},
		{"ContextCanceled", testContextCanceled},
		{"ReadSnapshot", testReadSnapshot},
		{"ReadNotBlockedByWrite", testReadNotBlockedByWrite},
		{"ConcurrentCounter", testConcurrentCounter},
		{"ConcurrentSameName", testConcurrentSameName},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

const (
	acct   = "111111111111"
	acct2  = "222222222222"
	region = "us-east-1"
)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func arnOf(account, kind, id string) string {
	return fmt.Sprintf("arn:aws:bedrock-agentcore:%s:%s:%s/%s", region, account, kind, id)
}

// res builds a top-level runtime in acct with a name and an ARN.
func res(id, name string) *store.Resource {
	return &store.Resource{
		Account: acct, Region: region, Kind: "runtime", ID: id,
		Name: name, ARN: arnOf(acct, "runtime", id), Status: "READY",
		Doc: []byte(`{"id":"` + id + `"}`),
	}
}

func key(id string) store.Key {
	return store.Key{Account: acct, Region: region, Kind: "runtime", ID: id}
}

// write runs fn in a Write and fails the test on error.
func write(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := ctxFor(t)
	if err := s.Write(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// read runs fn in a Read and fails the test on error.
func read(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := ctxFor(t)
	if err := s.Read(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func insert(t *testing.T, s store.Store, rs ...*store.Resource) {
	t.Helper()
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Insert(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func get(t *testing.T, s store.Store, k store.Key) (*store.Resource, error) {
	t.Helper()
	var r *store.Resource
	ctx := ctxFor(t)
	err := s.Read(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.Get(ctx, k)
		return err
	})
	return r, err
}

func mustGet(t *testing.T, s store.Store, k store.Key) *store.Resource {
	t.Helper()
	r, err := get(t, s, k)
	if err != nil {
		t.Fatalf("Get(%v): %v", k, err)
	}
	return r
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func wantNotFound(t *testing.T, s store.Store, k store.Key) {
	t.Helper()
	_, err := get(t, s, k)
	wantErr(t, fmt.Sprintf("Get(%v)", k), err, store.ErrNotFound)
}

// sameResource compares every field; times with Equal, and they must be UTC.
func sameResource(t *testing.T, what string, got, want *store.Resource) {
	t.Helper()
	if got.Account != want.Account || got.Region != want.Region || got.Kind != want.Kind ||
		got.ID != want.ID || got.ParentID != want.ParentID || got.Name != want.Name ||
		got.ARN != want.ARN || got.Status != want.Status || got.Revision != want.Revision ||
		got.Seq != want.Seq || !bytes.Equal(got.Doc, want.Doc) || !bytes.Equal(got.Summary, want.Summary) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("%s: times got %v/%v, want %v/%v", what, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("%s: times not UTC: %v, %v", what, got.CreatedAt, got.UpdatedAt)
	}
}

func testInsertAndGet(t *testing.T, open Opener) {
	s := open(t)
	r := res("r-1", "alpha")
	before := time.Now()
	insert(t, s, r)

	if r.Seq <= 0 || r.Revision != 1 {
		t.Fatalf("after Insert: Seq=%d Revision=%d, want Seq>0 Revision=1", r.Seq, r.Revision)
	}
	if r.CreatedAt.Before(before.Add(-time.Second)) || r.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Fatalf("CreatedAt %v not around now", r.CreatedAt)
	}
	if !r.UpdatedAt.Equal(r.CreatedAt) {
		t.Fatalf("UpdatedAt %v, want CreatedAt %v", r.UpdatedAt, r.CreatedAt)
	}

	read(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.Get(ctx, key("r-1"))
		if err != nil {
			return err
		}
		sameResource(t, "Get", got, r)

		got, err = tx.GetByName(ctx, acct, region, "runtime", "", "alpha")
		if err != nil {
			return err
		}
		sameResource(t, "GetByName", got, r)

		got, err = tx.GetByARN(ctx, r.ARN)
		if err != nil {
			return err
		}
		sameResource(t, "GetByARN", got, r)

		_, err = tx.Get(ctx, key("missing"))
		wantErr(t, "Get missing", err, store.ErrNotFound)
		_, err = tx.GetByName(ctx, acct, region, "runtime", "", "missing")
		wantErr(t, "GetByName missing", err, store.ErrNotFound)
		_, err = tx.GetByName(ctx, acct, region, "runtime", "other-parent", "alpha")
		wantErr(t, "GetByName other parent", err, store.ErrNotFound)
		_, err = tx.GetByARN(ctx, arnOf(acct, "runtime", "missing"))
		wantErr(t, "GetByARN missing", err, store.ErrNotFound)
		return nil
	})

	// Empty names and ARNs are "none", never a match.
	unnamed := &store.Resource{Account: acct, Region: region, Kind: "runtime", ID: "r-2"}
	insert(t, s, unnamed)
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetByName(ctx, acct, region, "runtime", "", "")
		wantErr(t, "GetByName empty", err, store.ErrNotFound)
		_, err = tx.GetByARN(ctx, "")
		wantErr(t, "GetByARN empty", err, store.ErrNotFound)
		return nil
	})

	// Data written by Write is visible to a later Write too.
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.Get(ctx, key("r-1"))
		if err != nil {
			return err
		}
		sameResource(t, "Get in Write", got, r)
		return nil
	})
}

func testInsertKeepsGivenTimes(t *testing.T, open Opener) {
	s := open(t)
	loc := time.FixedZone("UTC+5", 5*3600)
	created := time.Date(2024, 2, 29, 23, 59, 58, 123456789, loc)
	updated := created.Add(1500 * time.Millisecond).Add(7) // odd nanoseconds
	r := res("r-1", "alpha")
	r.CreatedAt, r.UpdatedAt = created, updated
	insert(t, s, r)

	got := mustGet(t, s, key("r-1"))
	if !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(updated) {
		t.Fatalf("times: got %v / %v, want %v / %v", got.CreatedAt, got.UpdatedAt, created, updated)
	}
	if got.CreatedAt.Location() != time.UTC || r.CreatedAt.Location() != time.UTC {
		t.Fatalf("times not returned in UTC: %v, %v", got.CreatedAt, r.CreatedAt)
	}
}

func testInsertConflicts(t *testing.T, open Opener) {
	s := open(t)
	base := res("r-1", "alpha")
	base.ParentID = "p-1"
	insert(t, s, base)

	mk := func(id, name, parent, kind, arn string) *store.Resource {
		return &store.Resource{
			Account: acct, Region: region, Kind: kind, ID: id, ParentID: parent,
			Name: name, ARN: arn,
		}
	}
	tests := []struct {
		name string
		r    *store.Resource
		want error // nil: must succeed
	}{
		{"same id", mk("r-1", "other", "p-1", "runtime", ""), store.ErrConflict},
		{"same id, other parent", mk("r-1", "", "p-2", "runtime", ""), store.ErrConflict},
		{"same name and scope", mk("r-2", "alpha", "p-1", "runtime", ""), store.ErrConflict},
		{"same ARN", mk("r-3", "", "p-9", "browser", base.ARN), store.ErrConflict},
		{"same name, other parent", mk("r-4", "alpha", "p-2", "runtime", ""), nil},
		{"same name, top level", mk("r-5", "alpha", "", "runtime", ""), nil},
		{"same name, other kind", mk("r-6", "alpha", "p-1", "browser", ""), nil},
		{"same id, other kind", mk("r-1", "", "p-1", "browser", ""), nil},
		{"same name, other region", &store.Resource{Account: acct, Region: "eu-west-1", Kind: "runtime", ID: "r-7", ParentID: "p-1", Name: "alpha"}, nil},
		{"same name, other account", &store.Resource{Account: acct2, Region: region, Kind: "runtime", ID: "r-8", ParentID: "p-1", Name: "alpha"}, nil},
		{"empty name", mk("r-9", "", "p-1", "runtime", ""), nil},
		{"empty name again", mk("r-10", "", "p-1", "runtime", ""), nil},
		{"empty ARN again", mk("r-11", "", "p-1", "runtime", ""), nil},
		{"other ARN", mk("r-12", "", "p-1", "runtime", arnOf(acct, "runtime", "r-12")), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := ctxFor(t)
			err := s.Write(ctx, func(tx store.Tx) error { return tx.Insert(ctx, tc.r) })
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Insert: %v", err)
				}
				mustGet(t, s, tc.r.Key())
				return
			}
			wantErr(t, "Insert", err, tc.want)
		})
	}
	// The losers changed nothing.
	got := mustGet(t, s, key("r-1"))
	sameResource(t, "original after conflicts", got, base)
	wantNotFound(t, s, key("r-2"))
	wantNotFound(t, s, store.Key{Account: acct, Region: region, Kind: "browser", ID: "r-3"})
}

// A conflict is reported without poisoning the transaction: the callback may
// handle it and go on, and what it does next commits.
func testConflictLeavesTransactionUsable(t *testing.T, open Opener) {
	s := open(t)
	insert(t, s, res("r-1", "alpha"), res("r-2", "beta"))

	write(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "Insert dup", tx.Insert(ctx, res("r-3", "alpha")), store.ErrConflict)

		r, err := tx.Get(ctx, key("r-2"))
		if err != nil {
			return err
		}
		r.Name = "alpha"
		wantErr(t, "Update to taken name", tx.Update(ctx, r), store.ErrConflict)

		wantErr(t, "PutIdempotency dup", func() error {
			rec := &store.IdempotencyRecord{Account: acct, Region: region, Operation: "Op", Token: "t"}
			if err := tx.PutIdempotency(ctx, rec); err != nil {
				return err
			}
			return tx.PutIdempotency(ctx, rec)
		}(), store.ErrConflict)

		return tx.Insert(ctx, res("r-4", "delta"))
	})
	mustGet(t, s, key("r-4"))
	wantNotFound(t, s, key("r-3"))
	if got := mustGet(t, s, key("r-2")); got.Name != "beta" || got.Revision != 1 {
		t.Fatalf("r-2 after failed update: name %q revision %d", got.Name, got.Revision)
	}
}

func testUpdate(t *testing.T, open Opener) {
	s := open(t)
	r := res("r-1", "alpha")
	r.ParentID = "p-1"
	insert(t, s, r)
	orig := *r

	upd := *r
	upd.Name = "beta"
	upd.Status = "UPDATING"
	upd.ARN = arnOf(acct, "runtime", "renamed")
	upd.Doc = []byte(`{"v":2}`)
	upd.Summary = []byte(`{"s":2}`)
	upd.UpdatedAt = orig.CreatedAt.Add(time.Hour + 3)
	// Columns Update never changes, whatever the caller sends.
	upd.ParentID = "p-other"
	upd.Seq = 999999
	upd.CreatedAt = orig.CreatedAt.Add(-time.Hour)
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Update(ctx, &upd) })

	if upd.Revision != 2 {
		t.Fatalf("Revision after Update = %d, want 2", upd.Revision)
	}
	want := orig
	want.Name, want.Status, want.ARN, want.Doc, want.Summary = "beta", "UPDATING", upd.ARN, upd.Doc, upd.Summary
	want.Revision = 2
	want.UpdatedAt = orig.CreatedAt.Add(time.Hour + 3)
	got := mustGet(t, s, key("r-1"))
	sameResource(t, "after Update", got, &want)
	sameResource(t, "caller's copy after Update", &upd, &want)

	read(t, s, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.GetByName(ctx, acct, region, "runtime", "p-1", "beta"); err != nil {
			return err
		}
		_, err := tx.GetByName(ctx, acct, region, "runtime", "p-1", "alpha")
		wantErr(t, "old name", err, store.ErrNotFound)
		_, err = tx.GetByARN(ctx, orig.ARN)
		wantErr(t, "old ARN", err, store.ErrNotFound)
		_, err = tx.GetByARN(ctx, upd.ARN)
		return err
	})

	// A second Update from the fresh copy works and counts on.
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		cur, err := tx.Get(ctx, key("r-1"))
		if err != nil {
			return err
		}
		cur.Status = "READY"
		cur.UpdatedAt = time.Time{} // zero: the store stamps now
		if err := tx.Update(ctx, cur); err != nil {
			return err
		}
		if cur.Revision != 3 || cur.UpdatedAt.IsZero() {
			t.Errorf("second Update: Revision %d UpdatedAt %v", cur.Revision, cur.UpdatedAt)
		}
		return nil
	})
	if got := mustGet(t, s, key("r-1")); got.Revision != 3 || got.Status != "READY" {
		t.Fatalf("after second Update: Revision %d Status %q", got.Revision, got.Status)
	}
}

// testListSummaries: a SummaryOnly listing returns each row's summary and
// no document; a row stored without a summary lists its document in place
// of one. Get returns both.
func testListSummaries(t *testing.T, open Opener) {
	s := open(t)
	with := res("r-1", "one")
	with.Summary = []byte(`{"s":1}`)
	without := res("r-2", "two")
	insert(t, s, with)
	insert(t, s, without)
	if got := mustGet(t, s, key("r-1")); string(got.Summary) != `{"s":1}` || string(got.Doc) != string(with.Doc) {
		t.Fatalf("Get: summary %q doc %q", got.Summary, got.Doc)
	}
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		rows, err := tx.List(ctx, store.ListQuery{Account: acct, Region: region, Kind: "runtime", SummaryOnly: true})
		if err != nil {
			return err
		}
		if len(rows) != 2 {
			t.Fatalf("listed %d rows, want 2", len(rows))
		}
		for i, want := range []string{`{"s":1}`, string(without.Doc)} {
			r := rows[i]
			if string(r.Summary) != want || r.Doc != nil || r.Name == "" || r.Seq == 0 || r.Revision != 1 {
				t.Errorf("row %d: summary %q doc %q name %q seq %d revision %d", i, r.Summary, r.Doc, r.Name, r.Seq, r.Revision)
			}
		}
		return nil
	})
}

func testUpdateErrors(t *testing.T, open Opener) {
	s := open(t)
	insert(t, s, res("r-1", "alpha"), res("r-2", "beta"))
	stale := mustGet(t, s, key("r-1"))

	// Someone else updates first.
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		r, err := tx.Get(ctx, key("r-1"))
		if err != nil {
			return err
		}
		r.Status = "FIRST"
		return tx.Update(ctx, r)
	})

	ctx := ctxFor(t)
	stale.Status = "SECOND"
	err := s.Write(ctx, func(tx store.Tx) error { return tx.Update(ctx, stale) })
	wantErr(t, "stale Update", err, store.ErrRevision)
	if stale.Revision != 1 {
		t.Fatalf("failed Update changed the caller's Revision to %d", stale.Revision)
	}
	if got := mustGet(t, s, key("r-1")); got.Status != "FIRST" || got.Revision != 2 {
		t.Fatalf("after stale Update: Status %q Revision %d", got.Status, got.Revision)
	}

	missing := res("nope", "")
	missing.Revision = 1
	err = s.Write(ctx, func(tx store.Tx) error { return tx.Update(ctx, missing) })
	wantErr(t, "Update missing", err, store.ErrNotFound)

	taken := mustGet(t, s, key("r-2"))
	taken.ARN = arnOf(acct, "runtime", "r-1")
	err = s.Write(ctx, func(tx store.Tx) error { return tx.Update(ctx, taken) })
	wantErr(t, "Update to taken ARN", err, store.ErrConflict)
}

func testDelete(t *testing.T, open Opener) {
	s := open(t)
	r1, r2 := res("r-1", "alpha"), res("r-2", "beta")
	insert(t, s, r1, r2)
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range []*store.Resource{r1, r2} {
			if err := tx.SetTags(ctx, r.ARN, map[string]string{"k": r.ID}); err != nil {
				return err
			}
			if err := tx.PutJob(ctx, &store.Job{Account: acct, Region: region, Kind: "runtime", ResourceID: r.ID, DueAt: time.Now()}); err != nil {
				return err
			}
		}
		return tx.Delete(ctx, key("r-1"))
	})

	wantNotFound(t, s, key("r-1"))
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		tags, err := tx.Tags(ctx, r1.ARN)
		if err != nil {
			return err
		}
		if len(tags) != 0 {
			t.Errorf("tags of deleted resource: %v", tags)
		}
		_, err = tx.GetJob(ctx, key("r-1"))
		wantErr(t, "job of deleted resource", err, store.ErrNotFound)

		// The other resource keeps its tags and job.
		tags, err = tx.Tags(ctx, r2.ARN)
		if err != nil {
			return err
		}
		if tags["k"] != "r-2" {
			t.Errorf("tags of r-2: %v", tags)
		}
		_, err = tx.GetJob(ctx, key("r-2"))
		return err
	})

	ctx := ctxFor(t)
	err := s.Write(ctx, func(tx store.Tx) error { return tx.Delete(ctx, key("r-1")) })
	wantErr(t, "Delete missing", err, store.ErrNotFound)

	// Name and ARN are free again.
	insert(t, s, res("r-1", "alpha"))
}

// scope inserts n runtimes under parent p-1, interleaved with rows that
// List must not return, and returns the matching ones in insertion order.
func fillScope(t *testing.T, s store.Store, n int) []*store.Resource {
	t.Helper()
	var mine []*store.Resource
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			r := &store.Resource{Account: acct, Region: region, Kind: "endpoint", ID: fmt.Sprintf("e-%02d", i), ParentID: "p-1", Name: fmt.Sprintf("n-%02d", i)}
			others := []*store.Resource{
				{Account: acct, Region: region, Kind: "endpoint", ID: fmt.Sprintf("x-%02d", i), ParentID: "p-2"},
				{Account: acct, Region: region, Kind: "endpoint", ID: fmt.Sprintf("top-%02d", i)},
				{Account: acct, Region: region, Kind: "version", ID: fmt.Sprintf("v-%02d", i), ParentID: "p-1"},
				{Account: acct, Region: "eu-west-1", Kind: "endpoint", ID: fmt.Sprintf("e-%02d", i), ParentID: "p-1"},
				{Account: acct2, Region: region, Kind: "endpoint", ID: fmt.Sprintf("e-%02d", i), ParentID: "p-1"},
			}
			for _, x := range append([]*store.Resource{r}, others...) {
				if err := tx.Insert(ctx, x); err != nil {
					return err
				}
			}
			mine = append(mine, r)
		}
		return nil
	})
	return mine
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func list(t *testing.T, s store.Store, q store.ListQuery) []*store.Resource {
	t.Helper()
	var out []*store.Resource
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		out, err = tx.List(ctx, q)
		return err
	})
	return out
}

func testList(t *testing.T, open Opener) {
	s := open(t)
	mine := fillScope(t, s, 10)
	scope := store.ListQuery{Account: acct, Region: region, Kind: "endpoint", ParentID: "p-1"}

	withQ := func(f func(q *store.ListQuery)) store.ListQuery {
		q := scope
		f(&q)
		return q
	}
	tests := []struct {
		name string
		q    store.ListQuery
		want []*store.Resource
	}{
		{"all", scope, mine},
		{"negative limit means all", withQ(func(q *store.ListQuery) { q.Limit = -1 }), mine},
		{"limit", withQ(func(q *store.ListQuery) { q.Limit = 3 }), mine[:3]},
		{"after", withQ(func(q *store.ListQuery) { q.AfterSeq = mine[4].Seq }), mine[5:]},
		{"after and limit", withQ(func(q *store.ListQuery) { q.AfterSeq = mine[4].Seq; q.Limit = 2 }), mine[5:7]},
		{"after last", withQ(func(q *store.ListQuery) { q.AfterSeq = mine[9].Seq }), nil},
		{"limit past end", withQ(func(q *store.ListQuery) { q.Limit = 100 }), mine},
		{"other parent", withQ(func(q *store.ListQuery) { q.ParentID = "p-3" }), nil},
		{"other account", withQ(func(q *store.ListQuery) { q.Account = "333333333333" }), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := list(t, s, tc.q)
			if got == nil {
				t.Fatalf("List returned nil, want a non-nil slice")
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(ids(tc.want)) {
				t.Fatalf("List = %v, want %v", ids(got), ids(tc.want))
			}
			for i := range got {
				sameResource(t, "List row", got[i], tc.want[i])
			}
		})
	}

	// The other scopes hold exactly their own rows.
	for _, q := range []store.ListQuery{
		withQ(func(q *store.ListQuery) { q.ParentID = "p-2" }),
		withQ(func(q *store.ListQuery) { q.ParentID = "" }),
		withQ(func(q *store.ListQuery) { q.Kind = "version" }),
		withQ(func(q *store.ListQuery) { q.Region = "eu-west-1" }),
		withQ(func(q *store.ListQuery) { q.Account = acct2 }),
	} {
		got := list(t, s, q)
		if len(got) != 10 {
			t.Fatalf("List(%+v) returned %d rows, want 10", q, len(got))
		}
		for i, r := range got {
			if r.Account != q.Account || r.Region != q.Region || r.Kind != q.Kind || r.ParentID != q.ParentID {
				t.Fatalf("List(%+v) returned a row of another scope: %+v", q, r)
			}
			if i > 0 && r.Seq <= got[i-1].Seq {
				t.Fatalf("List(%+v) not in seq order", q)
			}
		}
	}
}

func testListPaging(t *testing.T, open Opener) {
	s := open(t)
	mine := fillScope(t, s, 25)
	q := store.ListQuery{Account: acct, Region: region, Kind: "endpoint", ParentID: "p-1", Limit: 7}
	var all []*store.Resource
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		page := list(t, s, q)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		q.AfterSeq = page[len(page)-1].Seq
	}
	if fmt.Sprint(ids(all)) != fmt.Sprint(ids(mine)) {
		t.Fatalf("paged = %v, want %v", ids(all), ids(mine))
	}
}

func testCount(t *testing.T, open Opener) {
	s := open(t)
	fillScope(t, s, 6)
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Account: acct, Region: region, Kind: "endpoint", ID: "e-03"})
	})
	tests := []struct {
		account, region, kind, parent string
		want                          int
	}{
		{acct, region, "endpoint", "p-1", 5},
		{acct, region, "endpoint", "p-2", 6},
		{acct, region, "endpoint", "", 6},
		{acct, region, "version", "p-1", 6},
		{acct2, region, "endpoint", "p-1", 6},
		{acct, "eu-west-1", "endpoint", "p-1", 6},
		{acct, region, "endpoint", "p-9", 0},
		{"333333333333", region, "endpoint", "p-1", 0},
	}
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, tc := range tests {
			n, err := tx.Count(ctx, tc.account, tc.region, tc.kind, tc.parent)
			if err != nil {
				return err
			}
			if n != tc.want {
				t.Errorf("Count(%s, %s, %s, %q) = %d, want %d", tc.account, tc.region, tc.kind, tc.parent, n, tc.want)
			}
		}
		return nil
	})
}

// testListStatus: the rows of one kind in one status, of every account and
// region, in Seq order; other kinds and statuses, updates and deletes are
// followed.
func testListStatus(t *testing.T, open Opener) {
	s := open(t)
	mk := func(account, rgn, kind, id, status string) *store.Resource {
		return &store.Resource{Account: account, Region: rgn, Kind: kind, ID: id, Status: status,
			ARN: arnOf(account, kind, id), Doc: []byte(`{"id":"` + id + `"}`)}
	}
	insert(t, s,
		mk(acct, region, "session", "s-1", "READY"),
		mk(acct2, region, "session", "s-2", "READY"),
		mk(acct, "eu-west-1", "session", "s-3", "TERMINATED"),
		mk(acct, "eu-west-1", "session", "s-4", "READY"),
		mk(acct, region, "runtime", "r-1", "READY"),
		mk(acct, region, "session", "s-5", "READY"),
	)
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		r, err := tx.Get(ctx, store.Key{Account: acct, Region: region, Kind: "session", ID: "s-1"})
		if err != nil {
			return err
		}
		r.Status = "TERMINATED"
		if err := tx.Update(ctx, r); err != nil {
			return err
		}
		return tx.Delete(ctx, store.Key{Account: acct, Region: region, Kind: "session", ID: "s-5"})
	})
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, tc := range []struct {
			kind, status string
			want         []string
		}{
			{"session", "READY", []string{"s-2", "s-4"}},
			{"session", "TERMINATED", []string{"s-1", "s-3"}},
			{"runtime", "READY", []string{"r-1"}},
			{"session", "CREATING", nil},
		} {
			rows, err := tx.ListStatus(ctx, tc.kind, tc.status)
			if err != nil {
				return err
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ListStatus(%s, %s) = %v, want %v", tc.kind, tc.status, got, tc.want)
			}
		}
		return nil
	})
}

func testSeqNeverReused(t *testing.T, open Opener) {
	s := open(t)
	a, b := res("a", ""), res("b", "")
	insert(t, s, a, b)
	if b.Seq <= a.Seq {
		t.Fatalf("seq not increasing: a=%d b=%d", a.Seq, b.Seq)
	}
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Delete(ctx, key("b")) })
	c := res("c", "")
	insert(t, s, c)
	if c.Seq <= b.Seq {
		t.Fatalf("seq reused after delete: b=%d c=%d", b.Seq, c.Seq)
	}

	// A rolled-back insert must not lead to reuse either.
	ctx := ctxFor(t)
	rolledBack := errors.New("roll back")
	err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, res("d", "")); err != nil {
			return err
		}
		return rolledBack
	})
	wantErr(t, "rolled-back Write", err, rolledBack)

	if err := s.Reset(ctx, ""); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	e := res("e", "")
	insert(t, s, e)
	if e.Seq <= c.Seq {
		t.Fatalf("seq reused after Reset: c=%d e=%d", c.Seq, e.Seq)
	}

	// Within one transaction, in insertion order.
	var batch []*store.Resource
	for i := range 5 {
		batch = append(batch, res(fmt.Sprintf("f-%d", i), ""))
	}
	insert(t, s, batch...)
	prev := e.Seq
	for _, r := range batch {
		if r.Seq <= prev {
			t.Fatalf("seq not increasing within a transaction: %d after %d", r.Seq, prev)
		}
		prev = r.Seq
	}
}

func tagsOf(t *testing.T, s store.Store, arn string) map[string]string {
	t.Helper()
	var tags map[string]string
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		tags, err = tx.Tags(ctx, arn)
		return err
	})
	return tags
}

func testTags(t *testing.T, open Opener) {
	s := open(t)
	arn1, arn2 := arnOf(acct, "runtime", "r-1"), arnOf(acct, "runtime", "r-2")

	if tags := tagsOf(t, s, arn1); tags == nil || len(tags) != 0 {
		t.Fatalf("Tags of untagged ARN = %#v, want empty non-nil map", tags)
	}

	steps := []struct {
		name string
		arn  string
		set  map[string]string
		rm   []string
		want map[string]string
	}{
		{"set", arn1, map[string]string{"a": "1", "b": "2"}, nil, map[string]string{"a": "1", "b": "2"}},
		{"overwrite and add", arn1, map[string]string{"b": "20", "c": "3"}, nil, map[string]string{"a": "1", "b": "20", "c": "3"}},
		{"empty set", arn1, map[string]string{}, nil, map[string]string{"a": "1", "b": "20", "c": "3"}},
		{"empty value", arn1, map[string]string{"d": ""}, nil, map[string]string{"a": "1", "b": "20", "c": "3", "d": ""}},
		{"remove some and absent", arn1, nil, []string{"a", "d", "zz"}, map[string]string{"b": "20", "c": "3"}},
		{"remove none", arn1, nil, nil, map[string]string{"b": "20", "c": "3"}},
		{"other ARN", arn2, map[string]string{"a": "other"}, nil, map[string]string{"a": "other"}},
		{"first ARN untouched", arn1, nil, nil, map[string]string{"b": "20", "c": "3"}},
		{"remove all", arn1, nil, []string{"b", "c"}, map[string]string{}},
		{"other ARN still tagged", arn2, nil, nil, map[string]string{"a": "other"}},
	}
	for _, st := range steps {
		write(t, s, func(ctx context.Context, tx store.Tx) error {
			if st.set != nil {
				if err := tx.SetTags(ctx, st.arn, st.set); err != nil {
					return err
				}
			}
			return tx.RemoveTags(ctx, st.arn, st.rm)
		})
		if got := tagsOf(t, s, st.arn); fmt.Sprint(got) != fmt.Sprint(st.want) || got == nil {
			t.Fatalf("%s: Tags = %v, want %v", st.name, got, st.want)
		}
	}
}

func testIdempotency(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	rec := &store.IdempotencyRecord{
		Account: acct, Region: region, Operation: "CreateRuntime", Token: "tok-1",
		RequestHash: "h1", StatusCode: 201, Body: []byte(`{"ok":true}`),
		CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
	}

	err := s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.GetIdempotency(ctx, acct, region, "CreateRuntime", "tok-1")
		return err
	})
	wantErr(t, "GetIdempotency before Put", err, store.ErrNotFound)

	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutIdempotency(ctx, rec) })

	read(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetIdempotency(ctx, acct, region, "CreateRuntime", "tok-1")
		if err != nil {
			return err
		}
		if got.Account != rec.Account || got.Region != rec.Region || got.Operation != rec.Operation ||
			got.Token != rec.Token || got.RequestHash != rec.RequestHash || got.StatusCode != rec.StatusCode ||
			!bytes.Equal(got.Body, rec.Body) || !got.CreatedAt.Equal(rec.CreatedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("GetIdempotency = %+v, want %+v", got, rec)
		}
		return nil
	})

	dup := *rec
	dup.RequestHash = "h2"
	err = s.Write(ctx, func(tx store.Tx) error { return tx.PutIdempotency(ctx, &dup) })
	wantErr(t, "PutIdempotency twice", err, store.ErrConflict)

	// The same token elsewhere is a different record.
	for _, other := range []store.IdempotencyRecord{
		{Account: acct, Region: region, Operation: "DeleteRuntime", Token: "tok-1"},
		{Account: acct, Region: "eu-west-1", Operation: "CreateRuntime", Token: "tok-1"},
		{Account: acct2, Region: region, Operation: "CreateRuntime", Token: "tok-1"},
		{Account: acct, Region: region, Operation: "CreateRuntime", Token: "tok-2"},
	} {
		write(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutIdempotency(ctx, &other); err != nil {
				return err
			}
			if other.CreatedAt.IsZero() {
				t.Errorf("PutIdempotency left CreatedAt zero")
			}
			return nil
		})
	}
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetIdempotency(ctx, acct, region, "CreateRuntime", "tok-1")
		if err != nil {
			return err
		}
		if got.RequestHash != "h1" {
			t.Errorf("record overwritten: %+v", got)
		}
		return nil
	})
}

func job(id string, due time.Time) *store.Job {
	return &store.Job{Account: acct, Region: region, Kind: "runtime", ResourceID: id, DueAt: due}
}

func getJob(t *testing.T, s store.Store, id string) (*store.Job, error) {
	t.Helper()
	var j *store.Job
	ctx := ctxFor(t)
	err := s.Read(ctx, func(tx store.Tx) error {
		var err error
		j, err = tx.GetJob(ctx, key(id))
		return err
	})
	return j, err
}

func testJobs(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	_, err := getJob(t, s, "r-1")
	wantErr(t, "GetJob before Put", err, store.ErrNotFound)

	due := time.Date(2030, 5, 6, 7, 8, 9, 10, time.UTC)
	j := job("r-1", due)
	j.Attempts = 2
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutJob(ctx, j) })
	got, err := getJob(t, s, "r-1")
	if err != nil {
		t.Fatalf("GetJob: %v", err)
	}
	if got.Key() != key("r-1") || !got.DueAt.Equal(due) || got.DueAt.Location() != time.UTC || got.Attempts != 2 {
		t.Fatalf("GetJob = %+v, want %+v", got, j)
	}

	// Put replaces: one job per resource.
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutJob(ctx, job("r-1", time.Time{})) })
	got, err = getJob(t, s, "r-1")
	if err != nil {
		t.Fatalf("GetJob: %v", err)
	}
	if !got.DueAt.IsZero() || got.Attempts != 0 {
		t.Fatalf("GetJob after replace = %+v, want zero DueAt and Attempts", got)
	}

	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteJob(ctx, key("r-1")) })
	_, err = getJob(t, s, "r-1")
	wantErr(t, "GetJob after Delete", err, store.ErrNotFound)
	err = s.Write(ctx, func(tx store.Tx) error { return tx.DeleteJob(ctx, key("r-1")) })
	wantErr(t, "DeleteJob missing", err, store.ErrNotFound)
}

func jobIDs(js []store.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ResourceID
	}
	return out
}

func testDueJobs(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	const lease = time.Minute
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, j := range []*store.Job{
			job("late", now.Add(-time.Hour)),
			job("now", now),
			job("soon", now.Add(time.Second)),
			job("manual", time.Time{}),
			job("later", now.Add(2*time.Hour)),
		} {
			if err := tx.PutJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})

	due := func(at time.Time, limit int) []store.Job {
		t.Helper()
		js, err := s.DueJobs(ctx, at, limit, lease)
		if err != nil {
			t.Fatalf("DueJobs: %v", err)
		}
		return js
	}

	got := due(now, 1)
	if fmt.Sprint(jobIDs(got)) != "[late]" || got[0].Attempts != 1 || !got[0].DueAt.Equal(now.Add(-time.Hour)) {
		t.Fatalf("DueJobs(limit 1) = %+v, want late with 1 attempt", got)
	}
	got = due(now, 10)
	if fmt.Sprint(jobIDs(got)) != "[now]" {
		t.Fatalf("DueJobs = %v, want [now]: late is leased, soon not due", jobIDs(got))
	}
	if got := due(now, 10); len(got) != 0 {
		t.Fatalf("DueJobs again = %v, want none while leased", jobIDs(got))
	}
	// The attempt is recorded on the job.
	if j, err := getJob(t, s, "late"); err != nil || j.Attempts != 1 {
		t.Fatalf("GetJob(late) = %+v, %v; want 1 attempt", j, err)
	}

	// Before the lease ends only the newly due job shows up.
	got = due(now.Add(lease-time.Second), 0)
	if fmt.Sprint(jobIDs(got)) != "[soon]" {
		t.Fatalf("DueJobs during lease = %v, want [soon]", jobIDs(got))
	}
	// After it, the leased ones come back, in DueAt order, attempts counted.
	got = due(now.Add(lease+2*time.Second), 0)
	if fmt.Sprint(jobIDs(got)) != "[late now]" || got[0].Attempts != 2 || got[1].Attempts != 2 {
		t.Fatalf("DueJobs after lease = %+v, want late and now with 2 attempts", got)
	}
	// A manual job is never due; "later" is once its time comes.
	got = due(now.Add(100*365*24*time.Hour), 0)
	if fmt.Sprint(jobIDs(got)) != "[late now soon later]" {
		t.Fatalf("DueJobs far future = %v", jobIDs(got))
	}

	// Put replaces a job, lease included: a rescheduled job is due at its
	// new time even while the old one was leased.
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutJob(ctx, job("late", now)) })
	got = due(now, 0)
	if fmt.Sprint(jobIDs(got)) != "[late]" || got[0].Attempts != 1 {
		t.Fatalf("DueJobs after re-Put = %+v, want late with 1 attempt", got)
	}
}

// Concurrent DueJobs callers never get the same job.
func testDueJobsConcurrent(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	const n = 40
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			if err := tx.PutJob(ctx, job(fmt.Sprintf("j-%02d", i), now.Add(-time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				js, err := s.DueJobs(ctx, now, 3, time.Hour)
				if err != nil {
					t.Errorf("DueJobs: %v", err)
					return
				}
				if len(js) == 0 {
					return
				}
				mu.Lock()
				for _, j := range js {
					seen[j.ResourceID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("got %d distinct jobs, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("job %s handed out %d times", id, c)
		}
	}
}

func testNextDue(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	next := func() time.Time {
		t.Helper()
		at, err := s.NextDue(ctx)
		if err != nil {
			t.Fatalf("NextDue: %v", err)
		}
		return at
	}
	if at := next(); !at.IsZero() {
		t.Fatalf("NextDue with no jobs = %v, want zero", at)
	}
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutJob(ctx, job("manual", time.Time{})) })
	if at := next(); !at.IsZero() {
		t.Fatalf("NextDue with only a manual job = %v, want zero", at)
	}

	early := time.Date(2031, 3, 4, 5, 6, 7, 8, time.UTC)
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutJob(ctx, job("b", early.Add(time.Hour))); err != nil {
			return err
		}
		return tx.PutJob(ctx, job("a", early))
	})
	if at := next(); !at.Equal(early) || at.Location() != time.UTC {
		t.Fatalf("NextDue = %v, want %v", at, early)
	}

	// A leased job can next be claimed when its lease ends, not at its
	// (past) due time: otherwise the engine would poll while it runs.
	lease := func(at time.Time, d time.Duration, want string) {
		t.Helper()
		js, err := s.DueJobs(ctx, at, 0, d)
		if err != nil {
			t.Fatalf("DueJobs: %v", err)
		}
		if got := fmt.Sprint(jobIDs(js)); got != want {
			t.Fatalf("DueJobs(%v) = %s, want %s", at, got, want)
		}
	}
	lease(early, 30*time.Minute, "[a]")
	if at := next(); !at.Equal(early.Add(30 * time.Minute)) {
		t.Fatalf("NextDue with a leased = %v, want its lease end %v", at, early.Add(30*time.Minute))
	}
	// Leased past b's due time: b comes first.
	relet := early.Add(31 * time.Minute)
	lease(relet, 2*time.Hour, "[a]")
	if at := next(); !at.Equal(early.Add(time.Hour)) {
		t.Fatalf("NextDue with a leased past b = %v, want %v", at, early.Add(time.Hour))
	}
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteJob(ctx, key("b")) })
	if at := next(); !at.Equal(relet.Add(2 * time.Hour)) {
		t.Fatalf("NextDue after delete = %v, want a's lease end %v", at, relet.Add(2*time.Hour))
	}
	// Put replaces the lease too: the job is due at its new time.
	write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutJob(ctx, job("a", early)) })
	if at := next(); !at.Equal(early) {
		t.Fatalf("NextDue after re-Put = %v, want %v", at, early)
	}
}

func testMeta(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	_, err := s.GetMeta(ctx, "token-key")
	wantErr(t, "GetMeta missing", err, store.ErrNotFound)

	got, err := s.PutMetaIfAbsent(ctx, "token-key", []byte("first"))
	if err != nil || string(got) != "first" {
		t.Fatalf("PutMetaIfAbsent = %q, %v; want first", got, err)
	}
	got, err = s.PutMetaIfAbsent(ctx, "token-key", []byte("second"))
	if err != nil || string(got) != "first" {
		t.Fatalf("second PutMetaIfAbsent = %q, %v; want the existing first", got, err)
	}
	got, err = s.GetMeta(ctx, "token-key")
	if err != nil || string(got) != "first" {
		t.Fatalf("GetMeta = %q, %v; want first", got, err)
	}
	bin := []byte{0, 1, 2, 0xff}
	if got, err := s.PutMetaIfAbsent(ctx, "other", bin); err != nil || !bytes.Equal(got, bin) {
		t.Fatalf("PutMetaIfAbsent binary = %v, %v", got, err)
	}

	// Racing first writers agree on one value.
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Go(func() {
			v, err := s.PutMetaIfAbsent(ctx, "race", fmt.Appendf(nil, "v%d", i))
			if err != nil {
				t.Errorf("PutMetaIfAbsent: %v", err)
			}
			results[i] = v
		})
	}
	wg.Wait()
	for _, v := range results {
		if !bytes.Equal(v, results[0]) {
			t.Fatalf("racing PutMetaIfAbsent returned different values: %q", results)
		}
	}
}

// seedAccount gives account a resource with tags, a job and an idempotency
// record.
func seedAccount(t *testing.T, s store.Store, account string) *store.Resource {
	t.Helper()
	r := &store.Resource{Account: account, Region: region, Kind: "runtime", ID: "r-1", Name: "same-name", ARN: arnOf(account, "runtime", "r-1")}
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Insert(ctx, r); err != nil {
			return err
		}
		if err := tx.SetTags(ctx, r.ARN, map[string]string{"owner": account}); err != nil {
			return err
		}
		if err := tx.PutJob(ctx, &store.Job{Account: account, Region: region, Kind: "runtime", ResourceID: "r-1", DueAt: time.Unix(1, 0)}); err != nil {
			return err
		}
		return tx.PutIdempotency(ctx, &store.IdempotencyRecord{Account: account, Region: region, Operation: "Op", Token: "t", StatusCode: 200})
	})
	return r
}

// accountState reports which of the seeded rows of account exist.
func accountState(t *testing.T, s store.Store, account string) string {
	t.Helper()
	var state string
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		k := store.Key{Account: account, Region: region, Kind: "runtime", ID: "r-1"}
		_, err := tx.Get(ctx, k)
		state += present(err)
		tags, err := tx.Tags(ctx, arnOf(account, "runtime", "r-1"))
		if err != nil {
			return err
		}
		state += fmt.Sprintf(" tags=%d", len(tags))
		_, err = tx.GetJob(ctx, k)
		state += " job=" + present(err)
		_, err = tx.GetIdempotency(ctx, account, region, "Op", "t")
		state += " idem=" + present(err)
		return nil
	})
	return state
}

func present(err error) string {
	switch {
	case err == nil:
		return "yes"
	case errors.Is(err, store.ErrNotFound):
		return "no"
	default:
		return err.Error()
	}
}

func testReset(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	seedAccount(t, s, acct)
	seedAccount(t, s, acct2)
	if _, err := s.PutMetaIfAbsent(ctx, "token-key", []byte("k")); err != nil {
		t.Fatalf("PutMetaIfAbsent: %v", err)
	}
	const all, none = "yes tags=1 job=yes idem=yes", "no tags=0 job=no idem=no"

	if err := s.Reset(ctx, acct); err != nil {
		t.Fatalf("Reset(%s): %v", acct, err)
	}
	if got := accountState(t, s, acct); got != none {
		t.Fatalf("reset account: %s, want %s", got, none)
	}
	if got := accountState(t, s, acct2); got != all {
		t.Fatalf("other account after Reset: %s, want %s", got, all)
	}

	// The reset account starts afresh: its names and ARNs are free.
	seedAccount(t, s, acct)
	if err := s.Reset(ctx, ""); err != nil {
		t.Fatalf("Reset(all): %v", err)
	}
	for _, a := range []string{acct, acct2} {
		if got := accountState(t, s, a); got != none {
			t.Fatalf("account %s after Reset(all): %s, want %s", a, got, none)
		}
	}
	// Server-wide settings are not account data.
	if v, err := s.GetMeta(ctx, "token-key"); err != nil || string(v) != "k" {
		t.Fatalf("meta after Reset(all) = %q, %v; want it kept", v, err)
	}
}

func testRollbackOnError(t *testing.T, open Opener) {
	s := open(t)
	r := seedAccount(t, s, acct)
	ctx := ctxFor(t)
	errBoom := errors.New("boom")
	sentinel := fmt.Errorf("callback failed: %w", errBoom)

	err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, res("new", "new")); err != nil {
			return err
		}
		cur, err := tx.Get(ctx, r.Key())
		if err != nil {
			return err
		}
		cur.Status = "CHANGED"
		if err := tx.Update(ctx, cur); err != nil {
			return err
		}
		if err := tx.SetTags(ctx, r.ARN, map[string]string{"x": "y"}); err != nil {
			return err
		}
		if err := tx.DeleteJob(ctx, r.Key()); err != nil {
			return err
		}
		if err := tx.PutIdempotency(ctx, &store.IdempotencyRecord{Account: acct, Region: region, Operation: "Op", Token: "t2"}); err != nil {
			return err
		}
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("Write returned %v, want the callback's error unchanged", err)
	}
	if !errors.Is(err, errBoom) {
		t.Fatalf("errors.Is through the callback's error failed")
	}
	assertUntouched(t, s, r)
}

func assertUntouched(t *testing.T, s store.Store, r *store.Resource) {
	t.Helper()
	wantNotFound(t, s, key("new"))
	if got := mustGet(t, s, r.Key()); got.Status != r.Status || got.Revision != 1 {
		t.Fatalf("update survived rollback: %+v", got)
	}
	if got := accountState(t, s, acct); got != "yes tags=1 job=yes idem=yes" {
		t.Fatalf("state after rollback: %s", got)
	}
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetIdempotency(ctx, acct, region, "Op", "t2")
		wantErr(t, "idempotency after rollback", err, store.ErrNotFound)
		return nil
	})
}

func testRollbackOnPanic(t *testing.T, open Opener) {
	s := open(t)
	r := seedAccount(t, s, acct)
	ctx := ctxFor(t)

	type boom struct{ msg string }
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = s.Write(ctx, func(tx store.Tx) error {
			if err := tx.Insert(ctx, res("new", "new")); err != nil {
				return err
			}
			if err := tx.SetTags(ctx, r.ARN, map[string]string{"x": "y"}); err != nil {
				return err
			}
			panic(boom{"in callback"})
		})
	}()
	if recovered != (boom{"in callback"}) {
		t.Fatalf("recovered %v, want the callback's panic value", recovered)
	}
	assertUntouched(t, s, r)

	// The store is still usable: the connection was released.
	for i := range 3 {
		insert(t, s, res(fmt.Sprintf("after-%d", i), ""))
	}
}

func testWriteInsideRead(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	err := s.Read(ctx, func(tx store.Tx) error { return tx.Insert(ctx, res("r-1", "")) })
	if err == nil {
		t.Fatal("Insert inside Read succeeded")
	}
	wantNotFound(t, s, key("r-1"))
}

func testContextCanceled(t *testing.T, open Opener) {
	s := open(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := s.Write(canceled, func(tx store.Tx) error {
		called = true
		return tx.Insert(canceled, res("r-1", ""))
	})
	wantErr(t, "Write with canceled context", err, context.Canceled)
	err = s.Read(canceled, func(tx store.Tx) error {
		called = true
		return nil
	})
	wantErr(t, "Read with canceled context", err, context.Canceled)
	if called {
		t.Fatal("callback ran with a canceled context")
	}
	_, err = s.DueJobs(canceled, time.Now(), 10, time.Minute)
	wantErr(t, "DueJobs with canceled context", err, context.Canceled)

	// Canceled while the callback runs: nothing commits.
	ctx, cancel := context.WithCancel(context.Background())
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, res("r-2", "")); err != nil {
			return err
		}
		cancel()
		return tx.Insert(ctx, res("r-3", ""))
	})
	if err == nil {
		t.Fatal("Write canceled mid-way succeeded")
	}
	wantErr(t, "Write canceled mid-way", err, context.Canceled)
	wantNotFound(t, s, key("r-1"))
	wantNotFound(t, s, key("r-2"))

	// A deadline counts as the database being unavailable.
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	err = s.Write(expired, func(tx store.Tx) error { return nil })
	wantErr(t, "Write past deadline", err, context.DeadlineExceeded)
	wantErr(t, "Write past deadline", err, store.ErrUnavailable)

	// And the store still works.
	insert(t, s, res("r-4", ""))
}

// A Read sees one snapshot: a Write committed meanwhile is invisible to it.
func testReadSnapshot(t *testing.T, open Opener) {
	s := open(t)
	insert(t, s, res("r-1", ""))
	read(t, s, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.Count(ctx, acct, region, "runtime", "")
		if err != nil || n != 1 {
			t.Fatalf("Count = %d, %v; want 1", n, err)
		}
		insert(t, s, res("r-2", ""))
		n, err = tx.Count(ctx, acct, region, "runtime", "")
		if err != nil || n != 1 {
			t.Fatalf("Count after concurrent insert = %d, %v; want 1 (same snapshot)", n, err)
		}
		return nil
	})
	mustGet(t, s, key("r-2"))
}

func testReadNotBlockedByWrite(t *testing.T, open Opener) {
	s := open(t)
	insert(t, s, res("r-1", ""))
	inWrite, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		ctx := context.Background()
		done <- s.Write(ctx, func(tx store.Tx) error {
			if err := tx.Insert(ctx, res("r-2", "")); err != nil {
				return err
			}
			cur, err := tx.Get(ctx, key("r-1"))
			if err != nil {
				return err
			}
			if err := tx.Update(ctx, cur); err != nil {
				return err
			}
			close(inWrite)
			<-release
			return nil
		})
	}()
	select {
	case <-inWrite:
	case err := <-done:
		t.Fatalf("Write ended early: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Read(ctx, func(tx store.Tx) error {
		r, err := tx.Get(ctx, key("r-1"))
		if err != nil {
			return err
		}
		if r.Revision != 1 {
			t.Errorf("Read saw an uncommitted update")
		}
		_, err = tx.Get(ctx, key("r-2"))
		wantErr(t, "uncommitted insert", err, store.ErrNotFound)
		return nil
	})
	close(release)
	if err != nil {
		t.Fatalf("Read while a Write is open: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Write: %v", err)
	}
	mustGet(t, s, key("r-2"))
}

// Read-modify-write in Write is serializable: no increment is lost.
func testConcurrentCounter(t *testing.T, open Opener) {
	s := open(t)
	counter := res("counter", "counter")
	counter.Doc = binary.BigEndian.AppendUint64(nil, 0)
	insert(t, s, counter)

	const workers, perWorker = 20, 5
	ctx := ctxFor(t)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				err := s.Write(ctx, func(tx store.Tx) error {
					r, err := tx.Get(ctx, key("counter"))
					if err != nil {
						return err
					}
					n := binary.BigEndian.Uint64(r.Doc)
					r.Doc = binary.BigEndian.AppendUint64(nil, n+1)
					return tx.Update(ctx, r)
				})
				if err != nil {
					t.Errorf("increment: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := mustGet(t, s, key("counter"))
	if n := binary.BigEndian.Uint64(got.Doc); n != workers*perWorker {
		t.Fatalf("counter = %d, want %d", n, workers*perWorker)
	}
	if got.Revision != workers*perWorker+1 {
		t.Fatalf("revision = %d, want %d", got.Revision, workers*perWorker+1)
	}
}

// Two writers inserting the same name: exactly one wins.
func testConcurrentSameName(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	for round := range 10 {
		name := fmt.Sprintf("name-%d", round)
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() {
				<-start
				errs[i] = s.Write(ctx, func(tx store.Tx) error {
					// Look first, as a service would, then insert.
					if _, err := tx.GetByName(ctx, acct, region, "runtime", "", name); err == nil {
						return fmt.Errorf("%w: name taken", store.ErrConflict)
					}
					return tx.Insert(ctx, res(fmt.Sprintf("r-%d-%d", round, i), name))
				})
			})
		}
		close(start)
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d wins, %d conflicts; want 1 and 1 (%v)", round, wins, conflicts, errs)
		}
	}
}

func testDurability(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(t)
	r := seedAccount(t, s, acct)
	if _, err := s.PutMetaIfAbsent(ctx, "token-key", []byte("k")); err != nil {
		t.Fatalf("PutMetaIfAbsent: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after reopen: %v", err)
	}
	got := mustGet(t, s, r.Key())
	sameResource(t, "after reopen", got, r)
	if st := accountState(t, s, acct); st != "yes tags=1 job=yes idem=yes" {
		t.Fatalf("after reopen: %s", st)
	}
	if v, err := s.GetMeta(ctx, "token-key"); err != nil || string(v) != "k" {
		t.Fatalf("meta after reopen = %q, %v", v, err)
	}
	// The seq counter carried over too.
	next := res("r-2", "")
	insert(t, s, next)
	if next.Seq <= r.Seq {
		t.Fatalf("seq after reopen %d, not above %d", next.Seq, r.Seq)
	}
}

// testListRange: ids under a prefix come back in bytewise order, either
// way, paged by cursor, without ids of a neighbouring prefix, another
// kind, account or region. The ids mix cases and punctuation so that a
// locale collation would order them differently.
func testListRange(t *testing.T, open Opener) {
	s := open(t)
	mine := []string{"m|a|s|0001#a", "m|a|s|0001#B", "m|a|s|0002#0", "m|a|s|0010#f", "m|a|s|0010#F", "m|a|s|0100#_"}
	others := []string{"m|a|s", "m|a|sx|0001#a", "m|a|r|0005#a", "m|b|s|0001#a", "m|a|s}"}
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		// Inserted out of order: the order must come from the ids.
		for _, i := range []int{3, 0, 5, 1, 4, 2} {
			if err := tx.Insert(ctx, &store.Resource{Account: acct, Region: region, Kind: "event", ID: mine[i], ParentID: "m"}); err != nil {
				return err
			}
		}
		for _, id := range others {
			if err := tx.Insert(ctx, &store.Resource{Account: acct, Region: region, Kind: "event", ID: id, ParentID: "m"}); err != nil {
				return err
			}
		}
		for _, x := range []*store.Resource{
			{Account: acct, Region: region, Kind: "other", ID: mine[0]},
			{Account: acct2, Region: region, Kind: "event", ID: mine[0]},
			{Account: acct, Region: "eu-west-1", Kind: "event", ID: mine[0]},
		} {
			if err := tx.Insert(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
	rangeOf := func(q store.RangeQuery) []string {
		t.Helper()
		q.Account, q.Region, q.Kind = acct, region, "event"
		var out []*store.Resource
		read(t, s, func(ctx context.Context, tx store.Tx) error {
			var err error
			out, err = tx.ListRange(ctx, q)
			return err
		})
		return ids(out)
	}
	desc := []string{mine[5], mine[3], mine[4], mine[2], mine[0], mine[1]}
	asc := []string{mine[1], mine[0], mine[2], mine[4], mine[3], mine[5]}
	if got := rangeOf(store.RangeQuery{Prefix: "m|a|s|"}); fmt.Sprint(got) != fmt.Sprint(asc) {
		t.Errorf("ascending = %v, want %v", got, asc)
	}
	if got := rangeOf(store.RangeQuery{Prefix: "m|a|s|", Descending: true}); fmt.Sprint(got) != fmt.Sprint(desc) {
		t.Errorf("descending = %v, want %v", got, desc)
	}
	// Page through, descending, two at a time.
	var paged []string
	cursor := ""
	for range 10 {
		page := rangeOf(store.RangeQuery{Prefix: "m|a|s|", Descending: true, Cursor: cursor, Limit: 2})
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, limit 2", len(page))
		}
		paged = append(paged, page...)
		cursor = page[len(page)-1]
	}
	if fmt.Sprint(paged) != fmt.Sprint(desc) {
		t.Errorf("paged descending = %v, want %v", paged, desc)
	}
	if got := rangeOf(store.RangeQuery{Prefix: "m|a|s|", Cursor: mine[2], Limit: 2}); fmt.Sprint(got) != fmt.Sprint([]string{mine[4], mine[3]}) {
		t.Errorf("ascending after %s = %v", mine[2], got)
	}
	if got := rangeOf(store.RangeQuery{Prefix: "m|z|"}); len(got) != 0 {
		t.Errorf("empty prefix range = %v", got)
	}
	if got := len(rangeOf(store.RangeQuery{})); got != len(mine)+len(others) {
		t.Errorf("no prefix: %d rows, want %d", got, len(mine)+len(others))
	}
}
