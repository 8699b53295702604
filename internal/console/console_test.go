package console

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"agentcored/internal/store"
)

func TestSessions(t *testing.T) {
	s := newSessions()
	good := s.issue("AKIAEXAMPLE")
	other := newSessions().issue("AKIAEXAMPLE")
	expired := &sessions{key: s.key, now: func() time.Time { return time.Now().Add(-2 * sessionTTL) }}
	cases := []struct {
		name, value string
		ok          bool
	}{
		{"genuine", good, true},
		{"signed by another server", other, false},
		{"tampered key", "QUtJQU9USEVS" + good[len("QUtJQUVYQU1QTEU"):], false},
		{"expired", expired.issue("AKIAEXAMPLE"), false},
		{"garbage", "x.y", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, ok := s.check(tc.value)
			if ok != tc.ok || (ok && key != "AKIAEXAMPLE") {
				t.Errorf("check = %q, %v; want ok %v", key, ok, tc.ok)
			}
		})
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                                  Prefix,
		Prefix + "runtimes/?next=abc":       Prefix + "runtimes/?next=abc",
		"https://evil.example/":             Prefix,
		"//evil.example" + Prefix:           Prefix,
		Prefix + "..//evil.example":         Prefix,
		Prefix + "x\r\nSet-Cookie: a=b":     Prefix,
		"/_agentcored/export":               Prefix,
		Prefix + `\\evil.example`:           Prefix,
		Prefix + "gateways/gw-1234567890":   Prefix + "gateways/gw-1234567890",
		"/_agentcored/console/admin?x=1#ok": "/_agentcored/console/admin?x=1#ok",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidRegion(t *testing.T) {
	for in, want := range map[string]bool{"us-east-1": true, "eu-west-3": true, "": false, "US-EAST-1": false, "a;b": false, "x": false} {
		if got := validRegion(in); got != want {
			t.Errorf("validRegion(%q) = %v", in, got)
		}
	}
}

// The watcher records the changes of committed writes only, and wakes
// whoever waits on Changed.
func TestWatcher(t *testing.T) {
	ctx := context.Background()
	raw, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	w := NewWatcher()
	st := Watch(raw, w)
	row := func(id string) *store.Resource {
		return &store.Resource{Account: "111111111111", Region: "us-east-1", Kind: "runtime", ID: id, Status: "READY", Doc: []byte("{}")}
	}
	changed := w.Changed()
	if err := st.Write(ctx, func(tx store.Tx) error { return tx.Insert(ctx, row("kept")) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Error("Changed not closed after a commit")
	}
	v := w.Version()
	boom := errors.New("boom")
	if err := st.Write(ctx, func(tx store.Tx) error {
		if err := tx.Insert(ctx, row("rolled-back")); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if w.Version() != v {
		t.Error("a rolled-back write bumped the version")
	}
	if err := st.Write(ctx, func(tx store.Tx) error { return tx.Delete(ctx, row("kept").Key()) }); err != nil {
		t.Fatal(err)
	}
	got := w.Recent("111111111111", "us-east-1", 10, shownKind)
	if len(got) != 2 || got[0].ID != "kept" || got[0].Action != "deleted" || got[1].Action != "created" || got[1].Status != "READY" {
		t.Errorf("recent = %+v", got)
	}
	if other := w.Recent("222222222222", "us-east-1", 10, shownKind); len(other) != 0 {
		t.Errorf("another account sees %+v", other)
	}
}

func TestQualifiers(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  resource
		want []string
	}{
		{"no children", resource{}, nil},
		{"endpoints", resource{Children: []childView{{Title: "Versions", Rows: [][]string{{"1"}}},
			{Title: "Endpoints", Rows: [][]string{{"DEFAULT", "READY"}, {"first", "READY"}, {""}}}}}, []string{"DEFAULT", "first"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := qualifiers(&tc.res); !slices.Equal(got, tc.want) {
				t.Errorf("qualifiers = %v, want %v", got, tc.want)
			}
		})
	}
}
