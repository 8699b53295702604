package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresOptions tunes OpenPostgresWithOptions. The zero value is valid.
//
// The same settings can be given as URL parameters, which pgx passes to the
// server: search_path=NAME, statement_timeout=MILLISECONDS and
// pool_max_conns=N. An option that is set wins over the URL.
type PostgresOptions struct {
	// Schema, when set, is created if missing and becomes the only entry of
	// search_path, so all tables live in it. Tests use it for isolation.
	Schema string
	// StatementTimeout bounds every statement. Zero means the URL's
	// statement_timeout, or 30s if the URL has none. The store also bounds
	// each transaction attempt on its side, by the statement timeout plus
	// the connect timeout, so that a network that silently drops packets
	// (where the server's timeout never arrives) ends in ErrUnavailable
	// rather than a hang. A URL statement_timeout of 0 turns both off.
	StatementTimeout time.Duration
	// MaxConns limits the pool. Zero means the URL's pool_max_conns, or the
	// pgxpool default (the greater of 4 and the number of CPUs).
	MaxConns int32
}

const (
	defaultStatementTimeout = 30 * time.Second
	defaultConnectTimeout   = 5 * time.Second
	// maxWriteAttempts bounds how often Read and Write run a callback after a
	// serialization failure or deadlock.
	maxWriteAttempts = 30
	// migrationLockID is the pg_advisory_xact_lock key that serializes
	// migrations of concurrently starting servers ("agentcor" in ASCII).
	migrationLockID = 0x6167656e74636f72
)

// Postgres is the shared Store on PostgreSQL.
//
// Write transactions run at SERIALIZABLE isolation; a serialization failure
// or deadlock re-runs the callback (bounded), so callers see either success,
// their own error, or ErrUnavailable when contention never clears. Read
// transactions are REPEATABLE READ, READ ONLY: one snapshot, never blocked.
//
// Seq comes from a sequence, so it is strictly increasing in insertion order
// but, with concurrent writers, not necessarily in commit order.
type Postgres struct {
	pool *pgxpool.Pool
	// attemptTimeout bounds one transaction attempt or one statement
	// outside a transaction; 0 means no bound.
	attemptTimeout time.Duration
	closeOnce      sync.Once
}

var _ Store = (*Postgres)(nil)

// OpenPostgres connects to url with default options and applies any pending
// schema migrations.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	return OpenPostgresWithOptions(ctx, url, PostgresOptions{})
}

// OpenPostgresWithOptions connects to url and applies any pending schema
// migrations.
func OpenPostgresWithOptions(ctx context.Context, url string, opts PostgresOptions) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse postgres url: %w", err)
	}
	params := cfg.ConnConfig.RuntimeParams
	if opts.Schema != "" {
		params["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	stmtTimeout := defaultStatementTimeout
	if opts.StatementTimeout > 0 {
		stmtTimeout = opts.StatementTimeout
		params["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	} else if v, ok := params["statement_timeout"]; ok {
		if stmtTimeout, err = parsePgDuration(v); err != nil {
			return nil, fmt.Errorf("store: postgres url: statement_timeout: %w", err)
		}
	} else {
		params["statement_timeout"] = strconv.FormatInt(defaultStatementTimeout.Milliseconds(), 10)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, pgError(ctx, "connect", err)
	}
	if err := migratePostgres(ctx, pool, opts.Schema); err != nil {
		pool.Close()
		return nil, err
	}
	p := &Postgres{pool: pool}
	if stmtTimeout > 0 {
		p.attemptTimeout = stmtTimeout + cfg.ConnConfig.ConnectTimeout
	}
	return p, nil
}

// parsePgDuration reads a PostgreSQL time setting: an integer of
// milliseconds, or a number with one of the units ms, s, min, h, d.
func parsePgDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"min", time.Minute}, {"s", time.Second}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	unit := time.Millisecond
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, unit = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.unit
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a duration", v)
	}
	return time.Duration(n) * unit, nil
}

// bound limits ctx to one attempt (see PostgresOptions.StatementTimeout).
func (p *Postgres) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if p.attemptTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, p.attemptTimeout)
}

