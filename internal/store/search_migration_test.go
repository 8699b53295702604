package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"agentcored/internal/store"
)

// TestSQLiteTextUpgradeFromVersion3: a text index written by schema 3 (one
// entry numbering for all scopes) is renumbered into scope ranges by
// migration 4 and still found; new entries join it.
func TestSQLiteTextUpgradeFromVersion3(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DROP TABLE text_fts`,
		`DROP TABLE text_entries`,
		`DROP TABLE text_scopes`,
		`DELETE FROM schema_migrations WHERE version > 3`,
		// Schema 3's tables, as its migration made them.
		`CREATE TABLE text_entries (entry INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
			kind TEXT NOT NULL, id TEXT NOT NULL, scope TEXT NOT NULL, namespace TEXT NOT NULL, tag TEXT NOT NULL) STRICT`,
		`CREATE UNIQUE INDEX text_entries_key ON text_entries (account, region, kind, id)`,
		`CREATE VIRTUAL TABLE text_fts USING fts5(body, tokenize = 'porter unicode61')`,
		`INSERT INTO text_entries VALUES (1, 'a', 'r', 'doc', 'seat', 'm1', '/u/1', 's1'),
			(2, 'a', 'r', 'doc', 'pizza', 'm1', '/u/1', 's1'), (3, 'a', 'r', 'doc', 'other', 'm2', '/u/1', 's1')`,
		`INSERT INTO text_fts (rowid, body) VALUES (1, 'prefers window seats on flights'),
			(2, 'likes pizza'), (3, 'prefers aisle seats on flights')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	s, err = store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatalf("open a version 3 database: %v", err)
	}
	defer s.Close()
	search := func(scope, query string) []string {
		var ids []string
		err := s.Read(ctx, func(tx store.Tx) error {
			ti, err := store.TextIndexOf(tx)
			if err != nil {
				return err
			}
			hits, err := ti.SearchText(ctx, store.TextQuery{Account: "a", Region: "r", Kind: "doc", Scope: scope, Query: query})
			for _, h := range hits {
				ids = append(ids, h.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := search("m1", "flight seat"); len(got) != 1 || got[0] != "seat" {
		t.Fatalf("m1 after upgrade: %v, want [seat]", got)
	}
	if got := search("m2", "flight seat"); len(got) != 1 || got[0] != "other" {
		t.Fatalf("m2 after upgrade: %v, want [other]", got)
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		ti, err := store.TextIndexOf(tx)
		if err != nil {
			return err
		}
		return ti.PutText(ctx, store.TextEntry{Key: store.Key{Account: "a", Region: "r", Kind: "doc", ID: "train"},
			Scope: "m1", Namespace: "/u/2", Tag: "s1", Text: "booked a train seat"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := search("m1", "seat"); len(got) != 2 {
		t.Fatalf("m1 after a new entry: %v, want seat and train", got)
	}
}
