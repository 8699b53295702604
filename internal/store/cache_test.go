package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"agentcored/internal/store"
	"agentcored/internal/store/storetest"
)

// repeatableStore marks every Read repeatable, so that the conformance
// suite runs its reads through the row cache.
type repeatableStore struct{ store.Store }

func (s repeatableStore) Read(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Read(store.WithRepeatableRead(ctx), fn)
}

func TestSQLiteConformanceThroughCache(t *testing.T) {
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		mu.Unlock()
		s, err := store.OpenSQLite(context.Background(), dir)
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return repeatableStore{s}
	})
}

func openCached(t *testing.T) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func cacheKey(id string) store.Key {
	return store.Key{Account: "111122223333", Region: "us-east-1", Kind: "runtime", ID: id}
}

func cacheRow(id, doc string) *store.Resource {
	k := cacheKey(id)
	return &store.Resource{Account: k.Account, Region: k.Region, Kind: k.Kind, ID: id, Name: "n" + id,
		ARN: "arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/" + id, Status: "READY", Doc: []byte(doc)}
}

// getBoth reads key through the cache and on SQLite alone.
func getBoth(t *testing.T, s *store.SQLite, key store.Key) (cached, plain *store.Resource, cachedErr, plainErr error) {
	t.Helper()
	ctx := context.Background()
	cachedErr = s.Read(store.WithRepeatableRead(ctx), func(tx store.Tx) error {
		var err error
		cached, err = tx.Get(ctx, key)
		return err
	})
	plainErr = s.Read(ctx, func(tx store.Tx) error {
		var err error
		plain, err = tx.Get(ctx, key)
		return err
	})
	return
}

func sameRow(a, b *store.Resource) bool {
	return a.Account == b.Account && a.Region == b.Region && a.Kind == b.Kind && a.ID == b.ID &&
		a.ParentID == b.ParentID && a.Name == b.Name && a.ARN == b.ARN && a.Status == b.Status &&
		a.Revision == b.Revision && a.Seq == b.Seq && a.CreatedAt == b.CreatedAt && a.UpdatedAt == b.UpdatedAt &&
		bytes.Equal(a.Doc, b.Doc) && bytes.Equal(a.Summary, b.Summary) &&
		(a.Doc == nil) == (b.Doc == nil) && (a.Summary == nil) == (b.Summary == nil)
}

func TestCacheFollowsWrites(t *testing.T) {
	s := openCached(t)
	ctx := context.Background()
	key := cacheKey("r1")
	failed := errors.New("callback failed")

	steps := []struct {
		name    string
		write   func(tx store.Tx) error
		wantErr error // of the Write
		gone    bool  // the row must read as not found afterwards
		doc     string
	}{
		{name: "insert", write: func(tx store.Tx) error { return tx.Insert(ctx, cacheRow("r1", `{"v":1}`)) }, doc: `{"v":1}`},
		{name: "update", doc: `{"v":2}`, write: func(tx store.Tx) error {
			r, err := tx.Get(ctx, key)
			if err != nil {
				return err
			}
			r.Doc, r.Summary = []byte(`{"v":2}`), []byte(`{"s":2}`)
			return tx.Update(ctx, r)
		}},
		{name: "failed update leaves the row", wantErr: failed, doc: `{"v":2}`, write: func(tx store.Tx) error {
			r, err := tx.Get(ctx, key)
			if err != nil {
				return err
			}
			r.Doc = []byte(`{"v":3}`)
			if err := tx.Update(ctx, r); err != nil {
				return err
			}
			return failed
		}},
		{name: "delete", gone: true, write: func(tx store.Tx) error { return tx.Delete(ctx, key) }},
		{name: "insert again", doc: `{"v":4}`, write: func(tx store.Tx) error { return tx.Insert(ctx, cacheRow("r1", `{"v":4}`)) }},
		{name: "reset", gone: true, write: nil},
	}
	for _, st := range steps {
		var err error
		if st.write != nil {
			err = s.Write(ctx, st.write)
		} else {
			err = s.Reset(ctx, "111122223333")
		}
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: Write = %v, want %v", st.name, err, st.wantErr)
		}
		// Twice: the first may fill the cache, the second must hit it.
		for range 2 {
			cached, plain, cerr, perr := getBoth(t, s, key)
			if st.gone {
				if !errors.Is(cerr, store.ErrNotFound) || !errors.Is(perr, store.ErrNotFound) {
					t.Fatalf("%s: Get = %v / %v, want not found", st.name, cerr, perr)
				}
				continue
			}
			if cerr != nil || perr != nil {
				t.Fatalf("%s: Get = %v / %v", st.name, cerr, perr)
			}
			if string(cached.Doc) != st.doc || !sameRow(cached, plain) {
				t.Fatalf("%s: cached %+v\nplain %+v\nwant doc %s", st.name, cached, plain, st.doc)
			}
		}
	}
	if hits, _, _, _ := s.CacheStats(); hits == 0 {
		t.Fatalf("no cache hits")
	}
}

