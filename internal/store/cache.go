package store

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// Row cache of the SQLite store.
//
// A get-runtime spent about half of its server time in a SQLite read
// transaction (BEGIN, the keyed lookup, COMMIT). The SQLite store has a
// single writer per data dir (the flock of lock_unix.go) and this process is
// it, so every change to a row passes through the group writer of
// sqlite_group.go. That makes an exactly coherent cache possible: each Write
// records the rows it inserted, updated or deleted, and the group that
// commits them applies the records to the cache after its COMMIT succeeded,
// while holding the cache lock, and bumps the cache's generation. Nothing
// else changes rows (Reset clears the cache the same way).
//
// Reads use the cache only when the caller marked the read repeatable
// (WithRepeatableRead): such a Read may run its callback twice. A repeatable
// Read remembers the generation it started at; it serves Gets from the
// cache and begins a SQLite transaction only for what the cache cannot
// answer. Its answers are one consistent state exactly when the generation
// is unchanged at its end (checked under the cache lock, which every commit
// holds while it becomes visible); otherwise the callback runs again as an
// ordinary SQLite Read. Rows read from SQLite are added to the cache only
// under the same condition, so a row read before a commit can never
// overwrite that commit's entry.
//
// PostgreSQL has no cache: several instances write to one database, and a
// row cached here could be changed by another instance at any time.

// DefaultCacheBytes bounds the cache: documents, summaries and key strings
// plus a fixed overhead per entry. 16 MiB holds the runtime rows of 10,000
// agent runtimes (about 1.2 KB each); beyond that the least recently used
// rows are dropped. Measured: 31 MiB of entries were 38 MiB of live heap,
// and Go's collector lets the heap grow to about twice the live data, so
// 32 MiB put the server at 150-166 MiB RSS; 16 MiB keeps it under the
// 150 MiB target at 100,000 runtimes (docs/PERFORMANCE.md, round two).
const DefaultCacheBytes = 16 << 20

// cacheEntryOverhead approximates the memory of an entry beyond its bytes:
// the Resource struct, the list element, the map slot and allocator
// rounding (measured: 38 MiB of heap for 31 MiB counted with 320).
const cacheEntryOverhead = 450

// rowCache is an LRU of rows by key, bounded by bytes.
type rowCache struct {
	mu    sync.Mutex
	gen   uint64 // bumped by every commit that changed rows; guarded by mu
	limit int64
	bytes int64
	lru   *list.List // of *cacheEntry, most recently used first
	byKey map[Key]*list.Element

	hits, misses int64 // guarded by mu, for CacheStats
}

type cacheEntry struct {
	row  *Resource // private copy: never handed out
	size int64
}

func newRowCache(limit int64) *rowCache {
	return &rowCache{limit: limit, lru: list.New(), byKey: map[Key]*list.Element{}}
}

// cacheChange is one row a Write changed: the row as committed, or a
// deletion (row nil), or, with reset, every row of account ("" = all).
type cacheChange struct {
	key   Key
	row   *Resource
	reset bool
}

