// Package members copies a shape's members into another shape by name.
//
// The model's shapes of one resource repeat each other: a Summary, a
// Create*Response and a Delete*Response are subsets of the Get*Response, and
// a Create*Request carries most of the Get*Response's members under the same
// names. Copying members by name is therefore how a family turns one into
// another, instead of spelling out a struct literal per operation; and a
// member a newer model adds to both shapes round-trips without a change here.
package members

import (
	"reflect"
	"sync"
)

// Project returns a new Out with every member that src (a struct or a
// pointer to one) has under the same name and type.
func Project[Out any](src any) *Out {
	var out Out
	copyMembers(reflect.ValueOf(&out).Elem(), reflect.ValueOf(src), false)
	return &out
}

// Assign copies into dst (a pointer to a struct) the members of src with the
// same name and type, as a full replacement: zero members of src clear dst's.
func Assign(dst, src any) {
	copyMembers(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src), false)
}

// Patch copies into dst the members src sets (non-zero), keeping the others:
// the shape of the Update* operations that "replace each member given". A
// member of the model's Updated* wrapper form ({optionalValue}) sets dst's
// member to its optionalValue, so a wrapper without one clears it.
func Patch(dst, src any) {
	copyMembers(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src), true)
}

// copyPlan lists, for one (destination, source) pair of struct types, which
// source field goes into which destination field.
type copyPlan []copyStep

type copyStep struct {
	dst, src []int
	how      copyHow
}

type copyHow int

const (
	copySame    copyHow = iota // same type
	copyWrapped                // src is *Updated{OptionalValue}; dst takes OptionalValue
	copyAddress                // dst is *X, src an X: dst points to a copy
)

var copyPlans sync.Map // [2]reflect.Type -> copyPlan

func planFor(dt, st reflect.Type) copyPlan {
	key := [2]reflect.Type{dt, st}
	if p, ok := copyPlans.Load(key); ok {
		return p.(copyPlan)
	}
	srcFields := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(st) {
		if f.IsExported() {
			srcFields[f.Name] = f
		}
	}
	var plan copyPlan
	for _, d := range reflect.VisibleFields(dt) {
		s, ok := srcFields[d.Name]
		if !ok || !d.IsExported() || d.Anonymous {
			continue
		}
		switch {
		case s.Type == d.Type && !s.Anonymous:
			plan = append(plan, copyStep{d.Index, s.Index, copySame})
		case isOptionalWrapper(s.Type, d.Type):
			plan = append(plan, copyStep{d.Index, s.Index, copyWrapped})
		case d.Type.Kind() == reflect.Pointer && d.Type.Elem() == s.Type:
			// A response that wraps the whole resource ({harness: {...}}).
			plan = append(plan, copyStep{d.Index, s.Index, copyAddress})
		}
	}
	copyPlans.Store(key, plan)
	return plan
}

// isOptionalWrapper reports whether t is a pointer to a struct whose one
// field, OptionalValue, has type want.
func isOptionalWrapper(t, want reflect.Type) bool {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || t.Elem().NumField() != 1 {
		return false
	}
	f := t.Elem().Field(0)
	return f.Name == "OptionalValue" && f.Type == want
}

func copyMembers(dst, src reflect.Value, onlySet bool) {
	for src.Kind() == reflect.Pointer || src.Kind() == reflect.Interface {
		if src.IsNil() {
			return
		}
		src = src.Elem()
	}
	for _, p := range planFor(dst.Type(), src.Type()) {
		v, ok := fieldByIndex(src, p.src)
		if !ok {
			continue
		}
		switch p.how {
		case copyWrapped:
			if !v.IsNil() {
				dst.FieldByIndex(p.dst).Set(v.Elem().Field(0))
			}
			continue
		case copyAddress:
			c := reflect.New(v.Type())
			c.Elem().Set(v)
			dst.FieldByIndex(p.dst).Set(c)
			continue
		}
		if onlySet && v.IsZero() {
			continue
		}
		dst.FieldByIndex(p.dst).Set(v)
	}
}

// fieldByIndex is reflect.Value.FieldByIndex that reports a nil embedded
// pointer on the way instead of panicking.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
