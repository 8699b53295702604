package members

import (
	"reflect"
	"testing"

	"agentcored/internal/api"
)

func TestProjectAndPatch(t *testing.T) {
	type inner struct{ A string }
	type record struct {
		Name, Description string
		Count             *int64
		Inner             inner
	}
	type wrapped struct{ Inner *inner }
	type request struct {
		Description *api.UpdatedDescription
		Count       *int64
		Name        int // same name, other type: not copied
	}
	base := func() record { return record{Name: "n", Description: "d", Count: ptr(int64(1)), Inner: inner{"x"}} }
	tests := []struct {
		name string
		do   func(r *record) any
		want any
	}{
		{"project keeps same-named members", func(r *record) any {
			return *Project[struct{ Name string }](r)
		}, struct{ Name string }{"n"}},
		{"project points to a wrapped member", func(r *record) any {
			return Project[wrapped](r).Inner.A
		}, "x"},
		{"patch without members keeps all", func(r *record) any { Patch(r, &request{}); return *r }, base()},
		{"patch takes an optionalValue", func(r *record) any {
			Patch(r, &request{Description: &api.UpdatedDescription{OptionalValue: "e"}})
			return r.Description
		}, "e"},
		{"patch clears with an empty wrapper", func(r *record) any {
			Patch(r, &request{Description: &api.UpdatedDescription{}})
			return r.Description
		}, ""},
		{"patch replaces a set member", func(r *record) any { Patch(r, &request{Count: ptr(int64(7))}); return *r.Count }, int64(7)},
		{"assign replaces, zero clears", func(r *record) any { Assign(r, &struct{ Name, Description string }{Name: "m"}); return *r },
			record{Name: "m", Count: ptr(int64(1)), Inner: inner{"x"}}},
		{"nil source changes nothing", func(r *record) any { Patch(r, (*request)(nil)); return *r }, base()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			if got := tt.do(&r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
