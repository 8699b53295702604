package protocol

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/model"
)

// violation is one failed constraint, reported Coral-style:
// "Value 'x' at 'path' failed to satisfy constraint: <constraint>".
type violation struct {
	path       string
	value      string // already quoted, or "null"
	constraint string
	parse      bool // wrong JSON type: reason CannotParse
}

func (v violation) message() string {
	if v.parse {
		return fmt.Sprintf("Value %s at '%s' could not be parsed: %s", v.value, v.path, v.constraint)
	}
	return fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v.value, v.path, v.constraint)
}

const sensitiveText = "*** Sensitive Data Redacted ***"

// shapeTable is one plane's shapes: what the validator and the decoder
// index with a member's shape.
type shapeTable []model.Shape

// controlShapes is the control plane's table, for the package-level helpers.
var controlShapes = shapeTable(model.Shapes[:])

// Validate checks a decoded control-plane input document against its shape
// and returns a ValidationException, or nil when the document satisfies every
// constraint.
func Validate(shape int, doc map[string]any) *awserr.Error {
	return controlShapes.validate(shape, doc)
}

// validate is Validate for the table's plane.
func (t shapeTable) validate(shape int, doc map[string]any) *awserr.Error {
	var vs []violation
	t.validateStruct(shape, doc, "", &vs)
	if len(vs) == 0 {
		return nil
	}
	return validationError(vs)
}

func validationError(vs []violation) *awserr.Error {
	reason := awserr.ReasonFieldValidation
	msgs := make([]string, len(vs))
	fields := make([]awserr.FieldError, len(vs))
	for i, v := range vs {
		if v.parse {
			reason = awserr.ReasonCannotParse
		}
		msgs[i] = v.message()
		fields[i] = awserr.FieldError{Name: v.path, Message: v.constraint}
	}
	noun := "error"
	if len(vs) > 1 {
		noun = "errors"
	}
	return &awserr.Error{
		Code:    awserr.CodeValidation,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(msgs, "; ")),
		Reason:  reason,
		Fields:  fields,
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (t shapeTable) validateStruct(shape int, obj map[string]any, path string, vs *[]violation) {
	s := &t[shape]
	set := 0
	for i := range s.Members {
		m := &s.Members[i]
		v, present := obj[m.Name]
		if !present || v == nil {
			if m.Required {
				*vs = append(*vs, violation{path: join(path, m.Name), value: "null", constraint: "Member must not be null"})
			}
			continue
		}
		set++
		t.validateValue(m.Shape, v, join(path, m.Name), vs)
	}
	if s.Union && set != 1 {
		names := make([]string, len(s.Members))
		for i, m := range s.Members {
			names[i] = m.Name
		}
		p := path
		if p == "" {
			p = s.Name
		}
		*vs = append(*vs, violation{path: p, value: "null", constraint: fmt.Sprintf("Member must have exactly one of [%s] set, found %d", strings.Join(names, ", "), set)})
	}
}

// validateValue checks one non-null value of any shape.
func (t shapeTable) validateValue(shape int, v any, path string, vs *[]violation) {
	s := &t[shape]
	wrongType := func(want string) {
		*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: "expected " + want, parse: true})
	}
	switch s.Type {
	case model.String:
		str, ok := v.(string)
		if !ok {
			wrongType("a string")
			return
		}
		for _, c := range stringConstraints(s, str) {
			*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: c})
		}
	case model.Integer, model.Float:
		n, ok := v.(json.Number)
		if !ok {
			wrongType("a number")
			return
		}
		f, msg := numberValue(s, n)
		if msg != "" {
			wrongType(msg)
			return
		}
		for _, c := range rangeConstraints(s, f) {
			*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: c})
		}
	case model.Boolean:
		if _, ok := v.(bool); !ok {
			wrongType("a boolean")
		}
	case model.Timestamp:
		switch ts := v.(type) {
		case json.Number:
			// Epoch seconds; 1e400 would fail later, inside the handler.
			if f, err := strconv.ParseFloat(string(ts), 64); err != nil || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
				wrongType("a timestamp")
			}
		case string:
			if _, err := api.ParseTimestampText(ts); err != nil {
				wrongType("a timestamp")
			}
		default:
			wrongType("a timestamp")
		}
	case model.Document:
		// Any JSON value.
	case model.Blob:
		// Raw bytes when the blob is the payload, base64 in a JSON body.
		var n int
		switch b := v.(type) {
		case []byte:
			n = len(b)
		case string:
			raw, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				wrongType("base64-encoded bytes")
				return
			}
			n = len(raw)
		default:
			wrongType("base64-encoded bytes")
			return
		}
		if c := sizeConstraint(s, n); c != "" {
			*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: c})
		}
	case model.Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			wrongType("an object")
			return
		}
		t.validateStruct(shape, obj, path, vs)
	case model.List:
		list, ok := v.([]any)
		if !ok {
			wrongType("a list")
			return
		}
		if c := sizeConstraint(s, len(list)); c != "" {
			*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: c})
		}
		t.validateElements(s, list, path, vs)
	case model.Map:
		m, ok := v.(map[string]any)
		if !ok {
			wrongType("a map")
			return
		}
		if c := sizeConstraint(s, len(m)); c != "" {
			*vs = append(*vs, violation{path: path, value: t.quote(s, v), constraint: c})
		}
		t.validateMap(s, m, path, vs)
	}
}