func TestCacheCopiesRows(t *testing.T) {
	s := openCached(t)
	ctx := context.Background()
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.Insert(ctx, cacheRow("r1", `{"v":1}`)) }); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		cached, _, err, _ := getBoth(t, s, cacheKey("r1"))
		if err != nil {
			t.Fatal(err)
		}
		if string(cached.Doc) != `{"v":1}` {
			t.Fatalf("doc %s", cached.Doc)
		}
		// A caller scribbling on its row must not reach the cache.
		cached.Doc[1] = 'X'
		cached.Status = "CHANGED"
	}
}

func TestCacheBoundedByBytes(t *testing.T) {
	s := openCached(t)
	const limit = 64 << 10
	s.SetCacheBytes(limit)
	ctx := context.Background()
	doc := `{"pad":"` + string(bytes.Repeat([]byte("x"), 1000)) + `"}`
	for i := range 200 {
		id := "r" + strconv.Itoa(i)
		if err := s.Write(ctx, func(tx store.Tx) error { return tx.Insert(ctx, cacheRow(id, doc)) }); err != nil {
			t.Fatal(err)
		}
	}
	_, _, entries, size := s.CacheStats()
	if size > limit || entries == 0 || entries >= 200 {
		t.Fatalf("cache holds %d entries, %d bytes; limit %d", entries, size, limit)
	}
	// Evicted rows are still read, from SQLite.
	if cached, _, err, _ := getBoth(t, s, cacheKey("r0")); err != nil || string(cached.Doc) != doc {
		t.Fatalf("r0: %v", err)
	}
	s.SetCacheBytes(0)
	if cached, _, err, _ := getBoth(t, s, cacheKey("r199")); err != nil || string(cached.Doc) != doc {
		t.Fatalf("r199 without cache: %v", err)
	}
}

// TestCacheReadsAreOneState: writers change two rows in one transaction,
// always to the same value; a repeatable Read of both (and of a tag, on
// SQLite) must never see them differ.
func TestCacheReadsAreOneState(t *testing.T) {
	s := openCached(t)
	ctx := context.Background()
	a, b := cacheRow("a", `0`), cacheRow("b", `0`)
	if err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, a); err != nil {
			return err
		}
		return tx.Insert(ctx, b)
	}); err != nil {
		t.Fatal(err)
	}
	const writes = 300
	var writers, readers sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range writes {
				v := []byte(strconv.Itoa(w*writes + i + 1))
				err := s.Write(ctx, func(tx store.Tx) error {
					for _, k := range []store.Key{cacheKey("a"), cacheKey("b")} {
						r, err := tx.Get(ctx, k)
						if err != nil {
							return err
						}
						r.Doc = v
						if err := tx.Update(ctx, r); err != nil {
							return err
						}
					}
					return tx.SetTags(ctx, a.ARN, map[string]string{"v": string(v)})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var ra, rb *store.Resource
				var tags map[string]string
				err := s.Read(store.WithRepeatableRead(ctx), func(tx store.Tx) error {
					var err error
					if ra, err = tx.Get(ctx, cacheKey("a")); err != nil {
						return err
					}
					if rb, err = tx.Get(ctx, cacheKey("b")); err != nil {
						return err
					}
					tags, err = tx.Tags(ctx, a.ARN)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				tag, ok := tags["v"]
				if !ok {
					tag = "0"
				}
				if string(ra.Doc) != string(rb.Doc) || string(ra.Doc) != tag || ra.Revision != rb.Revision {
					errs <- fmt.Errorf("torn read: a=%s (rev %d) b=%s (rev %d) tag=%s", ra.Doc, ra.Revision, rb.Doc, rb.Revision, tag)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(done)
	readers.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if hits, _, _, _ := s.CacheStats(); hits == 0 {
		t.Fatalf("the readers never hit the cache")
	}
	// After everything, the cache and SQLite agree on both rows.
	for _, id := range []string{"a", "b"} {
		cached, plain, cerr, perr := getBoth(t, s, cacheKey(id))
		if cerr != nil || perr != nil || !sameRow(cached, plain) {
			t.Fatalf("%s: cached %+v (%v), plain %+v (%v)", id, cached, cerr, plain, perr)
		}
	}
}
