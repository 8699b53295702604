package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Helpers shared by the SQLite and PostgreSQL implementations. Both store the
// same columns in the same order, so row scanning and value conversion live
// here once.

// resourceColumns is the column list every resource SELECT uses, in the order
// scanResource expects.
const resourceColumns = `account, region, kind, id, parent_id, name, arn, status,
	revision, seq, created_at, updated_at, doc, summary`

// summaryColumns is resourceColumns for ListQuery.SummaryOnly: no document,
// and the summary or, for rows stored without one, the document in its place.
const summaryColumns = `account, region, kind, id, parent_id, name, arn, status,
	revision, seq, created_at, updated_at, NULL, COALESCE(summary, doc)`

// errReadOnly is returned when a write method is called inside Read.
var errReadOnly = errors.New("store: write inside a read transaction")

// rowScanner is satisfied by *sql.Row, *sql.Rows, pgx.Row and pgx.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

func scanResource(row rowScanner) (*Resource, error) {
	var r Resource
	var created, updated int64
	err := row.Scan(&r.Account, &r.Region, &r.Kind, &r.ID, &r.ParentID, &r.Name,
		&r.ARN, &r.Status, &r.Revision, &r.Seq, &created, &updated, &r.Doc, &r.Summary)
	if err != nil {
		return nil, err
	}
	r.CreatedAt = fromNanos(created)
	r.UpdatedAt = fromNanos(updated)
	return &r, nil
}

// Times are stored as Unix nanoseconds so that both databases round-trip
// them exactly; 0 stands for the zero time.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// insertTimes returns the CreatedAt and UpdatedAt an Insert stores: the
// caller's values, or now when they are zero.
func insertTimes(r *Resource) (created, updated time.Time) {
	created = r.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	updated = r.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	return created.UTC(), updated.UTC()
}

// updateTime returns the UpdatedAt an Update stores: the caller's value, or
// now when it is zero.
func updateTime(r *Resource) time.Time {
	if r.UpdatedAt.IsZero() {
		return time.Now().UTC()
	}
	return r.UpdatedAt.UTC()
}

// arnAccount returns the account field of an ARN
// (arn:partition:service:region:account:resource), or "" if it has none. Tags
// store it so that Reset can find an account's tags without parsing ARNs in
// SQL.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// sortedKeys gives a stable statement order, which keeps PostgreSQL row locks
// in a consistent order across transactions.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// contextError reports a context that ended during op. A deadline counts as
// the database timing out (ErrUnavailable); a cancellation is the caller's
// doing and is only wrapped. errors.Is works for the context error either way.
func contextError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func keyString(k Key) string {
	return k.Account + "/" + k.Region + "/" + k.Kind + "/" + k.ID
}

// rangeWhere builds the WHERE/ORDER BY/LIMIT tail of a ListRange query for
// both dialects: col is the id expression (PostgreSQL compares it under
// the "C" collation, bytewise like SQLite), ph numbers placeholders.
func rangeWhere(q RangeQuery, col string, ph func(n int) string) (string, []any) {
	args := []any{q.Account, q.Region, q.Kind}
	where := "account = " + ph(1) + " AND region = " + ph(2) + " AND kind = " + ph(3)
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + col + " " + cond + " " + ph(len(args))
	}
	if q.Prefix != "" {
		add(">=", q.Prefix)
		if end := PrefixEnd(q.Prefix); end != "" {
			add("<", end)
		}
	}
	order := " ORDER BY " + col
	if q.Cursor != "" {
		if q.Descending {
			add("<", q.Cursor)
		} else {
			add(">", q.Cursor)
		}
	}
	if q.Descending {
		order += " DESC"
	}
	tail := where + order
	if q.Limit > 0 {
		args = append(args, q.Limit)
		tail += " LIMIT " + ph(len(args))
	}
	return tail, args
}