// validateElements reports scalar element failures once at the list, the way
// the service does ("Member must satisfy constraint: [...]"); structured
// elements are reported at path.N.member (1-based).
func (t shapeTable) validateElements(s *model.Shape, list []any, path string, vs *[]violation) {
	elem := s.Member
	es := &t[elem]
	if es.Type == model.Structure || es.Type == model.List || es.Type == model.Map {
		for i, v := range list {
			p := path + "." + strconv.Itoa(i+1) + ".member"
			if v == nil {
				*vs = append(*vs, violation{path: p, value: "null", constraint: "Member must not be null"})
				continue
			}
			t.validateValue(elem, v, p, vs)
		}
		return
	}
	var inner []violation
	for i, v := range list {
		p := path + "." + strconv.Itoa(i+1) + ".member"
		if v == nil {
			inner = append(inner, violation{path: p, value: "null", constraint: "Member must not be null"})
			continue
		}
		t.validateValue(elem, v, p, &inner)
	}
	t.aggregate(inner, path, s, list, "Member must satisfy constraint", vs)
}

func (t shapeTable) validateMap(s *model.Shape, m map[string]any, path string, vs *[]violation) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var keyViolations, valueViolations []violation
	vshape := &t[s.Value]
	structured := vshape.Type == model.Structure || vshape.Type == model.List || vshape.Type == model.Map
	for _, k := range keys {
		t.validateValue(s.Key, k, path, &keyViolations)
		v := m[k]
		p := path + "." + k + ".member"
		if v == nil {
			valueViolations = append(valueViolations, violation{path: p, value: "null", constraint: "Member must not be null"})
			continue
		}
		if structured {
			t.validateValue(s.Value, v, p, vs)
		} else {
			t.validateValue(s.Value, v, p, &valueViolations)
		}
	}
	t.aggregate(keyViolations, path, s, m, "Map keys must satisfy constraint", vs)
	t.aggregate(valueViolations, path, s, m, "Map value must satisfy constraint", vs)
}

// aggregate folds element violations into one violation at the collection.
// A wrong element type stays a parse error. shape is the collection's.
func (t shapeTable) aggregate(inner []violation, path string, shape *model.Shape, whole any, prefix string, vs *[]violation) {
	if len(inner) == 0 {
		return
	}
	for _, v := range inner {
		if v.parse {
			*vs = append(*vs, v)
			return
		}
	}
	seen := map[string]bool{}
	var cs []string
	for _, v := range inner {
		if !seen[v.constraint] {
			seen[v.constraint] = true
			cs = append(cs, v.constraint)
		}
	}
	*vs = append(*vs, violation{path: path, value: t.quote(shape, whole), constraint: prefix + ": [" + strings.Join(cs, ", ") + "]"})
}

