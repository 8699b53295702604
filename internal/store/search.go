package store

// Full-text search over short texts that belong to resources (memory
// records): a capability beside Tx, not part of it, because only one family
// needs it. Both transactions implement it; a family asks for it with
// TextIndexOf.
//
// The index is kept in the same transaction as the resource it describes,
// by the family (PutText on create/update, DeleteText on delete): it is
// derived data, one entry per resource key.
//
//   - SQLite: a plain table of entries (the key and the filter columns) and
//     an FTS5 table (tokenize 'porter unicode61': Unicode words, Porter
//     stemming) whose rowid is the entry's, in its scope's rowid range;
//     the best-weighted candidates ranked by bm25() (see "SQLite" below).
//   - PostgreSQL: one table with a generated tsvector ('english' config:
//     stemming and stop words) and a GIN index; ranked by ts_rank_cd().
//
// Scores are mapped to (0, 1), higher is better, so that both stores
// answer in the same sense.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// TextEntry is the indexed text of one resource.
type TextEntry struct {
	Key Key
	// Scope groups entries searched together (a memory id).
	Scope string
	// Namespace is matched by prefix (bytewise).
	Namespace string
	// Tag is matched exactly when a query names one (a strategy id).
	Tag  string
	Text string
}

// TextQuery searches the entries of one kind and scope.
type TextQuery struct {
	Account, Region, Kind, Scope string
	NamespacePrefix              string // "" for all
	Tag                          string // "" for all
	// Query is free text; its words (stemmed by the store) are OR-ed, so
	// the entries that share the most, and the rarest, rank first.
	Query string
	Limit int // <= 0: 100
}

// TextHit is one entry found, best first.
type TextHit struct {
	ID    string
	Score float64 // in (0, 1), higher is better
}

// TextIndex is the full-text capability of a transaction.
type TextIndex interface {
	// PutText indexes e, replacing the entry of the same key.
	PutText(ctx context.Context, e TextEntry) error
	// DeleteText removes the entry of key; an absent one is not an error.
	DeleteText(ctx context.Context, key Key) error
	// SearchText ranks the entries that match q.
	SearchText(ctx context.Context, q TextQuery) ([]TextHit, error)
}

// ErrNoTextIndex: the transaction's store cannot search text.
var ErrNoTextIndex = errors.New("store: no text index")

// TxWrapper is a Tx that decorates another (the console's change watcher,
// say); TextIndexOf looks through it.
type TxWrapper interface {
	Unwrap() Tx
}

// TextIndexOf returns tx's text index, looking through wrappers.
func TextIndexOf(tx Tx) (TextIndex, error) {
	for tx != nil {
		if ti, ok := tx.(TextIndex); ok {
			return ti, nil
		}
		w, ok := tx.(TxWrapper)
		if !ok {
			break
		}
		tx = w.Unwrap()
	}
	return nil, ErrNoTextIndex
}

const (
	defaultTextLimit = 100
	maxTextTerms     = 32
)

// stopWords are left out of queries: they would match nearly every entry
// (FTS5 has no stop words of its own; PostgreSQL's 'english' drops them
// anyway), which costs time and ranks nothing.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true,
	"do": true, "does": true, "for": true, "from": true, "has": true, "have": true, "i": true, "in": true,
	"is": true, "it": true, "its": true, "me": true, "my": true, "of": true, "on": true, "or": true,
	"our": true, "that": true, "the": true, "their": true, "this": true, "to": true, "was": true,
	"we": true, "were": true, "what": true, "when": true, "which": true, "who": true, "will": true,
	"with": true, "you": true, "your": true,
}

// SearchTerms are the distinct lower-case words of a query (letters and
// digits), stop words left out, at most maxTextTerms of them.
func SearchTerms(query string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if stopWords[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == maxTextTerms {
			break
		}
	}
	return out
}

func textLimit(n int) int {
	if n <= 0 {
		return defaultTextLimit
	}
	return n
}