// CacheStats reports the row cache's hits, misses, entries and bytes (all
// zero when the cache is off).
func (s *SQLite) CacheStats() (hits, misses int64, entries int, bytes int64) {
	c := s.cache
	if c == nil {
		return 0, 0, 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, len(c.byKey), c.bytes
}

// SetCacheBytes sets the cache's bound; 0 or less turns it off. Call it
// before the store is used (it is not safe with Reads or Writes running).
func (s *SQLite) SetCacheBytes(limit int64) {
	if limit <= 0 {
		s.cache = nil
		return
	}
	s.cache = newRowCache(limit)
}

// copyResource returns a copy of r that shares nothing with it.
func copyResource(r *Resource) *Resource {
	c := *r
	c.Doc = cloneBytes(r.Doc)
	c.Summary = cloneBytes(r.Summary)
	return &c
}

// cloneBytes copies b, keeping nil and empty apart (as SQLite does).
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// committedRow is the row a successful Insert or Update stored, as a Get
// would read it back (times through their stored nanoseconds).
func committedRow(r *Resource) *Resource {
	c := copyResource(r)
	c.CreatedAt = fromNanos(toNanos(c.CreatedAt))
	c.UpdatedAt = fromNanos(toNanos(c.UpdatedAt))
	return c
}

func entrySize(r *Resource) int64 {
	return int64(cacheEntryOverhead + len(r.Doc) + len(r.Summary) + len(r.Account) + len(r.Region) +
		len(r.Kind) + len(r.ID) + len(r.ParentID) + len(r.Name) + len(r.ARN) + len(r.Status))
}

// get returns a copy of the cached row of key if the cache is still at
// generation *gen. With adopt (nothing read yet) *gen first becomes the
// current generation.
func (c *rowCache) get(key Key, gen *uint64, adopt bool) (*Resource, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if adopt {
		*gen = c.gen
	}
	if c.gen != *gen {
		return nil, false
	}
	el, ok := c.byKey[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.lru.MoveToFront(el)
	return copyResource(el.Value.(*cacheEntry).row), true
}

// fill adds a row read from SQLite at generation gen; a later generation
// means a commit may have changed it since, and it is not added.
func (c *rowCache) fill(r *Resource, gen uint64) {
	row := copyResource(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.put(row)
	}
}

// generation is the cache's current generation.
func (c *rowCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put stores row (owned by the cache from now on); called with mu held.
func (c *rowCache) put(row *Resource) {
	key := row.Key()
	e := &cacheEntry{row: row, size: entrySize(row)}
	if e.size > c.limit {
		c.remove(key)
		return
	}
	if el, ok := c.byKey[key]; ok {
		old := el.Value.(*cacheEntry)
		c.bytes += e.size - old.size
		el.Value = e
		c.lru.MoveToFront(el)
	} else {
		c.byKey[key] = c.lru.PushFront(e)
		c.bytes += e.size
	}
	for c.bytes > c.limit {
		last := c.lru.Back()
		c.remove(last.Value.(*cacheEntry).row.Key())
	}
}

// remove drops key; called with mu held.
func (c *rowCache) remove(key Key) {
	if el, ok := c.byKey[key]; ok {
		c.bytes -= el.Value.(*cacheEntry).size
		c.lru.Remove(el)
		delete(c.byKey, key)
	}
}

// reset drops every row of account, or all rows when account is "";
// called with mu held.
func (c *rowCache) reset(account string) {
	if account == "" {
		c.lru.Init()
		c.byKey = map[Key]*list.Element{}
		c.bytes = 0
		return
	}
	for key := range c.byKey {
		if key.Account == account {
			c.remove(key)
		}
	}
}

// commit runs the group's COMMIT and, when it succeeded, applies the
// group's changes, all under the cache lock so that no repeatable Read sees
// the commit in SQLite without seeing it in the generation. A failed COMMIT
// may or may not have stored the changes, so their rows are dropped.
func (c *rowCache) commit(tx *sql.Tx, changes []cacheChange) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := tx.Commit()
	c.gen++
	for _, ch := range changes {
		switch {
		case ch.reset:
			c.reset(ch.key.Account)
		case err != nil || ch.row == nil:
			c.remove(ch.key)
		default:
			c.put(ch.row)
		}
	}
	return err
}

// commitGroup commits a write group, keeping the cache coherent (the hook
// of sqlite_group.go).
func (s *SQLite) commitGroup(g *writeGroup) error {
	if s.cache == nil || len(g.changes) == 0 {
		return g.tx.Commit()
	}
	return s.cache.commit(g.tx, g.changes)
}

// record notes a change of this write transaction for the cache (the hook
// of the Tx write methods); read transactions record nothing.
func (t *sqliteTx) record(ch cacheChange) {
	if !t.readOnly {
		t.changes = append(t.changes, ch)
	}
}

// repeatableKey marks a context whose Read callbacks may run more than once.
type repeatableKey struct{}

// WithRepeatableRead marks ctx: a Read under it may run its callback twice
// (only the last run's results count), which lets the SQLite store answer
// it from memory. Callbacks that only assign their results qualify; ones
// that append to or count into outer variables do not.
func WithRepeatableRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, repeatableKey{}, true)
}

func repeatable(ctx context.Context) bool {
	v, _ := ctx.Value(repeatableKey{}).(bool)
	return v
}