func stringConstraints(s *model.Shape, str string) []string {
	var cs []string
	n := utf16Len(str)
	if s.HasMin && float64(n) < s.Min {
		cs = append(cs, fmt.Sprintf("Member must have length greater than or equal to %d", int(s.Min)))
	}
	if s.HasMax && float64(n) > s.Max {
		cs = append(cs, fmt.Sprintf("Member must have length less than or equal to %d", int(s.Max)))
	}
	if s.Pattern != nil && !s.Pattern.MatchString(str) {
		cs = append(cs, "Member must satisfy regular expression pattern: "+s.PatternText)
	}
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			if e == str {
				found = true
				break
			}
		}
		if !found {
			cs = append(cs, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
	}
	return cs
}

// numberValue parses a JSON number for an integer or float shape; msg is set
// when the number does not fit the shape.
func numberValue(s *model.Shape, n json.Number) (float64, string) {
	if s.Type == model.Integer {
		i, err := strconv.ParseInt(string(n), 10, 32)
		if err != nil {
			return 0, "an integer"
		}
		return float64(i), ""
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, "a number"
	}
	return f, ""
}

func rangeConstraints(s *model.Shape, f float64) []string {
	var cs []string
	if s.HasMin && f < s.Min {
		cs = append(cs, "Member must have value greater than or equal to "+formatBound(s.Min))
	}
	if s.HasMax && f > s.Max {
		cs = append(cs, "Member must have value less than or equal to "+formatBound(s.Max))
	}
	return cs
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func sizeConstraint(s *model.Shape, n int) string {
	if s.HasMin && float64(n) < s.Min {
		return fmt.Sprintf("Member must have length greater than or equal to %d", int(s.Min))
	}
	if s.HasMax && float64(n) > s.Max {
		return fmt.Sprintf("Member must have length less than or equal to %d", int(s.Max))
	}
	return ""
}

// utf16Len counts UTF-16 code units, as the service's Java validator does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	if !utf8.ValidString(s) {
		return len(s)
	}
	return n
}

// quote renders a value for a message: 'text', with the redaction marker in
// place of any part whose shape is sensitive.
func (t shapeTable) quote(s *model.Shape, v any) string {
	return "'" + t.render(s, v) + "'"
}

// render is javaString guided by the shape, so that a sensitive value nested
// in a collection or structure (an OAuth parameter in a map that is too
// large) is never echoed. A collection of sensitive elements, keys or values
// is redacted whole.
func (t shapeTable) render(s *model.Shape, v any) string {
	if s.Sensitive {
		return sensitiveText
	}
	switch s.Type {
	case model.List:
		list, ok := v.([]any)
		if !ok {
			break
		}
		es := &t[s.Member]
		if es.Sensitive {
			return sensitiveText
		}
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = t.render(es, e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case model.Map:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		vs := &t[s.Value]
		if t[s.Key].Sensitive || vs.Sensitive {
			return sensitiveText
		}
		keys := sortedKeys(m)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + t.render(vs, m[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case model.Structure:
		obj, ok := v.(map[string]any)
		if !ok {
			break
		}
		keys := sortedKeys(obj)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaString(obj[k])
			for _, m := range s.Members {
				if m.Name == k {
					parts[i] = k + "=" + t.render(&t[m.Shape], obj[k])
					break
				}
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return javaString(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// javaString renders a JSON value the way Java's toString would: lists as
// [a, b], maps as {k=v}.
func javaString(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaString(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// validateValue and render are the control plane's, for tests.
func validateValue(shape int, v any, path string, vs *[]violation) {
	controlShapes.validateValue(shape, v, path, vs)
}

func render(s *model.Shape, v any) string { return controlShapes.render(s, v) }
