// Package api holds the typed inputs and outputs of every operation
// (generated into zz_types.go), the Handlers interface (zz_operations.go),
// and the error value every layer returns.
package api

//go:generate go run ../../cmd/modelgen -root ../..

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// DateTime is a timestamp that travels as ISO-8601 text (model shape
// DateTimestamp, timestampFormat iso8601).
type DateTime struct{ time.Time }

// EpochTime is a timestamp that travels as epoch seconds (model shape
// Timestamp, the rest-json default).
type EpochTime struct{ time.Time }

// Document is a free-form JSON value (model document shapes).
type Document = json.RawMessage

func NewDateTime(t time.Time) DateTime   { return DateTime{t.UTC()} }
func NewEpochTime(t time.Time) EpochTime { return EpochTime{t.UTC()} }

// MarshalJSON writes millisecond precision, as the service does.
func (t DateTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func (t *DateTime) UnmarshalJSON(b []byte) error {
	v, err := parseTimestamp(b)
	t.Time = v
	return err
}

func (t EpochTime) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

func (t *EpochTime) UnmarshalJSON(b []byte) error {
	v, err := parseTimestamp(b)
	t.Time = v
	return err
}

// parseTimestamp accepts both wire forms on input: clients differ.
func parseTimestamp(b []byte) (time.Time, error) {
	if bytes.Equal(b, []byte("null")) {
		return time.Time{}, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return time.Time{}, err
		}
		return ParseTimestampText(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %s: %w", b, err)
	}
	return epochSeconds(f), nil
}

// epochSeconds rounds to the microsecond: 1700000000.123 is not exact in
// binary, and truncating its nanoseconds would read back as .122.
func epochSeconds(f float64) time.Time {
	return time.UnixMicro(int64(math.Round(f * 1e6))).UTC()
}

// ParseTimestampText parses ISO-8601 text or epoch seconds given as text.
func ParseTimestampText(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return epochSeconds(f), nil
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}
