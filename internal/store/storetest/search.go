package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"agentcored/internal/store"
)

// testTextSearch: the full-text index ranks by stemmed words, filters by
// scope, namespace prefix and tag, stays per account, follows updates and
// deletes, and goes with Reset.
func testTextSearch(t *testing.T, open Opener) {
	s := open(t)
	entry := func(account, id, ns, tag, text string) store.TextEntry {
		return store.TextEntry{Key: store.Key{Account: account, Region: region, Kind: "doc", ID: id},
			Scope: "mem1", Namespace: ns, Tag: tag, Text: text}
	}
	put := func(es ...store.TextEntry) {
		write(t, s, func(ctx context.Context, tx store.Tx) error {
			ti, err := store.TextIndexOf(tx)
			if err != nil {
				return err
			}
			for _, e := range es {
				if err := ti.PutText(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	search := func(q store.TextQuery) []store.TextHit {
		var hits []store.TextHit
		read(t, s, func(ctx context.Context, tx store.Tx) error {
			ti, err := store.TextIndexOf(tx)
			if err != nil {
				return err
			}
			hits, err = ti.SearchText(ctx, q)
			return err
		})
		return hits
	}
	hitIDs := func(hs []store.TextHit) []string {
		out := []string{}
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return out
	}
	put(
		entry(acct, "seat", "/users/u1/prefs", "s1", "The user prefers window seats on flights"),
		entry(acct, "pizza", "/users/u1/prefs", "s1", "The user likes pizza with extra cheese"),
		entry(acct, "budget", "/users/u1/notes", "s2", "Quarterly budget meeting moved to Tuesday"),
		entry(acct, "train", "/users/u2/prefs", "s1", "Booked a train seat for the trip"),
		entry(acct2, "other", "/users/u1/prefs", "s1", "The user prefers aisle seats on flights"),
	)
	base := store.TextQuery{Account: acct, Region: region, Kind: "doc", Scope: "mem1", Query: "flight seat preference"}

	hits := search(base)
	if len(hits) == 0 || hits[0].ID != "seat" {
		t.Fatalf("search %q = %v, want seat first", base.Query, hitIDs(hits))
	}
	for i, h := range hits {
		if h.Score <= 0 || h.Score >= 1 || (i > 0 && h.Score > hits[i-1].Score) {
			t.Fatalf("scores not in (0,1) best first: %+v", hits)
		}
		if h.ID == "other" || h.ID == "budget" || h.ID == "pizza" {
			t.Fatalf("search matched %s: %v", h.ID, hitIDs(hits))
		}
	}

	q := base
	q.NamespacePrefix = "/users/u2/"
	if got := hitIDs(search(q)); len(got) != 1 || got[0] != "train" {
		t.Fatalf("prefix /users/u2/: %v, want [train]", got)
	}
	q = base
	q.Tag = "s2"
	if got := hitIDs(search(q)); len(got) != 0 {
		t.Fatalf("tag s2: %v, want none", got)
	}
	q = base
	q.Scope = "mem2"
	if got := hitIDs(search(q)); len(got) != 0 {
		t.Fatalf("scope mem2: %v, want none", got)
	}
	q = base
	q.Account = acct2
	if got := hitIDs(search(q)); len(got) != 1 || got[0] != "other" {
		t.Fatalf("account 2: %v, want [other]", got)
	}
	q = base
	q.Query = "the of and"
	if got := search(q); len(got) != 0 {
		t.Fatalf("stop words only: %v, want none", hitIDs(got))
	}
	q = base
	q.Query = `"seat" OR NEAR( -budget*`
	if got := hitIDs(search(q)); len(got) == 0 {
		t.Fatalf("query syntax characters are words: got none")
	}

	// An update replaces the text; a delete removes the entry.
	put(entry(acct, "seat", "/users/u1/prefs", "s1", "Dinner reservation at eight"))
	if got := hitIDs(search(base)); len(got) != 1 || got[0] != "train" {
		t.Fatalf("after update: %v, want [train]", got)
	}
	q = base
	q.Query = "reservations"
	if got := hitIDs(search(q)); len(got) != 1 || got[0] != "seat" {
		t.Fatalf("updated text: %v, want [seat]", got)
	}
	write(t, s, func(ctx context.Context, tx store.Tx) error {
		ti, _ := store.TextIndexOf(tx)
		if err := ti.DeleteText(ctx, store.Key{Account: acct, Region: region, Kind: "doc", ID: "train"}); err != nil {
			return err
		}
		return ti.DeleteText(ctx, store.Key{Account: acct, Region: region, Kind: "doc", ID: "absent"})
	})
	if got := hitIDs(search(base)); len(got) != 0 {
		t.Fatalf("after delete: %v, want none", got)
	}

	// More matches than are ranked at once (the candidates): a filter
	// that drops the best-weighted ones still finds the rest, and an
	// entry moved to another scope is searched there only.
	var many []store.TextEntry
	for i := range 300 {
		many = append(many, entry(acct, fmt.Sprintf("x%03d", i), "/ns/x/", "s1", "alpha beta gamma"))
	}
	for i := range 5 {
		many = append(many, entry(acct, fmt.Sprintf("y%d", i), "/ns/y/", "s1", "alpha notes"))
	}
	put(many...)
	q = base
	q.Query, q.NamespacePrefix, q.Limit = "alpha beta gamma", "/ns/y/", 10
	if got := hitIDs(search(q)); len(got) != 5 {
		t.Fatalf("prefix /ns/y/ behind 300 better matches: %v, want the 5 y entries", got)
	}
	q.NamespacePrefix = ""
	if got := hitIDs(search(q)); len(got) != 10 || got[0][0] != 'x' {
		t.Fatalf("all namespaces: %v, want 10 x entries", got)
	}
	moved := entry(acct, "y0", "/ns/y/", "s1", "alpha notes")
	moved.Scope = "mem2"
	put(moved)
	q.NamespacePrefix = "/ns/y/"
	if got := hitIDs(search(q)); len(got) != 4 || slices.Contains(got, "y0") {
		t.Fatalf("after moving y0 to mem2, mem1: %v, want 4 without y0", got)
	}
	q.Scope = "mem2"
	if got := hitIDs(search(q)); len(got) != 1 || got[0] != "y0" {
		t.Fatalf("after moving y0 to mem2, mem2: %v, want [y0]", got)
	}

	// Reset of one account leaves the other's entries.
	if err := s.Reset(ctxFor(t), acct); err != nil {
		t.Fatal(err)
	}
	q = base
	q.Query = "budget"
	if got := search(q); len(got) != 0 {
		t.Fatalf("after reset: %v", hitIDs(got))
	}
	q = base
	q.Account = acct2
	if got := hitIDs(search(q)); len(got) != 1 {
		t.Fatalf("reset of account 1 touched account 2: %v", got)
	}
}
