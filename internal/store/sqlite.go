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
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLiteFile is the name of the database file inside the directory given to
// OpenSQLite.
const SQLiteFile = "agentcored.db"

// sqliteReadConns is the size of the read pool. Readers never wait for the
// writer in WAL mode, so a few connections are enough for 2-4 cores.
const sqliteReadConns = 4

// SQLite is the embedded Store: one database file in WAL mode.
//
// Writes go through a pool of exactly one connection, so Write transactions
// run one after another and are trivially serializable; the connection also
// begins with BEGIN IMMEDIATE so that another process on the same file waits
// (busy_timeout) instead of failing half-way. Reads use a separate pool of
// read-only connections and, thanks to WAL, see the last committed state
// without waiting for a running Write.
type SQLite struct {
	write *sql.DB
	read  *sql.DB

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

	// synchronous=NORMAL in WAL mode syncs the WAL at checkpoints only: a
	// commit survives the process being killed (the OS still has the
	// pages), though not a power cut. busy_timeout covers other processes
	// holding the file lock.
	writeDSN := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	// query_only makes a write through the read pool an error rather than a
	// second writer.
	readDSN := path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	// Migrate before opening readers: the first write connection switches
	// the file to WAL mode.
	if err := migrateSQLite(ctx, write); err != nil {
		write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", readDSN)
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
	return &SQLite{write: write, read: read}, nil
}

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
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Extended result codes are on; the low byte is the primary code.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT:
			return fmt.Errorf("%w: %s: %v", ErrConflict, op, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %s: %v", ErrUnavailable, op, err)
		}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// Read runs fn in a read-only transaction on a consistent snapshot.
func (s *SQLite) Read(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, s.read, true, func(t *sqliteTx) error { return fn(t) })
}

// Write runs fn in a transaction on the single write connection.
func (s *SQLite) Write(ctx context.Context, fn func(Tx) error) error {
	return s.run(ctx, s.write, false, func(t *sqliteTx) error { return fn(t) })
}

func (s *SQLite) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(*sqliteTx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError("begin", err)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return sqliteError(ctx, "begin", err)
	}
	// After Commit this is a no-op. On a callback error, and while a panic
	// unwinds, it undoes everything and frees the connection.
	defer tx.Rollback()

	if err := fn(&sqliteTx{tx: tx, readOnly: readOnly}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return sqliteError(ctx, "commit", err)
	}
	return nil
}

// DueJobs leases up to limit due jobs (limit <= 0: all of them).
func (s *SQLite) DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Job, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	nowN := toNanos(now)
	var jobs []Job
	err := s.run(ctx, s.write, false, func(t *sqliteTx) error {
		tx := t.tx
		rows, err := tx.QueryContext(ctx, `SELECT account, region, kind, resource_id, due_at, attempts
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
			_, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_until = ?, attempts = attempts + 1
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
		return time.Time{}, sqliteError(ctx, "next due", err)
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
		return nil, sqliteError(ctx, "get meta", err)
	}
	return value, nil
}

// PutMetaIfAbsent stores value unless key exists, and returns what is stored.
func (s *SQLite) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	var stored []byte
	err := s.run(ctx, s.write, false, func(t *sqliteTx) error {
		tx := t.tx
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
		if err != nil {
			return sqliteError(ctx, "put meta", err)
		}
		err = tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&stored)
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
	return s.run(ctx, s.write, false, func(t *sqliteTx) error {
		tx := t.tx
		for _, table := range []string{"resources", "tags", "idempotency", "jobs"} {
			var err error
			if account == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM `+table)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE account = ?`, account)
			}
			if err != nil {
				return sqliteError(ctx, "reset "+table, err)
			}
		}
		return nil
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
	return nil
}

// Close closes both pools; later calls return the first result.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		// Readers first: the last connection to close checkpoints the WAL.
		s.closeErr = errors.Join(s.read.Close(), s.write.Close())
	})
	return s.closeErr
}

// sqliteTx implements Tx on a database/sql transaction.
type sqliteTx struct {
	tx       *sql.Tx
	readOnly bool
}

func (t *sqliteTx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

func (t *sqliteTx) getOne(ctx context.Context, what string, query string, args ...any) (*Resource, error) {
	r, err := scanResource(t.tx.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	if err != nil {
		return nil, sqliteError(ctx, "get "+what, err)
	}
	return r, nil
}

func (t *sqliteTx) Get(ctx context.Context, key Key) (*Resource, error) {
	return t.getOne(ctx, "resource "+keyString(key),
		`SELECT `+resourceColumns+` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
		key.Account, key.Region, key.Kind, key.ID)
}