var postgresMigrations = []migration{
	{version: 1, stmts: []string{
		// A sequence never hands out a value twice, even after deletes or
		// rolled-back inserts.
		`CREATE SEQUENCE resource_seq`,
		`CREATE TABLE resources (
			account    TEXT NOT NULL,
			region     TEXT NOT NULL,
			kind       TEXT NOT NULL,
			id         TEXT NOT NULL,
			parent_id  TEXT NOT NULL,
			name       TEXT NOT NULL,
			arn        TEXT NOT NULL,
			status     TEXT NOT NULL,
			revision   BIGINT NOT NULL,
			seq        BIGINT NOT NULL,
			created_at BIGINT NOT NULL,
			updated_at BIGINT NOT NULL,
			doc        BYTEA,
			PRIMARY KEY (account, region, kind, id)
		)`,
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
		)`,
		`CREATE INDEX tags_account ON tags (account)`,
		`CREATE TABLE idempotency (
			account      TEXT NOT NULL,
			region       TEXT NOT NULL,
			operation    TEXT NOT NULL,
			token        TEXT NOT NULL,
			request_hash TEXT NOT NULL,
			status_code  INTEGER NOT NULL,
			body         BYTEA,
			created_at   BIGINT NOT NULL,
			PRIMARY KEY (account, region, operation, token)
		)`,
		`CREATE TABLE jobs (
			account     TEXT NOT NULL,
			region      TEXT NOT NULL,
			kind        TEXT NOT NULL,
			resource_id TEXT NOT NULL,
			due_at      BIGINT NOT NULL,
			attempts    INTEGER NOT NULL,
			lease_until BIGINT NOT NULL,
			PRIMARY KEY (account, region, kind, resource_id)
		)`,
		`CREATE INDEX jobs_due ON jobs (due_at) WHERE due_at <> 0`,
		`CREATE TABLE meta (
			key   TEXT PRIMARY KEY,
			value BYTEA NOT NULL
		)`,
	}},
	// Listing entries stored beside the documents (Resource.Summary).
	{version: 2, stmts: []string{
		`ALTER TABLE resources ADD COLUMN summary BYTEA`,
	}},
	// ListRange compares ids bytewise (COLLATE "C") whatever the database's
	// collation; this index serves those ranges.
	{version: 3, stmts: []string{
		`CREATE INDEX resources_id_range ON resources (account, region, kind, (id COLLATE "C"))`,
	}},
	// The full-text index (search.go).
	postgresTextMigration,
	// An index of the text filters (search.go).
	postgresTextScopeMigration,
	// ListStatus (see the SQLite migration 5).
	{version: 6, stmts: []string{
		`CREATE INDEX IF NOT EXISTS resources_status ON resources (kind, status)`,
	}},
}

func migratePostgres(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return pgError(ctx, "migrate: begin", err)
	}
	defer rollback(tx)

	// Servers starting at once queue here; each then sees what the one
	// before it applied. The lock ends with the transaction.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockID)); err != nil {
		return pgError(ctx, "migrate: lock", err)
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return pgError(ctx, "migrate: create schema", err)
		}
	}
	_, err = tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`)
	if err != nil {
		return pgError(ctx, "migrate: create schema_migrations", err)
	}
	var current int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return pgError(ctx, "migrate: read version", err)
	}
	if latest := latestVersion(postgresMigrations); current > latest {
		return fmt.Errorf("store: database schema version %d is newer than this binary's %d", current, latest)
	}
	for _, m := range postgresMigrations {
		if m.version <= current {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return pgError(ctx, fmt.Sprintf("migrate: version %d", m.version), err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.version, time.Now().UnixNano())
		if err != nil {
			return pgError(ctx, "migrate: record version", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return pgError(ctx, "migrate: commit", err)
	}
	return nil
}

// rollback ends tx if it is still open. It runs deferred, also while a panic
// unwinds, and must not depend on the caller's context, which may be done.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx) // after Commit: ErrTxClosed, harmless
}

// pgError maps a pgx error to the store's errors, naming op.
func pgError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return contextError(op, ctxErr)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %s: %s", ErrConflict, op, pe.Message)
		case pe.Code == "57014", // query_canceled: statement_timeout
			pe.Code == "53300",                // too_many_connections
			strings.HasPrefix(pe.Code, "08"),  // connection exception
			strings.HasPrefix(pe.Code, "57P"): // server shutting down or starting
			return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
		}
		// Serialization failures keep the PgError in the chain so that
		// Write can recognise and retry them.
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if isConnectionError(err) {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func isConnectionError(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, pgconn.ErrConnClosed)
}

