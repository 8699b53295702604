package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDateTimeMarshal(t *testing.T) {
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2025, 3, 4, 5, 6, 7, 891_234_567, time.UTC), `"2025-03-04T05:06:07.891Z"`},
		{time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), `"2025-03-04T05:06:07.000Z"`},
		// Another zone is written in UTC.
		{time.Date(2025, 3, 4, 7, 6, 7, 0, time.FixedZone("X", 2*3600)), `"2025-03-04T05:06:07.000Z"`},
	}
	for _, tc := range cases {
		got, err := json.Marshal(NewDateTime(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
		// Not only through the constructor: a DateTime built directly also
		// writes UTC.
		got, _ = json.Marshal(DateTime{tc.in})
		if string(got) != tc.want {
			t.Errorf("Marshal(DateTime{%v}) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestEpochTimeMarshal(t *testing.T) {
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.UnixMilli(1700000000123), `1700000000.123`},
		{time.UnixMilli(1700000000000), `1700000000`},
		{time.UnixMilli(1700000000500).Add(999 * time.Microsecond), `1700000000.5`}, // millisecond precision
		{time.UnixMilli(-1500), `-1.5`},
	}
	for _, tc := range cases {
		got, err := json.Marshal(NewEpochTime(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestTimestampUnmarshal(t *testing.T) {
	want := time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC) // 1700000000.123
	cases := []struct {
		in   string
		want time.Time
	}{
		{`"2023-11-14T22:13:20.123Z"`, want},
		{`"2023-11-15T00:13:20.123+02:00"`, want},
		{`1700000000.123`, want},
		{`"1700000000.123"`, want},
		{`1700000000`, want.Truncate(time.Second)},
		{`1.700000000123e9`, want},
		{`null`, time.Time{}},
	}
	for _, tc := range cases {
		var d DateTime
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil || !d.Equal(tc.want) {
			t.Errorf("DateTime from %s = %v, %v; want %v", tc.in, d.Time, err, tc.want)
		}
		var e EpochTime
		if err := json.Unmarshal([]byte(tc.in), &e); err != nil || !e.Equal(tc.want) {
			t.Errorf("EpochTime from %s = %v, %v; want %v", tc.in, e.Time, err, tc.want)
		}
		if !tc.want.IsZero() && (d.Location() != time.UTC || e.Location() != time.UTC) {
			t.Errorf("%s: not decoded as UTC", tc.in)
		}
	}
	for _, bad := range []string{`"yesterday"`, `"2023-11-14"`, `"NaN"`, `"Infinity"`, `true`, `{}`, `"2023-11-14T22:13:20"`} {
		var d DateTime
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("DateTime accepted %s as %v", bad, d.Time)
		}
		var e EpochTime
		if err := json.Unmarshal([]byte(bad), &e); err == nil {
			t.Errorf("EpochTime accepted %s as %v", bad, e.Time)
		}
	}
}

// Stored records go through JSON again and again: every millisecond
// instant must come back unchanged.
func TestTimestampRoundTrip(t *testing.T) {
	for ms := int64(1700000000000); ms < 1700000002000; ms++ {
		in := time.UnixMilli(ms)
		b, _ := json.Marshal(NewEpochTime(in))
		var e EpochTime
		if err := json.Unmarshal(b, &e); err != nil || !e.Equal(in) {
			t.Fatalf("EpochTime %d → %s → %v (%v)", ms, b, e.Time, err)
		}
		b, _ = json.Marshal(NewDateTime(in))
		var d DateTime
		if err := json.Unmarshal(b, &d); err != nil || !d.Equal(in) {
			t.Fatalf("DateTime %d → %s → %v (%v)", ms, b, d.Time, err)
		}
	}
}

// omitzero drops unset timestamps from outputs.
func TestTimestampOmitZero(t *testing.T) {
	v := struct {
		A DateTime  `json:"a,omitzero"`
		B EpochTime `json:"b,omitzero"`
	}{}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{}` {
		t.Errorf("got %s, %v", b, err)
	}
}

func TestParseTimestampText(t *testing.T) {
	got, err := ParseTimestampText("2024-02-29T12:00:00.5Z")
	if err != nil || !got.Equal(time.Date(2024, 2, 29, 12, 0, 0, 500_000_000, time.UTC)) {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseTimestampText(""); err == nil {
		t.Error("empty text accepted")
	}
}
