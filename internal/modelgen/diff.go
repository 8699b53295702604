package modelgen

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Kinds of change, in report order.
const (
	KindOperation  = "operation"  // an operation added or removed, its input/output shape changed
	KindHTTP       = "http"       // method, URI or success status of an operation
	KindErrors     = "errors"     // an operation's modeled errors
	KindShape      = "shape"      // a shape added or removed, its type changed
	KindMember     = "member"     // a member added, removed, retargeted or moved (location)
	KindRequired   = "required"   // a member became required (+) or optional (-)
	KindEnum       = "enum"       // an enum value added or removed
	KindConstraint = "constraint" // min, max, pattern
	KindTrait      = "trait"      // sensitive, union, document, timestamp format, idempotency token, error status
)

var kindOrder = []string{KindOperation, KindHTTP, KindErrors, KindShape, KindMember, KindRequired, KindEnum, KindConstraint, KindTrait}

// Actions.
const (
	Added   = "+"
	Removed = "-"
	Changed = "~"
)

// Change is one difference between two models.
type Change struct {
	Kind    string
	Action  string // Added, Removed or Changed
	Subject string // operation, shape, or Shape.member
	Detail  string // what, or old → new
}

func (c Change) String() string {
	s := c.Action + " " + c.Kind + " " + c.Subject
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

// DiffModels compares two service-2.json documents. Members, enum values
// and constraints of shapes that only one model has are not listed one by
// one: the shape is.
func DiffModels(oldJSON, newJSON []byte) ([]Change, error) {
	o, err := parseModel(oldJSON)
	if err != nil {
		return nil, fmt.Errorf("old model: %w", err)
	}
	n, err := parseModel(newJSON)
	if err != nil {
		return nil, fmt.Errorf("new model: %w", err)
	}
	var cs []Change
	add := func(kind, action, subject, detail string) {
		cs = append(cs, Change{kind, action, subject, detail})
	}

	for _, name := range unionKeys(o.Operations, n.Operations) {
		oo, no := o.Operations[name], n.Operations[name]
		switch {
		case oo == nil:
			add(KindOperation, Added, name, no.HTTP.Method+" "+no.HTTP.RequestURI)
			continue
		case no == nil:
			add(KindOperation, Removed, name, oo.HTTP.Method+" "+oo.HTTP.RequestURI)
			continue
		}
		if a, b := oo.HTTP.Method+" "+oo.HTTP.RequestURI, no.HTTP.Method+" "+no.HTTP.RequestURI; a != b {
			add(KindHTTP, Changed, name, a+" → "+b)
		}
		if a, b := status(oo), status(no); a != b {
			add(KindHTTP, Changed, name, "status "+strconv.Itoa(a)+" → "+strconv.Itoa(b))
		}
		if a, b := refShape(oo.Input), refShape(no.Input); a != b {
			add(KindOperation, Changed, name, "input "+a+" → "+b)
		}
		if a, b := refShape(oo.Output), refShape(no.Output); a != b {
			add(KindOperation, Changed, name, "output "+a+" → "+b)
		}
		oe, ne := errorSet(oo), errorSet(no)
		for _, e := range unionKeys(oe, ne) {
			if !oe[e] {
				add(KindErrors, Added, name, e)
			} else if !ne[e] {
				add(KindErrors, Removed, name, e)
			}
		}
	}

	for _, name := range unionKeys(o.Shapes, n.Shapes) {
		was, now := o.Shapes[name], n.Shapes[name]
		switch {
		case was == nil:
			add(KindShape, Added, name, shapeSummary(now))
			continue
		case now == nil:
			add(KindShape, Removed, name, shapeSummary(was))
			continue
		}
		if a, b := shapeKind(was), shapeKind(now); a != b {
			add(KindShape, Changed, name, "type "+a+" → "+b)
		}
		diffShape(name, was, now, add)
	}

	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Kind != b.Kind {
			return slices.Index(kindOrder, a.Kind) < slices.Index(kindOrder, b.Kind)
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Detail < b.Detail
	})
	return cs, nil
}