// maxBeginAttempts bounds how often begin takes another connection after
// one that failed before anything was sent (e.g. a pooled connection the
// database closed while it was idle).
const maxBeginAttempts = 3

// begin starts a transaction. Idle connections that died meanwhile (the
// database restarted) fail before sending anything; begin then tries a
// fresh one, so that a recovered database answers the first request.
func (p *Postgres) begin(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	for attempt := 1; ; attempt++ {
		tx, err := p.pool.BeginTx(ctx, opts)
		if err == nil || attempt == maxBeginAttempts || ctx.Err() != nil || !pgconn.SafeToRetry(err) {
			return tx, err
		}
	}
}

// isRetryable reports a serialization failure or a deadlock: the
// transaction lost a race and may succeed if run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Read runs fn in a REPEATABLE READ, READ ONLY transaction: one snapshot.
// PostgreSQL never fails such a transaction for serialization, but
// distributed PostgreSQL-compatible databases can (CockroachDB runs it as
// SERIALIZABLE and may answer 40001); it is then re-run like a Write.
func (p *Postgres) Read(ctx context.Context, fn func(Tx) error) error {
	return p.retrying(ctx, func() (bool, error) { return p.readOnce(ctx, fn) })
}

func (p *Postgres) readOnce(ctx context.Context, fn func(Tx) error) (retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, contextError("begin", err)
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	tx, err := p.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return false, pgError(ctx, "begin", err)
	}
	defer rollback(tx)
	t := newPgTx(ctx, tx, true)
	if err := fn(t); err != nil {
		return t.lostRace, err
	}
	if err := tx.Commit(ctx); err != nil {
		if isRetryable(err) {
			return true, err
		}
		return false, pgError(ctx, "commit", err)
	}
	return false, nil
}

// Write runs fn in a SERIALIZABLE transaction, re-running it after a
// serialization failure or deadlock up to maxWriteAttempts times in all.
func (p *Postgres) Write(ctx context.Context, fn func(Tx) error) error {
	return p.serializable(ctx, func(t *pgTx) error { return fn(t) })
}

func (p *Postgres) serializable(ctx context.Context, fn func(*pgTx) error) error {
	return p.retrying(ctx, func() (bool, error) { return p.writeOnce(ctx, fn) })
}

// retrying runs once until it succeeds, fails for a reason other than a
// lost race, or has run maxWriteAttempts times.
func (p *Postgres) retrying(ctx context.Context, once func() (retry bool, err error)) error {
	var err error
	for attempt := 1; attempt <= maxWriteAttempts; attempt++ {
		var retry bool
		retry, err = once()
		if !retry {
			return err
		}
		// Jittered exponential backoff (up to 64ms) spreads out the
		// transactions that keep colliding.
		backoff := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return contextError("retry", ctx.Err())
		case <-time.After(backoff):
		}
	}
	return fmt.Errorf("%w: transaction still conflicting after %d attempts: %w", ErrUnavailable, maxWriteAttempts, err)
}

// writeOnce runs one attempt. retry is true when the attempt failed only
// because it lost a race with another transaction.
func (p *Postgres) writeOnce(ctx context.Context, fn func(*pgTx) error) (retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, contextError("begin", err)
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	tx, err := p.begin(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return false, pgError(ctx, "begin", err)
	}
	// After Commit this is a no-op. On a callback error, and while a panic
	// unwinds, it undoes everything and frees the connection.
	defer rollback(tx)

	t := newPgTx(ctx, tx, false)
	if err := fn(t); err != nil {
		// The callback may have wrapped or replaced the store's error, so
		// rely on what the transaction saw rather than on err.
		return t.lostRace, err
	}
	if err := tx.Commit(ctx); err != nil {
		if isRetryable(err) {
			return true, err
		}
		return false, pgError(ctx, "commit", err)
	}
	return false, nil
}

