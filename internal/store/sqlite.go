package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SQLiteFile is the name of the database file inside the directory given to
// OpenSQLite.
const SQLiteFile = "agentcored.db"

// sqliteReadConns is the size of the read pool. Readers never wait for the
// writer in WAL mode, so a few connections are enough for 2-4 cores.
const sqliteReadConns = 4

// SQLite is the embedded Store: one database file in WAL mode.
//
// Writes go through a pool of exactly one connection, so Write callbacks
// run one after another and are trivially serializable; Writes that queue
// up share one commit (group commit, sqlite_group.go). The connection also
// begins with BEGIN IMMEDIATE so that another process on the same file waits
// (busy_timeout) instead of failing half-way. Reads use a separate pool of
// read-only connections and, thanks to WAL, see the last committed state
// without waiting for a running Write.
type SQLite struct {
	write *sql.DB
	read  *sql.DB
	// checkpoint is the background checkpointer's own connection.
	checkpoint       *sql.DB
	stopCheckpointer func()
	// Statements of the hot paths, prepared once per pool (see prepareAll).
	writeStmts, readStmts stmtCache

	writer groupWriter // group commit of Writes (sqlite_group.go)
	cache  *rowCache   // rows by key, coherent with writer; nil: off (cache.go)

	// lock is the data dir's single-writer lock, released by Close.
	lock *dirLock
	// dir and file name the database for fault reports; health holds the
	// conditions (disk full, corrupt) found (sqlite_faults.go).
	dir, file string
	health    health
	lastProbe atomic.Int64 // UnixNano of the last disk-full probe

	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating if needed) <dir>/agentcored.db and applies any
// pending schema migrations.
func OpenSQLite(ctx context.Context, dir string) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	path := filepath.Join(dir, SQLiteFile)
	// The driver cuts the DSN at the first '?', so such a path cannot work.
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("store: sqlite path %q must not contain '?'", path)
	}

	// One process per data dir, before touching the database (lock_*.go).
	lock, err := lockDataDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := openSQLite(ctx, dir, path)
	if err != nil {
		lock.release()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

// openSQLite opens the database file of a locked data dir.
func openSQLite(ctx context.Context, dir, path string) (*SQLite, error) {
	// Commits a killed predecessor left in a missing WAL (sqlite_faults.go).
	logWALWarning(path)
	writeDSN, readDSN, checkpointDSN := sqliteDSNs(path)

	write, err := sql.Open(sqliteDriver, writeDSN)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	// A damaged file is refused, naming it (sqlite_faults.go); a large one
	// is checked once the store is open instead.
	checkLater := checkInBackground(path)
	if !checkLater {
		if err := quickCheck(ctx, write, path); err != nil {
			write.Close()
			return nil, err
		}
	}
	// Migrate before opening readers: the first write connection switches
	// the file to WAL mode.
	if err := migrateSQLite(ctx, write); err != nil {
		write.Close()
		return nil, err
	}

	read, err := sql.Open(sqliteDriver, readDSN)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(sqliteReadConns)
	read.SetMaxIdleConns(sqliteReadConns)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, sqliteError(ctx, "open", err)
	}
	checkpoint, err := sql.Open(sqliteDriver, checkpointDSN)
	if err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	checkpoint.SetMaxOpenConns(1)
	s := &SQLite{write: write, read: read, checkpoint: checkpoint, dir: dir, file: path, cache: newRowCache(DefaultCacheBytes)}
	if s.writeStmts, err = prepareAll(ctx, write); err == nil {
		s.readStmts, err = prepareAll(ctx, read)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.startCheckpointer()
	if checkLater {
		go s.backgroundQuickCheck()
	}
	return s, nil
}

// stmtCache holds the hot statements of one pool, by query text. Parsing a
// statement costs as much as running it (a keyed Get spent ~40% of its time
// in the parser), so each is prepared once. They are prepared at open: a
// *sql.DB statement prepared later, inside a Write, would wait for the
// write pool's only connection, which that Write holds. On the pool's other
// connections database/sql prepares them again, once, through the
// transaction's own connection (Tx.StmtContext), which cannot deadlock.
type stmtCache map[string]*sql.Stmt

// hotQueries are the statements of the Tx methods. The read pool prepares
// the writes too (preparing is allowed on a query_only connection; running
// them is not), which keeps one list.
var hotQueries = []string{
	sqlGet, sqlGetByName, sqlGetByARN, sqlNextSeq, sqlInsert, sqlUpdate, sqlExists,
	sqlDelete, sqlDeleteTags, sqlDeleteJob, sqlList, sqlListSummaries, sqlCount, sqlTags, sqlSetTag, sqlRemoveTag,
	sqlGetIdempotency, sqlPutIdempotency, sqlPutJob, sqlGetJob,
}

func prepareAll(ctx context.Context, db *sql.DB) (stmtCache, error) {
	c := stmtCache{}
	for _, q := range hotQueries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, sqliteError(ctx, "prepare", err)
		}
		c[q] = st
	}
	return c, nil
}

