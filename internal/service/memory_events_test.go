package service

import (
	"fmt"
	"regexp"
	"sort"
	"testing"
	"time"
)

func TestNewEventIDOrdersByTimestampThenCreation(t *testing.T) {
	pattern := regexp.MustCompile(`^[0-9]+#[a-fA-F0-9]+$`)
	base := time.UnixMilli(1_700_000_000_123)
	created := time.Now()
	cases := []struct {
		ts, created time.Time
	}{
		{base, created},
		{base, created.Add(time.Nanosecond)},  // same millisecond, written later
		{base.Add(time.Millisecond), created}, // later timestamp
		{base.Add(time.Hour), created.Add(-time.Hour)},
	}
	var ids []string
	for _, c := range cases {
		id := newEventID(c.ts, c.created)
		if !pattern.MatchString(id) || id[:20] != padMillis(c.ts)+"#" {
			t.Errorf("id %q for %v", id, c.ts)
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("ids not in timestamp-then-creation order: %v", ids)
	}
}

func padMillis(ts time.Time) string { return fmt.Sprintf("%019d", ts.UnixMilli()) }

func TestEventExpiry(t *testing.T) {
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	week := eventMemory{expiry: 7 * 24 * time.Hour}
	cases := []struct {
		name string
		m    eventMemory
		ts   time.Time
		want bool
	}{
		{"fresh", week, now.Add(-time.Hour), false},
		{"just before", week, now.Add(-7*24*time.Hour + time.Millisecond), false},
		{"exactly at expiry", week, now.Add(-7 * 24 * time.Hour), true},
		{"long ago", week, now.Add(-30 * 24 * time.Hour), true},
		{"no expiry", eventMemory{}, now.Add(-1000 * 24 * time.Hour), false},
	}
	for _, tc := range cases {
		if got := tc.m.expired(tc.ts, now); got != tc.want {
			t.Errorf("%s: expired = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckEventIDs(t *testing.T) {
	if err := checkEventIDs(map[string]string{"actorId": "user/a:b"}); err != nil {
		t.Errorf("valid actor: %v", err)
	}
	if err := checkEventIDs(map[string]string{"sessionId": "a|b"}); err == nil {
		t.Error("separator accepted")
	}
}