// DueJobs leases up to limit due jobs (limit <= 0: all of them). One
// statement picks and leases them; SKIP LOCKED lets concurrent callers take
// disjoint sets without waiting for each other.
func (p *Postgres) DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Job, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	ctx, cancel := p.bound(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `UPDATE jobs SET lease_until = $1, attempts = attempts + 1
		WHERE (account, region, kind, resource_id) IN (
			SELECT account, region, kind, resource_id FROM jobs
			WHERE due_at <> 0 AND due_at <= $2 AND lease_until <= $2
			ORDER BY due_at, account, region, kind, resource_id
			LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING account, region, kind, resource_id, due_at, attempts`,
		now.Add(lease).UnixNano(), toNanos(now), lim)
	if err != nil {
		return nil, pgError(ctx, "due jobs", err)
	}
	jobs, err := scanPgJobs(rows)
	if err != nil {
		return nil, pgError(ctx, "due jobs", err)
	}
	// RETURNING has no order.
	sort.Slice(jobs, func(i, k int) bool {
		a, b := jobs[i], jobs[k]
		if !a.DueAt.Equal(b.DueAt) {
			return a.DueAt.Before(b.DueAt)
		}
		return keyString(a.Key()) < keyString(b.Key())
	})
	return jobs, nil
}

func scanPgJobs(rows pgx.Rows) ([]Job, error) {
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
func (p *Postgres) NextDue(ctx context.Context) (time.Time, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	var due *int64
	err := p.pool.QueryRow(ctx, `SELECT MIN(GREATEST(due_at, lease_until)) FROM jobs WHERE due_at <> 0`).Scan(&due)
	if err != nil {
		return time.Time{}, pgError(ctx, "next due", err)
	}
	if due == nil {
		return time.Time{}, nil
	}
	return fromNanos(*due), nil
}

// GetMeta returns the value stored under key, or ErrNotFound.
func (p *Postgres) GetMeta(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	var value []byte
	err := p.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: meta %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, pgError(ctx, "get meta", err)
	}
	return value, nil
}

// PutMetaIfAbsent stores value unless key exists, and returns what is stored.
func (p *Postgres) PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error) {
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	// Two autocommit statements: a concurrent inserter makes ON CONFLICT wait
	// for its commit, and the SELECT, with a fresh snapshot, then sees its row.
	bctx, cancel := p.bound(ctx)
	defer cancel()
	_, err := p.pool.Exec(bctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return nil, pgError(bctx, "put meta", err)
	}
	return p.GetMeta(ctx, key)
}

// Reset deletes the resources, tags, idempotency records and jobs of one
// account, or of every account when account is "". Meta (server-wide
// settings such as the token key) and the seq sequence are kept.
func (p *Postgres) Reset(ctx context.Context, account string) error {
	return p.serializable(ctx, func(t *pgTx) error {
		for _, table := range []string{"resources", "tags", "idempotency", "jobs"} {
			var err error
			if account == "" {
				_, err = t.tx.Exec(t.ctx, `DELETE FROM `+table)
			} else {
				_, err = t.tx.Exec(t.ctx, `DELETE FROM `+table+` WHERE account = $1`, account)
			}
			if err != nil {
				return t.error(t.ctx, "reset "+table, err)
			}
		}
		return resetTextPostgres(t, account)
	})
}

// Ping checks that the server answers.
func (p *Postgres) Ping(ctx context.Context) error {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	if err := p.pool.Ping(ctx); err != nil {
		return pgError(ctx, "ping", err)
	}
	return nil
}

// Close closes the pool, waiting for borrowed connections; later calls do
// nothing.
func (p *Postgres) Close() error {
	p.closeOnce.Do(p.pool.Close)
	return nil
}

// pgTx implements Tx on a pgx transaction.
type pgTx struct {
	tx pgx.Tx
	// ctx is the attempt's bounded context; statements run with the
	// caller's context cut to its deadline (see bound).
	ctx      context.Context
	readOnly bool
	// lostRace records a serialization failure or deadlock seen by any
	// statement; the transaction is then aborted and Write retries it.
	lostRace bool
}

func newPgTx(ctx context.Context, tx pgx.Tx, readOnly bool) *pgTx {
	return &pgTx{tx: tx, ctx: ctx, readOnly: readOnly}
}

// bound cuts the caller's ctx to the attempt's deadline, if it has one.
func (t *pgTx) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if deadline, ok := t.ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline)
	}
	return ctx, func() {}
}