// ---- SQLite ----
//
// Each scope (account, region, kind, scope: one memory) owns a range of
// entry numbers, [scope_id<<32, (scope_id+1)<<32), and an entry's FTS5
// rowid is its entry number, so a search reads only its memory's part of
// each term's doclist (a rowid range FTS5 applies itself).
//
// Ranking: bm25() costs a lookup per row (the row's size, from the FTS5
// docsize table) and a join to the entry for the filters; over every
// match that is most of the time (measured: ~5,000 matches, 17 ms). So
// SearchText first reads each term's matching rowids (cheap: no ranking,
// no join), weighs each match by the IDF of the terms it contains, and
// ranks with bm25() only the best-weighted candidates (textCandidates,
// growing while the filters leave fewer hits than asked). When all the
// matches fit, every match is ranked: the result is exact bm25 order.

const (
	// textCandidates is the least number of matches ranked with bm25().
	textCandidates = 256
	// textScopeShift splits an entry number into scope and entry.
	textScopeShift = 32
)

const (
	sqlTextEntry    = `SELECT entry FROM text_entries WHERE account = ? AND region = ? AND kind = ? AND id = ?`
	sqlTextScope    = `SELECT scope_id, entries FROM text_scopes WHERE account = ? AND region = ? AND kind = ? AND scope = ?`
	sqlTextAddScope = `INSERT INTO text_scopes (account, region, kind, scope, entries) VALUES (?, ?, ?, ?, 0) RETURNING scope_id`
	sqlTextCount    = `UPDATE text_scopes SET entries = entries + ? WHERE scope_id = ?`
	sqlTextNext     = `SELECT COALESCE(MAX(entry), ?) + 1 FROM text_entries WHERE entry >= ? AND entry < ?`
	sqlTextInsert   = `INSERT INTO text_entries (entry, account, region, kind, id, scope, namespace, tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlTextUpdate   = `UPDATE text_entries SET namespace = ?, tag = ? WHERE entry = ?`
	sqlTextDelEntry = `DELETE FROM text_entries WHERE entry = ?`
	sqlTextDelFTS   = `DELETE FROM text_fts WHERE rowid = ?`
	sqlTextPutFTS   = `INSERT INTO text_fts (rowid, body) VALUES (?, ?)`
	// The rowids in the scope's range that hold one term.
	sqlTextTerm = `SELECT rowid FROM text_fts WHERE text_fts MATCH ? AND rowid >= ? AND rowid < ?`
	// bm25() is negative, lower is better. CROSS JOIN keeps FTS first (the
	// planner may otherwise walk the entries and probe the FTS index per
	// entry); the unary + keeps the candidate list a filter on each match
	// rather than one FTS lookup per candidate. Ranking is computed only
	// for the rows that pass WHERE.
	sqlTextRank = `SELECT e.id, bm25(text_fts) AS score
		FROM text_fts CROSS JOIN text_entries e ON e.entry = text_fts.rowid
		WHERE text_fts MATCH ? AND text_fts.rowid >= ? AND text_fts.rowid < ?
			AND (? = 0 OR +text_fts.rowid IN (SELECT value FROM json_each(?)))
			AND e.namespace >= ? AND (? = '' OR e.namespace < ?) AND (? = '' OR e.tag = ?)
		ORDER BY score, e.id
		LIMIT ?`
)

var _ TextIndex = (*sqliteTx)(nil)

func (t *sqliteTx) textEntry(ctx context.Context, key Key) (int64, bool, error) {
	var entry int64
	err := t.queryRow(ctx, sqlTextEntry, key.Account, key.Region, key.Kind, key.ID).Scan(&entry)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return entry, err == nil, err
}

// textScope returns the id and entry count of a scope; with create, an
// absent scope is added.
func (t *sqliteTx) textScope(ctx context.Context, account, region, kind, scope string, create bool) (id, entries int64, found bool, err error) {
	err = t.queryRow(ctx, sqlTextScope, account, region, kind, scope).Scan(&id, &entries)
	if errors.Is(err, sql.ErrNoRows) {
		if !create {
			return 0, 0, false, nil
		}
		err = t.queryRow(ctx, sqlTextAddScope, account, region, kind, scope).Scan(&id)
	}
	return id, entries, err == nil, err
}

// removeTextEntry deletes an entry from the FTS table, the entries and
// its scope's count.
func (t *sqliteTx) removeTextEntry(ctx context.Context, entry int64) error {
	if _, err := t.exec(ctx, sqlTextDelFTS, entry); err != nil {
		return err
	}
	if _, err := t.exec(ctx, sqlTextDelEntry, entry); err != nil {
		return err
	}
	_, err := t.exec(ctx, sqlTextCount, -1, entry>>textScopeShift)
	return err
}

func (t *sqliteTx) PutText(ctx context.Context, e TextEntry) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "put text " + keyString(e.Key)
	k := e.Key
	sid, _, _, err := t.textScope(ctx, k.Account, k.Region, k.Kind, e.Scope, true)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	entry, found, err := t.textEntry(ctx, k)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	if found && entry>>textScopeShift == sid {
		// Same scope: keep the entry number, replace filters and text.
		if _, err := t.exec(ctx, sqlTextUpdate, e.Namespace, e.Tag, entry); err != nil {
			return sqliteError(ctx, op, err)
		}
		if _, err := t.exec(ctx, sqlTextDelFTS, entry); err != nil {
			return sqliteError(ctx, op, err)
		}
	} else {
		if found {
			// Another scope: the entry moves to the new scope's range.
			if err := t.removeTextEntry(ctx, entry); err != nil {
				return sqliteError(ctx, op, err)
			}
		}
		lo, hi := sid<<textScopeShift, (sid+1)<<textScopeShift
		if err := t.queryRow(ctx, sqlTextNext, lo, lo, hi).Scan(&entry); err != nil {
			return sqliteError(ctx, op, err)
		}
		if entry >= hi {
			return fmt.Errorf("store: %s: text index scope full", op)
		}
		if _, err := t.exec(ctx, sqlTextInsert, entry, k.Account, k.Region, k.Kind, k.ID, e.Scope, e.Namespace, e.Tag); err != nil {
			return sqliteError(ctx, op, err)
		}
		if _, err := t.exec(ctx, sqlTextCount, 1, sid); err != nil {
			return sqliteError(ctx, op, err)
		}
	}
	if _, err := t.exec(ctx, sqlTextPutFTS, entry, e.Text); err != nil {
		return sqliteError(ctx, op, err)
	}
	return nil
}

func (t *sqliteTx) DeleteText(ctx context.Context, key Key) error {
	if err := t.writable(); err != nil {
		return err
	}
	op := "delete text " + keyString(key)
	entry, found, err := t.textEntry(ctx, key)
	if err != nil {
		return sqliteError(ctx, op, err)
	}
	if !found {
		return nil
	}
	if err := t.removeTextEntry(ctx, entry); err != nil {
		return sqliteError(ctx, op, err)
	}
	return nil
}

// ftsPhrase quotes a term (letters and digits only) so that it is never
// read as FTS5 syntax.
func ftsPhrase(w string) string { return `"` + w + `"` }

// ftsQuery ORs the quoted terms.
func ftsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, w := range terms {
		quoted[i] = ftsPhrase(w)
	}
	return strings.Join(quoted, " OR ")
}

// textCandidate is a match weighed by the IDF of the terms it holds.
type textCandidate struct {
	entry  int64
	weight float64
}

// candidates reads each term's matches in [lo, hi) and orders them by
// weight, best first; among equal weights, newer entries first. n is the
// scope's entry count (BM25's N).
func (t *sqliteTx) candidates(ctx context.Context, terms []string, lo, hi, n int64) ([]textCandidate, error) {
	weights := map[int64]float64{}
	var ids []int64
	for _, w := range terms {
		ids = ids[:0]
		rows, err := t.query(ctx, sqlTextTerm, ftsPhrase(w), lo, hi)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		// BM25's IDF, floored like FTS5's so that a term in most entries
		// still counts a little.
		df := float64(len(ids))
		idf := math.Log((float64(n) - df + 0.5) / (df + 0.5))
		if idf < 1e-6 {
			idf = 1e-6
		}
		for _, id := range ids {
			weights[id] += idf
		}
	}
	out := make([]textCandidate, 0, len(weights))
	for id, w := range weights {
		out = append(out, textCandidate{entry: id, weight: w})
	}
	slices.SortFunc(out, func(a, b textCandidate) int {
		if c := cmp.Compare(b.weight, a.weight); c != 0 {
			return c
		}
		return cmp.Compare(b.entry, a.entry)
	})
	return out, nil
}

func (t *sqliteTx) SearchText(ctx context.Context, q TextQuery) ([]TextHit, error) {
	terms := SearchTerms(q.Query)
	if len(terms) == 0 {
		return []TextHit{}, nil
	}
	op := "search " + q.Kind
	sid, n, found, err := t.textScope(ctx, q.Account, q.Region, q.Kind, q.Scope, false)
	if err != nil {
		return nil, sqliteError(ctx, op, err)
	}
	if !found {
		return []TextHit{}, nil
	}
	lo, hi := sid<<textScopeShift, (sid+1)<<textScopeShift
	cands, err := t.candidates(ctx, terms, lo, hi, n)
	if err != nil {
		return nil, sqliteError(ctx, op, err)
	}
	limit := textLimit(q.Limit)
	end := PrefixEnd(q.NamespacePrefix)
	for size := max(textCandidates, 4*limit); ; size *= 4 {
		all := size >= len(cands)
		restrict, list := 1, "[]"
		if all {
			restrict = 0
		} else {
			list = candidateList(cands[:size])
		}
		hits, err := t.rank(ctx, ftsQuery(terms), lo, hi, restrict, list, q, end, limit)
		if err != nil {
			return nil, sqliteError(ctx, op, err)
		}
		// Too few candidates passed the filters: rank more of them.
		if all || len(hits) == limit {
			return hits, nil
		}
	}
}

// candidateList is a JSON array of the candidates' entry numbers.
func candidateList(cs []textCandidate) string {
	b := make([]byte, 0, len(cs)*12)
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, c.entry, 10)
	}
	return string(append(b, ']'))
}

func (t *sqliteTx) rank(ctx context.Context, match string, lo, hi int64, restrict int, list string, q TextQuery, end string, limit int) ([]TextHit, error) {
	rows, err := t.query(ctx, sqlTextRank, match, lo, hi, restrict, list,
		q.NamespacePrefix, end, end, q.Tag, q.Tag, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TextHit{}
	for rows.Next() {
		var h TextHit
		var rank float64
		if err := rows.Scan(&h.ID, &rank); err != nil {
			return nil, err
		}
		s := -rank
		h.Score = s / (1 + s)
		out = append(out, h)
	}
	return out, rows.Err()
}

// sqliteTextMigration creates the index (schema version 3).
var sqliteTextMigration = migration{version: 3, stmts: []string{
	`CREATE TABLE text_entries (
		entry     INTEGER PRIMARY KEY,
		account   TEXT NOT NULL,
		region    TEXT NOT NULL,
		kind      TEXT NOT NULL,
		id        TEXT NOT NULL,
		scope     TEXT NOT NULL,
		namespace TEXT NOT NULL,
		tag       TEXT NOT NULL
	) STRICT`,
	`CREATE UNIQUE INDEX text_entries_key ON text_entries (account, region, kind, id)`,
	`CREATE VIRTUAL TABLE text_fts USING fts5(body, tokenize = 'porter unicode61')`,
}}

// sqliteTextScopesMigration (schema version 4) gives each scope its range
// of entry numbers and an entry count: the scopes are numbered, every
// entry and FTS row is copied under its new number (scope_id<<32 | old
// entry: old numbers are below 2^32) and the old tables dropped.
var sqliteTextScopesMigration = migration{version: 4, stmts: []string{
	`CREATE TABLE text_scopes (
		scope_id INTEGER PRIMARY KEY,
		account  TEXT NOT NULL,
		region   TEXT NOT NULL,
		kind     TEXT NOT NULL,
		scope    TEXT NOT NULL,
		entries  INTEGER NOT NULL
	) STRICT`,
	`CREATE UNIQUE INDEX text_scopes_key ON text_scopes (account, region, kind, scope)`,
	`INSERT INTO text_scopes (account, region, kind, scope, entries)
		SELECT account, region, kind, scope, count(*) FROM text_entries GROUP BY account, region, kind, scope`,
	`CREATE TABLE text_entries_v4 (
		entry     INTEGER PRIMARY KEY,
		account   TEXT NOT NULL,
		region    TEXT NOT NULL,
		kind      TEXT NOT NULL,
		id        TEXT NOT NULL,
		scope     TEXT NOT NULL,
		namespace TEXT NOT NULL,
		tag       TEXT NOT NULL
	) STRICT`,
	`INSERT INTO text_entries_v4 (entry, account, region, kind, id, scope, namespace, tag)
		SELECT (s.scope_id << 32) | e.entry, e.account, e.region, e.kind, e.id, e.scope, e.namespace, e.tag
		FROM text_entries e JOIN text_scopes s
			ON s.account = e.account AND s.region = e.region AND s.kind = e.kind AND s.scope = e.scope`,
	`CREATE VIRTUAL TABLE text_fts_v4 USING fts5(body, tokenize = 'porter unicode61')`,
	`INSERT INTO text_fts_v4 (rowid, body)
		SELECT n.entry, f.body FROM text_entries_v4 n JOIN text_fts f ON f.rowid = (n.entry & 4294967295)`,
	`DROP TABLE text_fts`,
	`DROP TABLE text_entries`,
	`ALTER TABLE text_entries_v4 RENAME TO text_entries`,
	`ALTER TABLE text_fts_v4 RENAME TO text_fts`,
	`CREATE UNIQUE INDEX text_entries_key ON text_entries (account, region, kind, id)`,
}}

// resetTextSQLite empties the index of one account (all when "").
func resetTextSQLite(ctx context.Context, t *sqliteTx, account string) error {
	var err error
	if account == "" {
		if _, err = t.exec(ctx, `DELETE FROM text_fts`); err == nil {
			if _, err = t.exec(ctx, `DELETE FROM text_entries`); err == nil {
				_, err = t.exec(ctx, `DELETE FROM text_scopes`)
			}
		}
	} else {
		if _, err = t.exec(ctx, `DELETE FROM text_fts WHERE rowid IN (SELECT entry FROM text_entries WHERE account = ?)`, account); err == nil {
			if _, err = t.exec(ctx, `DELETE FROM text_entries WHERE account = ?`, account); err == nil {
				_, err = t.exec(ctx, `DELETE FROM text_scopes WHERE account = ?`, account)
			}
		}
	}
	if err != nil {
		return sqliteError(ctx, "reset text index", err)
	}
	return nil
}

// ---- PostgreSQL ----

var _ TextIndex = (*pgTx)(nil)

func (t *pgTx) PutText(ctx context.Context, e TextEntry) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	k := e.Key
	_, err := t.tx.Exec(ctx, `INSERT INTO text_entries (account, region, kind, id, scope, namespace, tag, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (account, region, kind, id)
		DO UPDATE SET scope = excluded.scope, namespace = excluded.namespace, tag = excluded.tag, body = excluded.body`,
		k.Account, k.Region, k.Kind, k.ID, e.Scope, e.Namespace, e.Tag, e.Text)
	if err != nil {
		return t.error(ctx, "put text "+keyString(k), err)
	}
	return nil
}

func (t *pgTx) DeleteText(ctx context.Context, key Key) error {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `DELETE FROM text_entries WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4`,
		key.Account, key.Region, key.Kind, key.ID)
	if err != nil {
		return t.error(ctx, "delete text "+keyString(key), err)
	}
	return nil
}

// tsQuery ORs the terms; each is quoted (and holds only letters and
// digits), so none is read as tsquery syntax.
func tsQuery(terms []string) string {
	quoted := make([]string, len(terms))
	for i, w := range terms {
		quoted[i] = "'" + w + "'"
	}
	return strings.Join(quoted, " | ")
}

func (t *pgTx) SearchText(ctx context.Context, q TextQuery) ([]TextHit, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	terms := SearchTerms(q.Query)
	if len(terms) == 0 {
		return []TextHit{}, nil
	}
	end := PrefixEnd(q.NamespacePrefix)
	rows, err := t.tx.Query(ctx, `SELECT id, ts_rank_cd(tsv, query) AS rank
		FROM text_entries, to_tsquery('english', $1) AS query
		WHERE tsv @@ query AND account = $2 AND region = $3 AND kind = $4 AND scope = $5
			AND (namespace COLLATE "C") >= $6 AND ($7 = '' OR (namespace COLLATE "C") < $7) AND ($8 = '' OR tag = $8)
		ORDER BY rank DESC, id
		LIMIT $9`,
		tsQuery(terms), q.Account, q.Region, q.Kind, q.Scope, q.NamespacePrefix, end, q.Tag, textLimit(q.Limit))
	if err != nil {
		return nil, t.error(ctx, "search "+q.Kind, err)
	}
	defer rows.Close()
	out := []TextHit{}
	for rows.Next() {
		var h TextHit
		var rank float64
		if err := rows.Scan(&h.ID, &rank); err != nil {
			return nil, t.error(ctx, "search "+q.Kind, err)
		}
		h.Score = rank / (1 + rank)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, t.error(ctx, "search "+q.Kind, err)
	}
	return out, nil
}

// postgresTextMigration creates the index (schema version 4).
var postgresTextMigration = migration{version: 4, stmts: []string{
	`CREATE TABLE text_entries (
		account   TEXT NOT NULL,
		region    TEXT NOT NULL,
		kind      TEXT NOT NULL,
		id        TEXT NOT NULL,
		scope     TEXT NOT NULL,
		namespace TEXT NOT NULL,
		tag       TEXT NOT NULL,
		body      TEXT NOT NULL,
		tsv       TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
		PRIMARY KEY (account, region, kind, id)
	)`,
	`CREATE INDEX text_entries_tsv ON text_entries USING GIN (tsv)`,
}}

// postgresTextScopeMigration (schema version 5) indexes the filters, so
// that the planner can AND the GIN matches with one memory's (and
// namespace range's) entries before it fetches rows and ranks them,
// instead of ranking the matches of every memory.
var postgresTextScopeMigration = migration{version: 5, stmts: []string{
	`CREATE INDEX text_entries_scope ON text_entries (account, region, kind, scope, (namespace COLLATE "C"))`,
}}

// resetTextPostgres empties the index of one account (all when "").
func resetTextPostgres(t *pgTx, account string) error {
	var err error
	if account == "" {
		_, err = t.tx.Exec(t.ctx, `DELETE FROM text_entries`)
	} else {
		_, err = t.tx.Exec(t.ctx, `DELETE FROM text_entries WHERE account = $1`, account)
	}
	if err != nil {
		return t.error(t.ctx, "reset text index", err)
	}
	return nil
}