func (t *sqliteTx) GetByName(ctx context.Context, account, region, kind, parentID, name string) (*Resource, error) {
	what := fmt.Sprintf("%s named %q", kind, name)
	if name == "" {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return t.getOne(ctx, what,
		`SELECT `+resourceColumns+` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ? AND name = ?`,
		account, region, kind, parentID, name)
}

func (t *sqliteTx) GetByARN(ctx context.Context, arn string) (*Resource, error) {
	what := "resource " + arn
	if arn == "" {
		return nil, fmt.Errorf("%w: empty ARN", ErrNotFound)
	}
	return t.getOne(ctx, what, `SELECT `+resourceColumns+` FROM resources WHERE arn = ?`, arn)
}

func (t *sqliteTx) Insert(ctx context.Context, r *Resource) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "insert " + keyString(r.Key())
	created, updated := insertTimes(r)
	var seq int64
	err := t.tx.QueryRowContext(ctx,
		`UPDATE counters SET value = value + 1 WHERE name = 'resource_seq' RETURNING value`).Scan(&seq)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO resources (`+resourceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
		r.Account, r.Region, r.Kind, r.ID, r.ParentID, r.Name, r.ARN, r.Status,
		seq, created.UnixNano(), updated.UnixNano(), r.Doc)
	if err != nil {
		// The counter bump stays in the transaction; a gap in seq is fine.
		return sqliteError(ctx, op, err)
	}
	r.Seq = seq
	r.Revision = 1
	r.CreatedAt = created
	r.UpdatedAt = updated
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
	err := t.tx.QueryRowContext(ctx, `UPDATE resources
		SET name = ?, arn = ?, status = ?, revision = revision + 1, updated_at = ?, doc = ?
		WHERE account = ? AND region = ? AND kind = ? AND id = ? AND revision = ?
		RETURNING parent_id, seq, created_at`,
		r.Name, r.ARN, r.Status, updated.UnixNano(), r.Doc,
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
	return nil
}

// whyNotUpdated tells a missing row (ErrNotFound) from a stale revision
// (ErrRevision) after an UPDATE matched nothing.
func (t *sqliteTx) whyNotUpdated(ctx context.Context, op string, key Key) error {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&one)
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
	err := t.tx.QueryRowContext(ctx, `DELETE FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND id = ?
		RETURNING arn`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&arn)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	if arn != "" {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM tags WHERE arn = ?`, arn); err != nil {
			return sqliteError(ctx, op+": tags", err)
		}
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM jobs
		WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`,
		key.Account, key.Region, key.Kind, key.ID)
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
	rows, err := t.tx.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ? AND seq > ?
		ORDER BY seq
		LIMIT ?`,
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

func (t *sqliteTx) Count(ctx context.Context, account, region, kind, parentID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM resources
		WHERE account = ? AND region = ? AND kind = ? AND parent_id = ?`,
		account, region, kind, parentID).Scan(&n)
	if err != nil {
		return 0, sqliteError(ctx, "count "+kind, err)
	}
	return n, nil
}

func (t *sqliteTx) Tags(ctx context.Context, arn string) (map[string]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT key, value FROM tags WHERE arn = ?`, arn)
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
		_, err := t.tx.ExecContext(ctx, `INSERT INTO tags (arn, key, value, account) VALUES (?, ?, ?, ?)
			ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value`,
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
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM tags WHERE arn = ? AND key = ?`, arn, k); err != nil {
			return sqliteError(ctx, "untag "+arn, err)
		}
	}
	return nil
}

func (t *sqliteTx) GetIdempotency(ctx context.Context, account, region, operation, token string) (*IdempotencyRecord, error) {
	rec := IdempotencyRecord{Account: account, Region: region, Operation: operation, Token: token}
	var created int64
	err := t.tx.QueryRowContext(ctx, `SELECT request_hash, status_code, body, created_at FROM idempotency
		WHERE account = ? AND region = ? AND operation = ? AND token = ?`,
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
	_, err := t.tx.ExecContext(ctx, `INSERT INTO idempotency
		(account, region, operation, token, request_hash, status_code, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
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
	_, err := t.tx.ExecContext(ctx, `INSERT INTO jobs (account, region, kind, resource_id, due_at, attempts, lease_until)
		VALUES (?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (account, region, kind, resource_id)
		DO UPDATE SET due_at = excluded.due_at, attempts = excluded.attempts, lease_until = 0`,
		j.Account, j.Region, j.Kind, j.ResourceID, toNanos(j.DueAt), j.Attempts)
	if err != nil {
		return sqliteError(ctx, "put job "+keyString(j.Key()), err)
	}
	return nil
}

func (t *sqliteTx) GetJob(ctx context.Context, key Key) (*Job, error) {
	j := Job{Account: key.Account, Region: key.Region, Kind: key.Kind, ResourceID: key.ID}
	var due int64
	err := t.tx.QueryRowContext(ctx, `SELECT due_at, attempts FROM jobs
		WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&due, &j.Attempts)
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
	res, err := t.tx.ExecContext(ctx, `DELETE FROM jobs
		WHERE account = ? AND region = ? AND kind = ? AND resource_id = ?`,
		key.Account, key.Region, key.Kind, key.ID)
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