func (t *pgTx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return nil
}

func (t *pgTx) error(ctx context.Context, op string, err error) error {
	if isRetryable(err) {
		t.lostRace = true
	}
	return pgError(ctx, op, err)
}

func (t *pgTx) getOne(ctx context.Context, what string, query string, args ...any) (*Resource, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	r, err := scanResource(t.tx.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	if err != nil {
		return nil, t.error(ctx, "get "+what, err)
	}
	return r, nil
}

func (t *pgTx) Get(ctx context.Context, key Key) (*Resource, error) {
	return t.getOne(ctx, "resource "+keyString(key),
		`SELECT `+resourceColumns+` FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4`,
		key.Account, key.Region, key.Kind, key.ID)
}

func (t *pgTx) GetByName(ctx context.Context, account, region, kind, parentID, name string) (*Resource, error) {
	what := fmt.Sprintf("%s named %q", kind, name)
	if name == "" {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	// "name <> ''" (and "arn <> ''" below) match the partial unique
	// indexes, so that a generic plan can use them too.
	return t.getOne(ctx, what,
		`SELECT `+resourceColumns+` FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND parent_id = $4 AND name = $5 AND name <> ''`,
		account, region, kind, parentID, name)
}

func (t *pgTx) GetByARN(ctx context.Context, arn string) (*Resource, error) {
	if arn == "" {
		return nil, fmt.Errorf("%w: empty ARN", ErrNotFound)
	}
	return t.getOne(ctx, "resource "+arn, `SELECT `+resourceColumns+` FROM resources WHERE arn = $1 AND arn <> ''`, arn)
}

// Insert adds r. ON CONFLICT DO NOTHING turns a duplicate into "no row
// returned" instead of an error, which in PostgreSQL would abort the whole
// transaction; the callback can then go on after ErrConflict, as with SQLite.
func (t *pgTx) Insert(ctx context.Context, r *Resource) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	op := "insert " + keyString(r.Key())
	created, updated := insertTimes(r)
	var seq int64
	err := t.tx.QueryRow(ctx, `INSERT INTO resources (`+resourceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, nextval('resource_seq'), $9, $10, $11, $12)
		ON CONFLICT DO NOTHING
		RETURNING seq`,
		r.Account, r.Region, r.Kind, r.ID, r.ParentID, r.Name, r.ARN, r.Status,
		created.UnixNano(), updated.UnixNano(), r.Doc, r.Summary).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s: id, name or ARN already exists", ErrConflict, op)
	}
	if err != nil {
		return t.error(ctx, op, err)
	}
	r.Seq = seq
	r.Revision = 1
	r.CreatedAt = created
	r.UpdatedAt = updated
	return nil
}

// Update runs inside a savepoint: a new name or ARN that collides raises a
// unique violation, and the savepoint keeps that from aborting the whole
// transaction.
func (t *pgTx) Update(ctx context.Context, r *Resource) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	key := r.Key()
	op := "update " + keyString(key)
	updated := updateTime(r)

	sp, err := t.tx.Begin(ctx)
	if err != nil {
		return t.error(ctx, op, err)
	}
	defer rollback(sp)

	var parentID string
	var seq, created int64
	err = sp.QueryRow(ctx, `UPDATE resources
		SET name = $1, arn = $2, status = $3, revision = revision + 1, updated_at = $4, doc = $5, summary = $6
		WHERE account = $7 AND region = $8 AND kind = $9 AND id = $10 AND revision = $11
		RETURNING parent_id, seq, created_at`,
		r.Name, r.ARN, r.Status, updated.UnixNano(), r.Doc, r.Summary,
		key.Account, key.Region, key.Kind, key.ID, r.Revision).Scan(&parentID, &seq, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		if err := sp.Commit(ctx); err != nil {
			return t.error(ctx, op, err)
		}
		return t.whyNotUpdated(ctx, op, key)
	}
	if err != nil {
		return t.error(ctx, op, err)
	}
	if err := sp.Commit(ctx); err != nil {
		return t.error(ctx, op, err)
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
func (t *pgTx) whyNotUpdated(ctx context.Context, op string, key Key) error {
	var one int
	err := t.tx.QueryRow(ctx, `SELECT 1 FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	if err != nil {
		return t.error(ctx, op, err)
	}
	return fmt.Errorf("%w: %s", ErrRevision, op)
}

func (t *pgTx) Delete(ctx context.Context, key Key) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	op := "delete " + keyString(key)
	var arn string
	err := t.tx.QueryRow(ctx, `DELETE FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4
		RETURNING arn`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&arn)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	if err != nil {
		return t.error(ctx, op, err)
	}
	if arn != "" {
		if _, err := t.tx.Exec(ctx, `DELETE FROM tags WHERE arn = $1`, arn); err != nil {
			return t.error(ctx, op+": tags", err)
		}
	}
	_, err = t.tx.Exec(ctx, `DELETE FROM jobs
		WHERE account = $1 AND region = $2 AND kind = $3 AND resource_id = $4`,
		key.Account, key.Region, key.Kind, key.ID)
	if err != nil {
		return t.error(ctx, op+": job", err)
	}
	return nil
}