func (c stmtCache) close() {
	for _, st := range c {
		st.Close()
	}
}

// The statements of the Tx methods.
const (
	sqlGet = `SELECT ` + resourceColumns + ` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`
	// "name <> ''" and "arn <> ''" let SQLite use the partial unique indexes
	// (it cannot prove them from "name = ?"); without them GetByName scans
	// every resource of the kind and GetByARN the whole table.
	sqlGetByName = `SELECT ` + resourceColumns + ` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ? AND name = ? AND name <> ''`
	sqlGetByARN = `SELECT ` + resourceColumns + ` FROM resources WHERE arn = ? AND arn <> ''`
	sqlNextSeq  = `UPDATE counters SET value = value + ? WHERE name = 'resource_seq' RETURNING value`
	sqlInsert   = `INSERT INTO resources (` + resourceColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`
	sqlUpdate = `UPDATE resources
		SET name = ?, arn = ?, status = ?, revision = revision + 1, updated_at = ?, doc = ?, summary = ?
		WHERE account = ? AND region = ? AND kind = ? AND id = ? AND revision = ?
		RETURNING parent_id, seq, created_at`
	sqlExists = `SELECT 1 FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`
	sqlDelete = `DELETE FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?
		RETURNING arn`
	sqlDeleteTags = `DELETE FROM tags WHERE arn = ?`
	sqlDeleteJob  = `DELETE FROM jobs
		WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`
	sqlList = `SELECT ` + resourceColumns + ` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ? AND seq > ?
		ORDER BY seq
		LIMIT ?`
	sqlListSummaries = `SELECT ` + summaryColumns + ` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ? AND seq > ?
		ORDER BY seq
		LIMIT ?`
	sqlCount = `SELECT COUNT(*) FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ?`
	sqlTags   = `SELECT key, value FROM tags WHERE arn = ?`
	sqlSetTag = `INSERT INTO tags (arn, key, value, account) VALUES (?, ?, ?, ?)
			ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value`
	sqlRemoveTag      = `DELETE FROM tags WHERE arn = ? AND key = ?`
	sqlGetIdempotency = `SELECT request_hash, status_code, body, created_at FROM idempotency
		WHERE account = ? AND region = ? AND operation = ? AND token = ?`
	sqlPutIdempotency = `INSERT INTO idempotency
		(account, region, operation, token, request_hash, status_code, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlPutJob = `INSERT INTO jobs (account, region, kind, resource_id, due_at, attempts, lease_until)
		VALUES (?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (account, region, kind, resource_id)
		DO UPDATE SET due_at = excluded.due_at, attempts = excluded.attempts, lease_until = 0`
	sqlGetJob = `SELECT due_at, attempts FROM jobs
		WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`
)

// sqliteMigrations are applied in order; each runs once, recorded in
// schema_migrations. Never edit a released migration: append a new one.
var sqliteMigrations = []migration{
	{version: 1, stmts: []string{
		// seq comes from the counter below, not from MAX(seq)+1, so a value
		// is never handed out twice even after the highest row is deleted.
		`CREATE TABLE counters (
			name  TEXT PRIMARY KEY,
			value INTEGER NOT NULL
		) STRICT`,
		`INSERT INTO counters (name, value) VALUES ('resource_seq', 0)`,
		`CREATE TABLE resources (
			account    TEXT NOT NULL,
			region     TEXT NOT NULL,
			kind       TEXT NOT NULL,
			id         TEXT NOT NULL,
			parent_id  TEXT NOT NULL,
			name       TEXT NOT NULL,
			arn        TEXT NOT NULL,
			status     TEXT NOT NULL,
			revision   INTEGER NOT NULL,
			seq        INTEGER NOT NULL,
			created_at INTEGER NOT NULL,
			updated_at INTEGER NOT NULL,
			doc        BLOB,
			PRIMARY KEY (account, region, kind, id)
		) STRICT`,
		`CREATE UNIQUE INDEX resources_seq ON resources (seq)`,
		`CREATE UNIQUE INDEX resources_name ON resources (account, region, kind, parent_id, name) WHERE name <> ''`,
		`CREATE UNIQUE INDEX resources_arn ON resources (arn) WHERE arn <> ''`,
		`CREATE INDEX resources_list ON resources (account, region, kind, parent_id, seq)`,
		`CREATE TABLE tags (
			arn     TEXT NOT NULL,
			key     TEXT NOT NULL,
			value   TEXT NOT NULL,
			account TEXT NOT NULL,
			PRIMARY KEY (arn, key)
		) STRICT`,
		`CREATE INDEX tags_account ON tags (account)`,
		`CREATE TABLE idempotency (
			account      TEXT NOT NULL,
			region       TEXT NOT NULL,
			operation    TEXT NOT NULL,
			token        TEXT NOT NULL,
			request_hash TEXT NOT NULL,
			status_code  INTEGER NOT NULL,
			body         BLOB,
			created_at   INTEGER NOT NULL,
			PRIMARY KEY (account, region, operation, token)
		) STRICT`,
		`CREATE TABLE jobs (
			account     TEXT NOT NULL,
			region      TEXT NOT NULL,
			kind        TEXT NOT NULL,
			resource_id TEXT NOT NULL,
			due_at      INTEGER NOT NULL,
			attempts    INTEGER NOT NULL,
			lease_until INTEGER NOT NULL,
			PRIMARY KEY (account, region, kind, resource_id)
		) STRICT`,
		`CREATE INDEX jobs_due ON jobs (due_at) WHERE due_at <> 0`,
		`CREATE TABLE meta (
			key   TEXT PRIMARY KEY,
			value BLOB NOT NULL
		) STRICT`,
	}},
	// Listing entries stored beside the documents (Resource.Summary).
	{version: 2, stmts: []string{
		`ALTER TABLE resources ADD COLUMN summary BLOB`,
	}},
	// The full-text index (search.go).
	sqliteTextMigration,
	// Scopes own ranges of text entry numbers (search.go).
	sqliteTextScopesMigration,
	// ListStatus: rows of one kind in one status across accounts (the
	// session sweeps at start) without reading every row.
	{version: 5, stmts: []string{
		`CREATE INDEX IF NOT EXISTS resources_status ON resources (kind, status)`,
	}},
}

// migration is one step of a schema; shared by both implementations.
type migration struct {
	version int64
	stmts   []string
}

func latestVersion(ms []migration) int64 {
	return ms[len(ms)-1].version
}

func migrateSQLite(ctx context.Context, db *sql.DB) error {
	// The write pool begins IMMEDIATE, so two processes opening the same
	// file migrate one after the other.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return sqliteError(ctx, "migrate: begin", err)
	}
	defer tx.Rollback()

	_, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`)
	if err != nil {
		return sqliteError(ctx, "migrate: create schema_migrations", err)
	}
	var current int64
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	if err != nil {
		return sqliteError(ctx, "migrate: read version", err)
	}
	if latest := latestVersion(sqliteMigrations); current > latest {
		return fmt.Errorf("store: database schema version %d is newer than this binary's %d", current, latest)
	}
	for _, m := range sqliteMigrations {
		if m.version <= current {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return sqliteError(ctx, fmt.Sprintf("migrate: version %d", m.version), err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.version, time.Now().UnixNano())
		if err != nil {
			return sqliteError(ctx, "migrate: record version", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return sqliteError(ctx, "migrate: commit", err)
	}
	return nil
}

// sqliteError maps a driver error to the store's errors. The result always
// names op; the original error stays in the chain unless it is a constraint
// violation or a lock timeout, which become ErrConflict and ErrUnavailable.
func sqliteError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return contextError(op, ctxErr)
	}
	switch sqlitePrimaryCode(err) {
	case codeConstraint:
		return fmt.Errorf("%w: %s: %v", ErrConflict, op, err)
	case codeBusy, codeLocked:
		return fmt.Errorf("%w: %s: %v", ErrUnavailable, op, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// Read runs fn in a read-only transaction on a consistent snapshot, on the
// read pool.
func (s *SQLite) Read(ctx context.Context, fn func(Tx) error) error {
	return s.fault(s.read0(ctx, fn))
}

func (s *SQLite) read0(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError("begin", err)
	}
	// From memory when the callback may run twice (cache.go); again on
	// SQLite alone when the cached answers were not one state.
	if s.cache != nil && repeatable(ctx) {
		if consistent, err := s.readCached(ctx, fn); consistent {
			return err
		}
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return sqliteError(ctx, "begin", err)
	}
	// After Commit this is a no-op. On a callback error, and while a panic
	// unwinds, it frees the connection.
	defer tx.Rollback()

	if err := fn(&sqliteTx{tx: tx, stmts: s.readStmts, readOnly: true}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return sqliteError(ctx, "commit", err)
	}
	return nil
}

// Write runs fn in a transaction on the single write connection, sharing
// the commit with Writes queued behind it (sqlite_group.go).
func (s *SQLite) Write(ctx context.Context, fn func(Tx) error) error {
	return s.writeGrouped(ctx, func(t *sqliteTx) error { return fn(t) })
}

// DueJobs leases up to limit due jobs (limit <= 0: all of them).
func (s *SQLite) DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Job, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	nowN := toNanos(now)
	var jobs []Job
	err := s.writeGrouped(ctx, func(t *sqliteTx) error {
		rows, err := t.query(ctx, `SELECT account, region, kind, resource_id, due_at, attempts
			FROM jobs
			WHERE due_at <> 0 AND due_at <= ? AND lease_until <= ?
			ORDER BY due_at, account, region, kind, resource_id
			LIMIT ?`, nowN, nowN, limit)
		if err != nil {
			return sqliteError(ctx, "due jobs", err)
		}
		jobs, err = scanJobs(rows)
		if err != nil {
			return sqliteError(ctx, "due jobs", err)
		}
		leaseUntil := now.Add(lease).UnixNano()
		for i := range jobs {
			j := &jobs[i]
			_, err := t.exec(ctx, `UPDATE jobs SET lease_until = ?, attempts = attempts + 1
				WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`,
				leaseUntil, j.Account, j.Region, j.Kind, j.ResourceID)
			if err != nil {
				return sqliteError(ctx, "lease job", err)
			}
			j.Attempts++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// scanJobs reads (account, region, kind, resource_id, due_at, attempts) rows
// and closes them.
func scanJobs(rows *sql.Rows) ([]Job, error) {
	defer rows.Close()
	jobs := []Job{}
	for rows.Next() {
		var j Job
		var due int64
		if err := rows.Scan(&j.Account, &j.Region, &j.Kind, &j.ResourceID, &due, &j.Attempts); err != nil {
			return nil, err
		}
		j.DueAt = fromNanos(due)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// NextDue returns when the next job can be claimed: the earliest of
// max(due_at, lease_until) over timed jobs, or zero.
func (s *SQLite) NextDue(ctx context.Context) (time.Time, error) {
	var due sql.NullInt64
	// Two-argument MAX is SQLite's scalar "greater of".
	err := s.read.QueryRowContext(ctx, `SELECT MIN(MAX(due_at, lease_until)) FROM jobs WHERE due_at <> 0`).Scan(&due)
	if err != nil {
		return time.Time{}, s.fault(sqliteError(ctx, "next due", err))
	}
	if !due.Valid {
		return time.Time{}, nil
	}
	return fromNanos(due.Int64), nil
}

// GetMeta returns the value stored under key, or ErrNotFound.
func (s *SQLite) GetMeta(ctx context.Context, key string) ([]byte, error) {
	var value []byte
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: meta %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, s.fault(sqliteError(ctx, "get meta", err))
	}
	return value, nil
}

// PutMetaIfAbsent stores value unless key exists, and returns what is stored.
func (s *SQLite) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	var stored []byte
	err := s.writeGrouped(ctx, func(t *sqliteTx) error {
		_, err := t.exec(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
		if err != nil {
			return sqliteError(ctx, "put meta", err)
		}
		err = t.queryRow(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&stored)
		if err != nil {
			return sqliteError(ctx, "put meta", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// Reset deletes the resources, tags, idempotency records and jobs of one
// account, or of every account when account is "". Meta (server-wide
// settings such as the token key) and the seq counter are kept.
func (s *SQLite) Reset(ctx context.Context, account string) error {
	return s.writeGrouped(ctx, func(t *sqliteTx) error {
		for _, table := range []string{"resources", "tags", "idempotency", "jobs"} {
			var err error
			if account == "" {
				_, err = t.exec(ctx, `DELETE FROM `+table)
			} else {
				_, err = t.exec(ctx, `DELETE FROM `+table+` WHERE account = ?`, account)
			}
			if err != nil {
				return sqliteError(ctx, "reset "+table, err)
			}
		}
		t.record(cacheChange{key: Key{Account: account}, reset: true})
		return resetTextSQLite(ctx, t, account)
	})
}

// Ping checks that both pools can reach the database file.
func (s *SQLite) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return sqliteError(ctx, "ping", err)
	}
	if err := s.write.PingContext(ctx); err != nil {
		return sqliteError(ctx, "ping", err)
	}
	return s.checkHealth(ctx)
}

// Close closes both pools; later calls return the first result.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		if s.stopCheckpointer != nil {
			s.stopCheckpointer()
		}
		// Readers first: the last connection to close checkpoints the WAL.
		s.readStmts.close()
		s.writeStmts.close()
		s.closeErr = errors.Join(s.read.Close(), s.checkpoint.Close(), s.write.Close())
		// Last: the database is closed before another process may open it.
		s.closeErr = errors.Join(s.closeErr, s.lock.release())
	})
	return s.closeErr
}

// sqliteTx implements Tx on a database/sql transaction.
type sqliteTx struct {
	tx       *sql.Tx
	stmts    stmtCache
	readOnly bool
	// noCancel: statements ignore the caller's cancellation (a write
	// group's transaction holds other callers' work; see sqlite_group.go).
	noCancel bool
	// seqNext..seqEnd-1 are seqs this transaction has reserved and not yet
	// used (see nextSeq).
	seqNext, seqEnd int64
	// changes are the rows this write transaction changed, for the cache
	// once they are committed (cache.go).
	changes []cacheChange
}

// seqBlock is how many seqs a write transaction reserves at once. A create
// inserts several rows (an agent runtime: four); reserving them with one
// counter update instead of one each saves statements. The seqs a
// transaction does not use are a gap, which is fine: seq only has to
// increase, and it still does from one commit to the next.
const seqBlock = 8

// nextSeq returns the next seq of this transaction.
func (t *sqliteTx) nextSeq(ctx context.Context) (int64, error) {
	if t.seqNext == t.seqEnd {
		var last int64
		if err := t.queryRow(ctx, sqlNextSeq, seqBlock).Scan(&last); err != nil {
			return 0, err
		}
		t.seqNext, t.seqEnd = last-seqBlock+1, last+1
	}
	seq := t.seqNext
	t.seqNext++
	return seq, nil
}

// context is the context statements run under (see noCancel).
func (t *sqliteTx) context(ctx context.Context) context.Context {
	if t.noCancel {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// stmt returns the prepared form of query bound to this transaction, or nil
// when query is not a hot one.
func (t *sqliteTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.stmts[query]; st != nil {
		return t.tx.StmtContext(ctx, st)
	}
	return nil
}

func (t *sqliteTx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.context(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t *sqliteTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.context(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *sqliteTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.context(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *sqliteTx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

// getOne runs a single-row resource query; what names the row in errors
// and is only called when there is one.
func (t *sqliteTx) getOne(ctx context.Context, what func() string, query string, args ...any) (*Resource, error) {
	r, err := scanResource(t.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what())
	}
	if err != nil {
		return nil, sqliteError(ctx, "get "+what(), err)
	}
	return r, nil
}

func (t *sqliteTx) Get(ctx context.Context, key Key) (*Resource, error) {
	return t.getOne(ctx, func() string { return "resource " + keyString(key) },
		sqlGet, key.Account, key.Region, key.Kind, key.ID)
}

func (t *sqliteTx) GetByName(ctx context.Context, account, region, kind, parentID, name string) (*Resource, error) {
	what := func() string { return fmt.Sprintf("%s named %q", kind, name) }
	if name == "" {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what())
	}
	return t.getOne(ctx, what, sqlGetByName, account, region, kind, parentID, name)
}

func (t *sqliteTx) GetByARN(ctx context.Context, arn string) (*Resource, error) {
	if arn == "" {
		return nil, fmt.Errorf("%w: empty ARN", ErrNotFound)
	}
	return t.getOne(ctx, func() string { return "resource " + arn }, sqlGetByARN, arn)
}

func (t *sqliteTx) Insert(ctx context.Context, r *Resource) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "insert " + keyString(r.Key())
	created, updated := insertTimes(r)
	seq, err := t.nextSeq(ctx)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	_, err = t.exec(ctx, sqlInsert,
		r.Account, r.Region, r.Kind, r.ID, r.ParentID, r.Name, r.ARN, r.Status,
		seq, created.UnixNano(), updated.UnixNano(), r.Doc, r.Summary)
	if err != nil {
		// The counter bump stays in the transaction; a gap in seq is fine.
		return sqliteError(ctx, op, err)
	}
	r.Seq = seq
	r.Revision = 1
	r.CreatedAt = created
	r.UpdatedAt = updated
	t.record(cacheChange{key: r.Key(), row: committedRow(r)})
	return nil
}

func (t *sqliteTx) Update(ctx context.Context, r *Resource) error {
	if err := t.writable(); err != nil {
		return err
	}
	key := r.Key()
	op := "update " + keyString(key)
	updated := updateTime(r)
	var parentID string
	var seq, created int64
	err := t.queryRow(ctx, sqlUpdate,
		r.Name, r.ARN, r.Status, updated.UnixNano(), r.Doc, r.Summary,
		key.Account, key.Region, key.Kind, key.ID, r.Revision).Scan(&parentID, &seq, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t.whyNotUpdated(ctx, op, key)
	}
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	// Give the caller back the columns Update never changes.
	r.ParentID = parentID
	r.Seq = seq
	r.CreatedAt = fromNanos(created)
	r.UpdatedAt = updated
	r.Revision++
	t.record(cacheChange{key: key, row: committedRow(r)})
	return nil
}

// whyNotUpdated tells a missing row (ErrNotFound) from a stale revision
// (ErrRevision) after an UPDATE matched nothing.
func (t *sqliteTx) whyNotUpdated(ctx context.Context, op string, key Key) error {
	var one int
	err := t.queryRow(ctx, sqlExists, key.Account, key.Region, key.Kind, key.ID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	return fmt.Errorf("%w: %s", ErrRevision, op)
}

func (t *sqliteTx) Delete(ctx context.Context, key Key) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "delete " + keyString(key)
	var arn string
	err := t.queryRow(ctx, sqlDelete, key.Account, key.Region, key.Kind, key.ID).Scan(&arn)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	t.record(cacheChange{key: key})
	if arn != "" {
		if _, err := t.exec(ctx, sqlDeleteTags, arn); err != nil {
			return sqliteError(ctx, op+": tags", err)
		}
	}
	_, err = t.exec(ctx, sqlDeleteJob, key.Account, key.Region, key.Kind, key.ID)
	if err != nil {
		return sqliteError(ctx, op+": job", err)
	}
	return nil
}

func (t *sqliteTx) List(ctx context.Context, q ListQuery) ([]*Resource, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	query := sqlList
	if q.SummaryOnly {
		query = sqlListSummaries
	}
	rows, err := t.query(ctx, query,
		q.Account, q.Region, q.Kind, q.ParentID, q.AfterSeq, limit)
	if err != nil {
		return nil, sqliteError(ctx, "list "+q.Kind, err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, sqliteError(ctx, "list "+q.Kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(ctx, "list "+q.Kind, err)
	}
	return out, nil
}

func (t *sqliteTx) ListRange(ctx context.Context, q RangeQuery) ([]*Resource, error) {
	// The primary key (account, region, kind, id) serves the range; BINARY
	// collation compares bytes.
	tail, args := rangeWhere(q, "id", func(int) string { return "?" })
	rows, err := t.query(ctx, `SELECT `+resourceColumns+` FROM resources WHERE `+tail, args...)
	if err != nil {
		return nil, sqliteError(ctx, "list range "+q.Kind, err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, sqliteError(ctx, "list range "+q.Kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(ctx, "list range "+q.Kind, err)
	}
	return out, nil
}

func (t *sqliteTx) Count(ctx context.Context, account, region, kind, parentID string) (int, error) {
	var n int
	err := t.queryRow(ctx, sqlCount,
		account, region, kind, parentID).Scan(&n)
	if err != nil {
		return 0, sqliteError(ctx, "count "+kind, err)
	}
	return n, nil
}

func (t *sqliteTx) Tags(ctx context.Context, arn string) (map[string]string, error) {
	rows, err := t.query(ctx, sqlTags, arn)
	if err != nil {
		return nil, sqliteError(ctx, "tags of "+arn, err)
	}
	defer rows.Close()
	tags := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, sqliteError(ctx, "tags of "+arn, err)
		}
		tags[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(ctx, "tags of "+arn, err)
	}
	return tags, nil
}

func (t *sqliteTx) SetTags(ctx context.Context, arn string, tags map[string]string) error {
	if err := t.writable(); err != nil {
		return err
	}
	account := arnAccount(arn)
	for _, k := range sortedKeys(tags) {
		_, err := t.exec(ctx, sqlSetTag,
			arn, k, tags[k], account)
		if err != nil {
			return sqliteError(ctx, "tag "+arn, err)
		}
	}
	return nil
}

func (t *sqliteTx) RemoveTags(ctx context.Context, arn string, keys []string) error {
	if err := t.writable(); err != nil {
		return err
	}
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := t.exec(ctx, sqlRemoveTag, arn, k); err != nil {
			return sqliteError(ctx, "untag "+arn, err)
		}
	}
	return nil
}

func (t *sqliteTx) GetIdempotency(ctx context.Context, account, region, operation, token string) (*IdempotencyRecord, error) {
	rec := IdempotencyRecord{Account: account, Region: region, Operation: operation, Token: token}
	var created int64
	err := t.queryRow(ctx, sqlGetIdempotency,
		account, region, operation, token).Scan(&rec.RequestHash, &rec.StatusCode, &rec.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: idempotency token %q for %s", ErrNotFound, token, operation)
	}
	if err != nil {
		return nil, sqliteError(ctx, "get idempotency", err)
	}
	rec.CreatedAt = fromNanos(created)
	return &rec, nil
}

// PutIdempotency stores rec; a zero CreatedAt is set to now.
func (t *sqliteTx) PutIdempotency(ctx context.Context, rec *IdempotencyRecord) error {
	if err := t.writable(); err != nil {
		return err
	}
	created := rec.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	_, err := t.exec(ctx, sqlPutIdempotency,
		rec.Account, rec.Region, rec.Operation, rec.Token, rec.RequestHash, rec.StatusCode,
		rec.Body, created.UnixNano())
	if err != nil {
		return sqliteError(ctx, fmt.Sprintf("put idempotency token %q for %s", rec.Token, rec.Operation), err)
	}
	rec.CreatedAt = created.UTC()
	return nil
}

// PutJob creates or replaces the job of a resource. A replaced job loses any
// lease it had: it is a new schedule.
func (t *sqliteTx) PutJob(ctx context.Context, j *Job) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(ctx, sqlPutJob,
		j.Account, j.Region, j.Kind, j.ResourceID, toNanos(j.DueAt), j.Attempts)
	if err != nil {
		return sqliteError(ctx, "put job "+keyString(j.Key()), err)
	}
	return nil
}

func (t *sqliteTx) GetJob(ctx context.Context, key Key) (*Job, error) {
	j := Job{Account: key.Account, Region: key.Region, Kind: key.Kind, ResourceID: key.ID}
	var due int64
	err := t.queryRow(ctx, sqlGetJob, key.Account, key.Region, key.Kind, key.ID).Scan(&due, &j.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: job %s", ErrNotFound, keyString(key))
	}
	if err != nil {
		return nil, sqliteError(ctx, "get job "+keyString(key), err)
	}
	j.DueAt = fromNanos(due)
	return &j, nil
}

// DeleteJob removes the job of a resource; ErrNotFound if it has none.
func (t *sqliteTx) DeleteJob(ctx context.Context, key Key) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "delete job " + keyString(key)
	res, err := t.exec(ctx, sqlDeleteJob, key.Account, key.Region, key.Kind, key.ID)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	return nil
}

func (t *sqliteTx) ListStatus(ctx context.Context, kind, status string) ([]*Resource, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources WHERE kind = ? AND status = ? ORDER BY seq`, kind, status)
	if err != nil {
		return nil, sqliteError(ctx, "list status", err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, sqliteError(ctx, "list status", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(ctx, "list status", err)
	}
	return out, nil
}

func (t *sqliteTx) ListAll(ctx context.Context) ([]*Resource, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources ORDER BY seq`)
	if err != nil {
		return nil, sqliteError(ctx, "list all", err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, sqliteError(ctx, "list all", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteError(ctx, "list all", err)
	}
	return out, nil
}

func (t *sqliteTx) ListJobs(ctx context.Context) ([]Job, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT account, region, kind, resource_id, due_at, attempts
		FROM jobs ORDER BY account, region, kind, resource_id`)
	if err != nil {
		return nil, sqliteError(ctx, "list jobs", err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, sqliteError(ctx, "list jobs", err)
	}
	return jobs, nil
}

// Primary SQLite result codes the store maps to its own errors.
const (
	codeBusy       = 5
	codeLocked     = 6
	codeConstraint = 19
)