func diffShape(name string, was, now *rawShape, add func(kind, action, subject, detail string)) {
	// Members.
	om, nm := memberMap(was), memberMap(now)
	oreq, nreq := set(was.Required), set(now.Required)
	for _, m := range unionKeys(om, nm) {
		subject := name + "." + m
		a, aok := om[m]
		b, bok := nm[m]
		switch {
		case !aok:
			add(KindMember, Added, subject, b.Shape+where(b))
			if nreq[m] {
				add(KindRequired, Added, subject, "new member")
			}
			continue
		case !bok:
			add(KindMember, Removed, subject, a.Shape+where(a))
			continue
		}
		if a.Shape != b.Shape {
			add(KindMember, Changed, subject, "shape "+a.Shape+" → "+b.Shape)
		}
		if where(a) != where(b) {
			add(KindMember, Changed, subject, "location "+orNone(strings.TrimPrefix(where(a), " in "))+" → "+orNone(strings.TrimPrefix(where(b), " in ")))
		}
		if a.IdempotencyToken != b.IdempotencyToken {
			add(KindTrait, flag(b.IdempotencyToken), subject, "idempotencyToken")
		}
		if oreq[m] != nreq[m] {
			add(KindRequired, flag(nreq[m]), subject, "")
		}
	}
	// Enum values.
	oe, ne := set(was.Enum), set(now.Enum)
	for _, v := range unionKeys(oe, ne) {
		if !oe[v] {
			add(KindEnum, Added, name, v)
		} else if !ne[v] {
			add(KindEnum, Removed, name, v)
		}
	}
	// Constraints.
	if a, b := num(was.Min), num(now.Min); a != b {
		add(KindConstraint, Changed, name, "min "+a+" → "+b)
	}
	if a, b := num(was.Max), num(now.Max); a != b {
		add(KindConstraint, Changed, name, "max "+a+" → "+b)
	}
	if a, b := pattern(was.Pattern), pattern(now.Pattern); a != b {
		add(KindConstraint, Changed, name, "pattern "+a+" → "+b)
	}
	// Traits.
	for _, t := range []struct {
		name string
		a, b bool
	}{{"sensitive", was.Sensitive, now.Sensitive}, {"union", was.Union, now.Union}, {"document", was.Document, now.Document}} {
		if t.a != t.b {
			add(KindTrait, flag(t.b), name, t.name)
		}
	}
	if was.TimestampFormat != now.TimestampFormat {
		add(KindTrait, Changed, name, "timestampFormat "+orNone(was.TimestampFormat)+" → "+orNone(now.TimestampFormat))
	}
	if a, b := errStatus(was), errStatus(now); a != b {
		add(KindTrait, Changed, name, "error status "+a+" → "+b)
	}
}

func unionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func memberMap(s *rawShape) map[string]rawRef {
	m := map[string]rawRef{}
	for _, x := range s.members {
		m[x.Name] = x.rawRef
	}
	return m
}

func flag(now bool) string {
	if now {
		return Added
	}
	return Removed
}

func status(op *rawOperation) int {
	if op.HTTP.ResponseCode == 0 {
		return 200
	}
	return op.HTTP.ResponseCode
}

func refShape(r *rawRef) string {
	if r == nil {
		return "(none)"
	}
	return r.Shape
}

func errorSet(op *rawOperation) map[string]bool {
	m := map[string]bool{}
	for _, e := range op.Errors {
		m[e.Shape] = true
	}
	return m
}

func where(r rawRef) string {
	if r.Location == "" {
		return ""
	}
	return " in " + r.Location + ":" + r.LocationName
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func num(f *float64) string {
	if f == nil {
		return "(none)"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func pattern(p *string) string {
	if p == nil {
		return "(none)"
	}
	return strconv.Quote(*p)
}

func errStatus(s *rawShape) string {
	if s.Error == nil {
		return "(none)"
	}
	return strconv.Itoa(s.Error.HTTPStatusCode)
}

func shapeKind(s *rawShape) string {
	if s.Type == "structure" && s.Document {
		return "document"
	}
	return s.Type
}

func shapeSummary(s *rawShape) string {
	k := shapeKind(s)
	switch {
	case len(s.members) > 0:
		return fmt.Sprintf("%s, %d members", k, len(s.members))
	case len(s.Enum) > 0:
		return fmt.Sprintf("enum, %d values", len(s.Enum))
	}
	return k
}

// ChangeCounts counts changes per kind and action.
func ChangeCounts(cs []Change) map[string]map[string]int {
	m := map[string]map[string]int{}
	for _, c := range cs {
		if m[c.Kind] == nil {
			m[c.Kind] = map[string]int{}
		}
		m[c.Kind][c.Action]++
	}
	return m
}

// WriteMarkdown writes the changes as a report: a count table, then one
// section per kind of change.
func WriteMarkdown(w io.Writer, title string, cs []Change) {
	fmt.Fprintf(w, "# %s\n\n", title)
	fmt.Fprintf(w, "Generated by `go run ./cmd/modelgen diff` (internal/modelgen/diff.go). `+` added, `-` removed, `~` changed;\n")
	fmt.Fprintf(w, "for `required`, `+` means the member became required and `-` that it became optional.\n")
	fmt.Fprintf(w, "Members, enum values and constraints of added or removed shapes are not listed one by one.\n\n")
	counts := ChangeCounts(cs)
	fmt.Fprintf(w, "| kind | + | - | ~ |\n|---|---:|---:|---:|\n")
	for _, k := range kindOrder {
		c := counts[k]
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", k, c[Added], c[Removed], c[Changed])
	}
	for _, k := range kindOrder {
		if len(counts[k]) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s\n\n", k)
		for _, c := range cs {
			if c.Kind == k {
				fmt.Fprintf(w, "- %s\n", codeSpan(c.String()))
			}
		}
	}
}

// WriteSummary writes the count of changes per kind on one line each.
func WriteSummary(w io.Writer, cs []Change) {
	counts := ChangeCounts(cs)
	for _, k := range kindOrder {
		c := counts[k]
		fmt.Fprintf(w, "%-10s +%d -%d ~%d\n", k, c[Added], c[Removed], c[Changed])
	}
}

func codeSpan(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}