func (t *pgTx) List(ctx context.Context, q ListQuery) ([]*Resource, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	var limit any // NULL: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	columns := resourceColumns
	if q.SummaryOnly {
		columns = summaryColumns
	}
	rows, err := t.tx.Query(ctx, `SELECT `+columns+` FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND parent_id = $4 AND seq > $5
		ORDER BY seq
		LIMIT $6`,
		q.Account, q.Region, q.Kind, q.ParentID, q.AfterSeq, limit)
	if err != nil {
		return nil, t.error(ctx, "list "+q.Kind, err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, t.error(ctx, "list "+q.Kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "list "+q.Kind, err)
	}
	return out, nil
}

func (t *pgTx) ListRange(ctx context.Context, q RangeQuery) ([]*Resource, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	tail, args := rangeWhere(q, `(id COLLATE "C")`, func(n int) string { return fmt.Sprintf("$%d", n) })
	rows, err := t.tx.Query(ctx, `SELECT `+resourceColumns+` FROM resources WHERE `+tail, args...)
	if err != nil {
		return nil, t.error(ctx, "list range "+q.Kind, err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, t.error(ctx, "list range "+q.Kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "list range "+q.Kind, err)
	}
	return out, nil
}

func (t *pgTx) Count(ctx context.Context, account, region, kind, parentID string) (int, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	var n int
	err := t.tx.QueryRow(ctx, `SELECT COUNT(*) FROM resources
		WHERE account = $1 AND region = $2 AND kind = $3 AND parent_id = $4`,
		account, region, kind, parentID).Scan(&n)
	if err != nil {
		return 0, t.error(ctx, "count "+kind, err)
	}
	return n, nil
}

func (t *pgTx) Tags(ctx context.Context, arn string) (map[string]string, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	rows, err := t.tx.Query(ctx, `SELECT key, value FROM tags WHERE arn = $1`, arn)
	if err != nil {
		return nil, t.error(ctx, "tags of "+arn, err)
	}
	defer rows.Close()
	tags := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, t.error(ctx, "tags of "+arn, err)
		}
		tags[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "tags of "+arn, err)
	}
	return tags, nil
}

func (t *pgTx) SetTags(ctx context.Context, arn string, tags map[string]string) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	account := arnAccount(arn)
	for _, k := range sortedKeys(tags) {
		_, err := t.tx.Exec(ctx, `INSERT INTO tags (arn, key, value, account) VALUES ($1, $2, $3, $4)
			ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value`,
			arn, k, tags[k], account)
		if err != nil {
			return t.error(ctx, "tag "+arn, err)
		}
	}
	return nil
}

