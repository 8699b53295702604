package lifecycle

import (
	"context"
	"testing"
	"time"

	"agentcored/internal/store"
)

func TestParsePolicy(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Policy
		wantErr bool
	}{
		{"immediate", PolicyImmediate, false},
		{"timed", PolicyTimed, false},
		{"manual", PolicyManual, false},
		{"", "", true},
		{"Immediate", "", true},
	} {
		got, err := ParsePolicy(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParsePolicy(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestScheduleByPolicy checks where each policy ends a transition: in the
// request's transaction (immediate), by RunDue once due (timed), or only by
// Advance (manual).
func TestScheduleByPolicy(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		policy        Policy
		delay         time.Duration
		afterSchedule string // status right after the scheduling write
		afterRunDue   string // after RunDue at the delay
		afterAdvance  string
	}{
		{PolicyImmediate, 0, "READY", "READY", "READY"},
		{PolicyTimed, time.Minute, "CREATING", "READY", "READY"},
		{PolicyManual, 0, "CREATING", "CREATING", "READY"},
	} {
		t.Run(string(tt.policy), func(t *testing.T) {
			st, err := store.OpenSQLite(ctx, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			e := New(st, tt.policy, tt.delay)
			e.SetClock(func() time.Time { return now })
			e.Register("widgets", "widget", func(ctx context.Context, tx store.Tx, r *store.Resource, _ time.Time) error {
				r.Status = "READY"
				return tx.Update(ctx, r)
			})
			key := store.Key{Account: "111122223333", Region: "us-east-1", Kind: "widget", ID: "w-1"}
			status := func() string {
				var got string
				err := st.Read(ctx, func(tx store.Tx) error {
					r, err := tx.Get(ctx, key)
					got = r.Status
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			err = st.Write(ctx, func(tx store.Tx) error {
				r := &store.Resource{Account: key.Account, Region: key.Region, Kind: key.Kind, ID: key.ID, Status: "CREATING", CreatedAt: now, UpdatedAt: now, Doc: []byte("{}")}
				if err := tx.Insert(ctx, r); err != nil {
					return err
				}
				return e.Schedule(ctx, tx, r)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := status(); got != tt.afterSchedule {
				t.Fatalf("after Schedule: %s, want %s", got, tt.afterSchedule)
			}
			now = now.Add(tt.delay)
			if _, err := e.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != tt.afterRunDue {
				t.Fatalf("after RunDue: %s, want %s", got, tt.afterRunDue)
			}
			if _, err := e.Advance(ctx, key); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != tt.afterAdvance {
				t.Fatalf("after Advance: %s, want %s", got, tt.afterAdvance)
			}
		})
	}
}

func TestSetPolicyNeedsAKnownFamily(t *testing.T) {
	e := New(nil, PolicyImmediate, 0)
	e.Register("widgets", "widget", nil)
	if err := e.SetPolicy("gadgets", PolicySetting{Policy: PolicyManual}); err == nil {
		t.Fatal("SetPolicy on an unknown family succeeded")
	}
	if err := e.SetPolicy("widgets", PolicySetting{Policy: PolicyManual}); err != nil {
		t.Fatal(err)
	}
	if e.Immediate("widget") {
		t.Fatal("widget still immediate after SetPolicy manual")
	}
	if got := e.Families()["widgets"].Policy; got != PolicyManual {
		t.Fatalf("Families: %s", got)
	}
}
