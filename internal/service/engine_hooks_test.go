package service

import (
	"errors"
	"testing"

	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// gizmos are a synchronous child family with their own name-taken and
// quota errors, for the hooks a child family may set.
var gizmos = &family[widgetRecord]{
	kind: "gizmo", noun: "gizmo", fields: fields{ID: "WidgetId", Status: "Status"},
	states: states{create: "READY"}, quota: func(Quotas) int { return 1 },
	taken: func(parent, name string) error { return awserr.Conflict("gizmo %s taken in %s", name, parent) },
	full:  func(parent string, quota int) error { return awserr.QuotaExceeded("%s full at %d", parent, quota) },
}

func TestEngineChildHooks(t *testing.T) {
	s, _ := widgetService(t)
	ctx := call("CreateBrowser", "")
	mk := func(parent, name string, check func(store.Tx, scope) error) error {
		_, err := create[widgetAnswer](ctx, s, gizmos, creation{parent: parent, name: name, from: &createWidgetRequest{Name: name}, check: check}, nil)
		return err
	}
	refused := awserr.Conflict("parent takes no gizmos")
	checked := 0
	if err := mk("p1", "g", func(store.Tx, scope) error { checked++; return refused }); !errors.Is(err, refused) {
		t.Fatalf("check's refusal: got %v", err)
	}
	if err := mk("p1", "g", func(store.Tx, scope) error { checked++; return nil }); err != nil || checked != 2 {
		t.Fatalf("create after a passing check: %v (checks %d)", err, checked)
	}
	for _, c := range []struct{ parent, name, want string }{
		{"p1", "g", "gizmo g taken in p1"}, // the name comes before the quota
		{"p1", "h", "p1 full at 1"},
		{"p2", "g", ""}, // names are unique under a parent only
	} {
		err := mk(c.parent, c.name, nil)
		var ae *awserr.Error
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s/%s: %v", c.parent, c.name, err)
		case c.want != "" && (!errors.As(err, &ae) || ae.Message != c.want):
			t.Errorf("%s/%s: got %v, want %q", c.parent, c.name, err, c.want)
		}
	}
}