func (t *pgTx) RemoveTags(ctx context.Context, arn string, keys []string) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM tags WHERE arn = $1 AND key = ANY($2)`, arn, keys); err != nil {
		return t.error(ctx, "untag "+arn, err)
	}
	return nil
}

func (t *pgTx) GetIdempotency(ctx context.Context, account, region, operation, token string) (*IdempotencyRecord, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	rec := IdempotencyRecord{Account: account, Region: region, Operation: operation, Token: token}
	var created int64
	err := t.tx.QueryRow(ctx, `SELECT request_hash, status_code, body, created_at FROM idempotency
		WHERE account = $1 AND region = $2 AND operation = $3 AND token = $4`,
		account, region, operation, token).Scan(&rec.RequestHash, &rec.StatusCode, &rec.Body, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: idempotency token %q for %s", ErrNotFound, token, operation)
	}
	if err != nil {
		return nil, t.error(ctx, "get idempotency", err)
	}
	rec.CreatedAt = fromNanos(created)
	return &rec, nil
}

// PutIdempotency stores rec; a zero CreatedAt is set to now. Like Insert it
// reports a duplicate without aborting the transaction.
func (t *pgTx) PutIdempotency(ctx context.Context, rec *IdempotencyRecord) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	op := fmt.Sprintf("put idempotency token %q for %s", rec.Token, rec.Operation)
	created := rec.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO idempotency
		(account, region, operation, token, request_hash, status_code, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT DO NOTHING`,
		rec.Account, rec.Region, rec.Operation, rec.Token, rec.RequestHash, rec.StatusCode,
		rec.Body, created.UnixNano())
	if err != nil {
		return t.error(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s: already recorded", ErrConflict, op)
	}
	rec.CreatedAt = created.UTC()
	return nil
}

// PutJob creates or replaces the job of a resource. A replaced job loses any
// lease it had: it is a new schedule.
func (t *pgTx) PutJob(ctx context.Context, j *Job) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO jobs (account, region, kind, resource_id, due_at, attempts, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6, 0)
		ON CONFLICT (account, region, kind, resource_id)
		DO UPDATE SET due_at = excluded.due_at, attempts = excluded.attempts, lease_until = 0`,
		j.Account, j.Region, j.Kind, j.ResourceID, toNanos(j.DueAt), j.Attempts)
	if err != nil {
		return t.error(ctx, "put job "+keyString(j.Key()), err)
	}
	return nil
}

func (t *pgTx) GetJob(ctx context.Context, key Key) (*Job, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	j := Job{Account: key.Account, Region: key.Region, Kind: key.Kind, ResourceID: key.ID}
	var due int64
	err := t.tx.QueryRow(ctx, `SELECT due_at, attempts FROM jobs
		WHERE account = $1 AND region = $2 AND kind = $3 AND resource_id = $4`,
		key.Account, key.Region, key.Kind, key.ID).Scan(&due, &j.Attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: job %s", ErrNotFound, keyString(key))
	}
	if err != nil {
		return nil, t.error(ctx, "get job "+keyString(key), err)
	}
	j.DueAt = fromNanos(due)
	return &j, nil
}

// DeleteJob removes the job of a resource; ErrNotFound if it has none.
func (t *pgTx) DeleteJob(ctx context.Context, key Key) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	op := "delete job " + keyString(key)
	tag, err := t.tx.Exec(ctx, `DELETE FROM jobs
		WHERE account = $1 AND region = $2 AND kind = $3 AND resource_id = $4`,
		key.Account, key.Region, key.Kind, key.ID)
	if err != nil {
		return t.error(ctx, op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, op)
	}
	return nil
}

func (t *pgTx) ListStatus(ctx context.Context, kind, status string) ([]*Resource, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	rows, err := t.tx.Query(ctx, `SELECT `+resourceColumns+` FROM resources WHERE kind = $1 AND status = $2 ORDER BY seq`, kind, status)
	if err != nil {
		return nil, t.error(ctx, "list status", err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, t.error(ctx, "list status", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "list status", err)
	}
	return out, nil
}

func (t *pgTx) ListAll(ctx context.Context) ([]*Resource, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	rows, err := t.tx.Query(ctx, `SELECT `+resourceColumns+` FROM resources ORDER BY seq`)
	if err != nil {
		return nil, t.error(ctx, "list all", err)
	}
	defer rows.Close()
	out := []*Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, t.error(ctx, "list all", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "list all", err)
	}
	return out, nil
}

func (t *pgTx) ListJobs(ctx context.Context) ([]Job, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	rows, err := t.tx.Query(ctx, `SELECT account, region, kind, resource_id, due_at, attempts
		FROM jobs ORDER BY account, region, kind, resource_id`)
	if err != nil {
		return nil, t.error(ctx, "list jobs", err)
	}
	jobs, err := scanPgJobs(rows)
	if err != nil {
		return nil, t.error(ctx, "list jobs", err)
	}
	return jobs, nil
}