// readCached runs a repeatable Read through the cache (see the top of this
// file). It reports whether the answers were consistent; when not, the
// caller runs fn again on SQLite alone.
func (s *SQLite) readCached(ctx context.Context, fn func(Tx) error) (bool, error) {
	c := &cachedTx{s: s, gen: s.cache.generation()}
	defer c.rollback()
	err := fn(c)
	if c.hits > 0 && s.cache.generation() != c.gen {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if c.inner != nil {
		if err := c.inner.tx.Commit(); err != nil {
			return true, sqliteError(ctx, "commit", err)
		}
	}
	return true, nil
}

// cachedTx is the Tx of a repeatable Read: Gets from the cache, everything
// else on a SQLite read transaction begun when first needed.
type cachedTx struct {
	s     *SQLite
	gen   uint64
	hits  int
	inner *sqliteTx
}

var _ TextIndex = (*cachedTx)(nil)

func (c *cachedTx) sql(ctx context.Context) (*sqliteTx, error) {
	if c.inner != nil {
		return c.inner, nil
	}
	tx, err := c.s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, sqliteError(ctx, "begin", err)
	}
	c.inner = &sqliteTx{tx: tx, stmts: c.s.readStmts, readOnly: true}
	return c.inner, nil
}

func (c *cachedTx) rollback() {
	if c.inner != nil {
		c.inner.tx.Rollback()
	}
}

func (c *cachedTx) Get(ctx context.Context, key Key) (*Resource, error) {
	// Until the first answer the Read may move to the newest generation.
	if r, ok := c.s.cache.get(key, &c.gen, c.hits == 0 && c.inner == nil); ok {
		c.hits++
		return r, nil
	}
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	r, err := t.Get(ctx, key)
	if err == nil {
		c.s.cache.fill(r, c.gen)
	}
	return r, err
}

func (c *cachedTx) GetByName(ctx context.Context, account, region, kind, parentID, name string) (*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.GetByName(ctx, account, region, kind, parentID, name)
}

func (c *cachedTx) GetByARN(ctx context.Context, arn string) (*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.GetByARN(ctx, arn)
}

func (c *cachedTx) Insert(context.Context, *Resource) error { return errReadOnly }
func (c *cachedTx) Update(context.Context, *Resource) error { return errReadOnly }
func (c *cachedTx) Delete(context.Context, Key) error       { return errReadOnly }

func (c *cachedTx) List(ctx context.Context, q ListQuery) ([]*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.List(ctx, q)
}

func (c *cachedTx) Count(ctx context.Context, account, region, kind, parentID string) (int, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return 0, err
	}
	return t.Count(ctx, account, region, kind, parentID)
}

func (c *cachedTx) ListRange(ctx context.Context, q RangeQuery) ([]*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.ListRange(ctx, q)
}

func (c *cachedTx) Tags(ctx context.Context, arn string) (map[string]string, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.Tags(ctx, arn)
}

func (c *cachedTx) SetTags(context.Context, string, map[string]string) error { return errReadOnly }
func (c *cachedTx) RemoveTags(context.Context, string, []string) error       { return errReadOnly }

func (c *cachedTx) GetIdempotency(ctx context.Context, account, region, operation, token string) (*IdempotencyRecord, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.GetIdempotency(ctx, account, region, operation, token)
}

func (c *cachedTx) PutIdempotency(context.Context, *IdempotencyRecord) error { return errReadOnly }
func (c *cachedTx) PutJob(context.Context, *Job) error                       { return errReadOnly }

func (c *cachedTx) GetJob(ctx context.Context, key Key) (*Job, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.GetJob(ctx, key)
}

func (c *cachedTx) DeleteJob(context.Context, Key) error { return errReadOnly }

func (c *cachedTx) ListStatus(ctx context.Context, kind, status string) ([]*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.ListStatus(ctx, kind, status)
}

func (c *cachedTx) ListAll(ctx context.Context) ([]*Resource, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.ListAll(ctx)
}

func (c *cachedTx) ListJobs(ctx context.Context) ([]Job, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.ListJobs(ctx)
}

func (c *cachedTx) PutText(context.Context, TextEntry) error { return errReadOnly }
func (c *cachedTx) DeleteText(context.Context, Key) error    { return errReadOnly }

func (c *cachedTx) SearchText(ctx context.Context, q TextQuery) ([]TextHit, error) {
	t, err := c.sql(ctx)
	if err != nil {
		return nil, err
	}
	return t.SearchText(ctx, q)
}
