package dataplane

import (
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
)

func TestRecordFilter(t *testing.T) {
	num := func(f float64) *float64 { return &f }
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := &dpapi.MemoryRecord{Metadata: map[string]dpapi.MemoryRecordMetadataValue{
		"topic": {StringValue: "travel"}, "tags": {StringListValue: []string{"a", "b"}},
		"score": {NumberValue: num(7)}, "when": {DateTimeValue: api.NewEpochTime(at)},
	}}
	expr := func(key string, op dpapi.MemoryRecordOperatorType, v *dpapi.MemoryRecordMetadataValue) dpapi.MemoryMetadataFilterExpression {
		x := dpapi.MemoryMetadataFilterExpression{Left: &dpapi.MemoryRecordLeftExpression{MetadataKey: key}, Operator: op}
		if v != nil {
			x.Right = &dpapi.MemoryRecordRightExpression{MetadataValue: v}
		}
		return x
	}
	cases := []struct {
		name    string
		x       dpapi.MemoryMetadataFilterExpression
		want    bool
		invalid bool
	}{
		{"equals", expr("topic", dpapi.MemoryRecordOperatorTypeEqualsTo, &dpapi.MemoryRecordMetadataValue{StringValue: "travel"}), true, false},
		{"equals other", expr("topic", dpapi.MemoryRecordOperatorTypeEqualsTo, &dpapi.MemoryRecordMetadataValue{StringValue: "food"}), false, false},
		{"exists", expr("topic", dpapi.MemoryRecordOperatorTypeExists, nil), true, false},
		{"not exists", expr("nope", dpapi.MemoryRecordOperatorTypeNotExists, nil), true, false},
		{"contains list", expr("tags", dpapi.MemoryRecordOperatorTypeContains, &dpapi.MemoryRecordMetadataValue{StringValue: "b"}), true, false},
		{"contains string", expr("topic", dpapi.MemoryRecordOperatorTypeContains, &dpapi.MemoryRecordMetadataValue{StringValue: "ave"}), true, false},
		{"greater", expr("score", dpapi.MemoryRecordOperatorTypeGreaterThan, &dpapi.MemoryRecordMetadataValue{NumberValue: num(6)}), true, false},
		{"less or equal", expr("score", dpapi.MemoryRecordOperatorTypeLessThanOrEquals, &dpapi.MemoryRecordMetadataValue{NumberValue: num(6)}), false, false},
		{"before", expr("when", dpapi.MemoryRecordOperatorTypeBefore, &dpapi.MemoryRecordMetadataValue{DateTimeValue: api.NewEpochTime(at.Add(time.Hour))}), true, false},
		{"after", expr("when", dpapi.MemoryRecordOperatorTypeAfter, &dpapi.MemoryRecordMetadataValue{DateTimeValue: api.NewEpochTime(at.Add(time.Hour))}), false, false},
		{"exists with operand", expr("topic", dpapi.MemoryRecordOperatorTypeExists, &dpapi.MemoryRecordMetadataValue{StringValue: "x"}), false, true},
		{"equals without operand", expr("topic", dpapi.MemoryRecordOperatorTypeEqualsTo, nil), false, true},
		{"number op without number", expr("score", dpapi.MemoryRecordOperatorTypeGreaterThan, &dpapi.MemoryRecordMetadataValue{StringValue: "x"}), false, true},
		{"unknown operator", expr("topic", "LIKE", &dpapi.MemoryRecordMetadataValue{StringValue: "x"}), false, true},
	}
	for _, tc := range cases {
		keep, err := recordFilter("metadataFilters", []dpapi.MemoryMetadataFilterExpression{tc.x})
		if tc.invalid {
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := keep(rec); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
