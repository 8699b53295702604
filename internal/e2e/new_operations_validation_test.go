package e2e

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp/syntax"
	"sort"
	"strings"
	"testing"

	"agentcored/internal/model"
	"agentcored/internal/testserver"
)

// The operations newer than botocore 1.43.11 (the 29 the model upgrade
// added and the 10 of the overlay) are derived, not listed: the operations
// of internal/model minus those of the installed botocore's model, which is
// 1.43.11 on the development machine.

// nvOldBotocoreVersion is the botocore release the upgrade started from.
const nvOldBotocoreVersion = "1.43.11"

// nvNewOperations reads the operation names of the installed botocore's
// model and answers the operations of internal/model it does not have. It
// skips the test when python3 or botocore is missing or is not 1.43.11.
func nvNewOperations(t *testing.T) []*model.Operation {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: the old model's operations come from its botocore")
	}
	out, err := exec.Command(py, "-c", "import botocore,os;print(botocore.__version__);print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Skipf("botocore is not importable by python3 (%v): the old model's operations come from it", err)
	}
	version, dir, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if version != nvOldBotocoreVersion {
		t.Skipf("installed botocore is %s, the model changes are counted from %s", version, nvOldBotocoreVersion)
	}
	f, err := os.Open(filepath.Join(dir, "data", "bedrock-agentcore-control", "2023-06-05", "service-2.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var old struct {
		Operations map[string]json.RawMessage `json:"operations"`
	}
	if err := json.NewDecoder(zr).Decode(&old); err != nil {
		t.Fatal(err)
	}
	if len(old.Operations) == 0 {
		t.Fatal("the old model has no operations")
	}
	var ops []*model.Operation
	for i := range model.Operations {
		if _, ok := old.Operations[model.Operations[i].Name]; !ok {
			ops = append(ops, &model.Operations[i])
		}
	}
	return ops
}

// nvGenString answers a string the shape accepts: its first enum value, or
// a string matching its pattern within its length bounds.
func nvGenString(s *model.Shape) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	minLen, maxLen := 0, 1<<20
	if s.HasMin {
		minLen = int(s.Min)
	}
	if s.HasMax {
		maxLen = int(s.Max)
	}
	if s.Pattern == nil {
		return strings.Repeat("a", max(minLen, 1))
	}
	re, err := syntax.Parse(s.Pattern.String(), syntax.Perl)
	if err != nil {
		panic(fmt.Sprintf("shape %s: pattern %q: %v", s.Name, s.Pattern, err))
	}
	// Repeat the unbounded parts of the pattern more and more times until
	// the string is long enough.
	for _, n := range []int{0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512, 1024, 2048} {
		v := nvGenRegexp(re, n)
		if len(v) >= minLen && len(v) <= maxLen && s.Pattern.MatchString(v) {
			return v
		}
	}
	panic(fmt.Sprintf("shape %s: no generated string matches %q within [%d, %d]", s.Name, s.Pattern, minLen, maxLen))
}

// nvGenRegexp answers a string re matches, repeating each repetition n
// times within its bounds.
func nvGenRegexp(re *syntax.Regexp, n int) string {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune)
	case syntax.OpCharClass:
		return string(nvClassRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return "a"
	case syntax.OpCapture:
		return nvGenRegexp(re.Sub[0], n)
	case syntax.OpStar:
		return strings.Repeat(nvGenRegexp(re.Sub[0], n), n)
	case syntax.OpPlus:
		return strings.Repeat(nvGenRegexp(re.Sub[0], n), max(n, 1))
	case syntax.OpQuest:
		if n > 0 {
			return nvGenRegexp(re.Sub[0], n)
		}
		return ""
	case syntax.OpRepeat:
		k := max(n, re.Min)
		if re.Max >= 0 {
			k = min(k, re.Max)
		}
		return strings.Repeat(nvGenRegexp(re.Sub[0], n), k)
	case syntax.OpConcat:
		var b strings.Builder
		for _, sub := range re.Sub {
			b.WriteString(nvGenRegexp(sub, n))
		}
		return b.String()
	case syntax.OpAlternate:
		return nvGenRegexp(re.Sub[0], n)
	}
	return "" // empty match, anchors, word boundaries
}

// nvClassRune picks a rune of a character class (pairs of bounds),
// preferring a lower-case letter, then an upper-case one, then a digit.
func nvClassRune(ranges []rune) rune {
	for _, want := range [][2]rune{{'a', 'z'}, {'A', 'Z'}, {'0', '9'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], want[0]), min(ranges[i+1], want[1])
			if lo <= hi {
				return lo
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if r := max(ranges[i], '!'); r <= ranges[i+1] {
			return r
		}
	}
	return ranges[0]
}

// nvGenValue answers a JSON value the shape accepts: a structure with its
// required members, a union with its first member, one element per list
// and map (or as many as the minimum wants), numbers at their minimum.
func nvGenValue(idx int) any {
	s := &model.Shapes[idx]
	switch s.Type {
	case model.String:
		return nvGenString(s)
	case model.Integer, model.Float:
		if s.HasMin {
			return s.Min
		}
		if s.HasMax && s.Max < 1 {
			return s.Max
		}
		return 1
	case model.Boolean:
		return true
	case model.Timestamp:
		if s.TimestampISO {
			return "2024-01-01T00:00:00Z"
		}
		return 1704067200
	case model.Document:
		return map[string]any{"k": "v"}
	case model.List:
		n := 1
		if s.HasMin {
			n = max(n, int(s.Min))
		}
		out := make([]any, n)
		for i := range out {
			out[i] = nvGenValue(s.Member)
		}
		return out
	case model.Map:
		return map[string]any{nvGenString(&model.Shapes[s.Key]): nvGenValue(s.Value)}
	case model.Structure:
		out := map[string]any{}
		for _, m := range s.Members {
			if s.Union {
				out[m.Name] = nvGenValue(m.Shape)
				break
			}
			if m.Required && m.Location == model.InBody {
				out[m.Name] = nvGenValue(m.Shape)
			}
		}
		return out
	}
	panic("shape " + s.Name + ": no value for type " + s.Type.String())
}

// nvBadValue is one value a string shape refuses, and which constraint it
// breaks.
type nvBadValue struct {
	constraint string
	value      string
}

// nvBadStrings answers values that break the shape's pattern or length
// bounds (each one constraint while the others may hold).
func nvBadStrings(s *model.Shape, inURI bool) []nvBadValue {
	var out []nvBadValue
	if s.Pattern != nil {
		good := nvGenString(s)
		for _, v := range []string{good + " !", "! " + good, "!", " ", "-", "a", "0", "A"} {
			if s.Pattern.MatchString(v) || (s.HasMax && len(v) > int(s.Max)) || (s.HasMin && len(v) < int(s.Min)) {
				continue
			}
			out = append(out, nvBadValue{"pattern", v})
			break
		}
	}
	if s.HasMax {
		out = append(out, nvBadValue{"max length", strings.Repeat("a", int(s.Max)+1)})
	}
	if s.HasMin && s.Min >= 1 && !(inURI && s.Min == 1) {
		out = append(out, nvBadValue{"min length", strings.Repeat("a", int(s.Min)-1)})
	}
	return out
}

// nvRequest is one request of an operation: its URI labels (escaped when
// the URI is built), query and body.
type nvRequest struct {
	op     *model.Operation
	labels map[string]string
	query  url.Values
	body   map[string]any
}

// nvValidRequest builds a model-valid request with every required member
// and every URI label set.
func nvValidRequest(op *model.Operation) nvRequest {
	r := nvRequest{op: op, labels: map[string]string{}, query: url.Values{}, body: map[string]any{}}
	for _, m := range model.Shapes[op.Input].Members {
		switch {
		case m.Location == model.InURI:
			r.labels[m.LocationName] = nvGenString(&model.Shapes[m.Shape])
		case m.Location == model.InQuery && m.Required:
			r.query.Set(m.LocationName, fmt.Sprint(nvGenValue(m.Shape)))
		case m.Location == model.InBody && m.Required:
			r.body[m.Name] = nvGenValue(m.Shape)
		}
	}
	return r
}

// send sends the request unsigned and answers the server's answer.
func (r nvRequest) send(t *testing.T, base string) rawResponse {
	t.Helper()
	path := r.op.URI
	for name, v := range r.labels {
		path = strings.Replace(path, "{"+name+"}", url.PathEscape(v), 1)
		path = strings.Replace(path, "{"+name+"+}", url.PathEscape(v), 1)
	}
	if strings.Contains(path, "{") {
		t.Fatalf("%s: URI %s has a label the input does not set", r.op.Name, path)
	}
	if q := r.query.Encode(); q != "" {
		path += "?" + q
	}
	body := ""
	if r.op.Method != "GET" && r.op.Method != "DELETE" {
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return rawRequest(t, r.op.Method, base+path, body)
}

// nvWantFieldError checks that the answer is a 400 ValidationException
// whose message names field and whose fieldList, when sent, lists it.
func nvWantFieldError(t *testing.T, r rawResponse, field string) {
	t.Helper()
	if r.status != 400 {
		t.Fatalf("status %d, want 400: %s", r.status, r.body)
	}
	code, body := r.apiError(t)
	if !strings.HasPrefix(code, "ValidationException") {
		t.Fatalf("error type %q, want ValidationException: %s", code, r.body)
	}
	if !strings.Contains(body.Message, "'"+field+"'") {
		t.Errorf("message %q does not name '%s'", body.Message, field)
	}
	if body.Reason != "FieldValidationFailed" {
		t.Errorf("reason %q, want FieldValidationFailed", body.Reason)
	}
	if len(body.FieldList) > 0 {
		listed := false
		for _, f := range body.FieldList {
			listed = listed || f.Name == field
		}
		if !listed {
			t.Errorf("fieldList %s does not list %s", r.body, field)
		}
	}
}

// TestNewOperationsValidation: every operation newer than botocore 1.43.11
// answers 400 ValidationException naming the member when a request (valid
// otherwise) misses one required body member, or sets a URI label or a
// top-level body string that breaks its pattern or length bounds.
func TestNewOperationsValidation(t *testing.T) {
	ops := nvNewOperations(t)
	// 29 added by the upgrade to 1.43.67, 10 by the overlay.
	if len(ops) != 39 {
		names := make([]string, len(ops))
		for i, op := range ops {
			names[i] = op.Name
		}
		t.Errorf("%d new operations, want 39: %s", len(ops), strings.Join(names, " "))
	}
	srv := testserver.Start(t)
	var missing, labels, bodyStrings int
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) {
			// The valid request's answer (success, not found, or a check
			// beyond the model) must not name the member a case breaks:
			// the case's error then comes from its one violation.
			base := nvValidRequest(op).send(t, srv.URL)
			notNamedByBase := func(t *testing.T, field string) {
				t.Helper()
				if (base.status == 400 && strings.Contains(string(base.body), "'"+field+"'")) || strings.Contains(string(base.body), `"name":"`+field+`"`) {
					t.Fatalf("the valid request's answer already names %s: %s", field, base.body)
				}
			}
			input := &model.Shapes[op.Input]
			for _, m := range input.Members {
				if m.Location != model.InBody || !m.Required {
					continue
				}
				missing++
				t.Run("missing "+m.Name, func(t *testing.T) {
					notNamedByBase(t, m.Name)
					r := nvValidRequest(op)
					delete(r.body, m.Name)
					nvWantFieldError(t, r.send(t, srv.URL), m.Name)
				})
			}
			for _, m := range input.Members {
				s := &model.Shapes[m.Shape]
				if s.Type != model.String || len(s.Enum) > 0 || (m.Location != model.InURI && m.Location != model.InBody) {
					continue
				}
				for _, bad := range nvBadStrings(s, m.Location == model.InURI) {
					if m.Location == model.InURI {
						labels++
					} else {
						bodyStrings++
					}
					t.Run(fmt.Sprintf("%s %s %q", m.Name, bad.constraint, bad.value[:min(len(bad.value), 12)]), func(t *testing.T) {
						notNamedByBase(t, m.Name)
						r := nvValidRequest(op)
						if m.Location == model.InURI {
							r.labels[m.LocationName] = bad.value
						} else {
							r.body[m.Name] = bad.value
						}
						nvWantFieldError(t, r.send(t, srv.URL), m.Name)
					})
				}
			}
		})
	}
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.Name
	}
	sort.Strings(names)
	t.Logf("%d new operations: %d missing-required cases, %d bad URI labels, %d bad body strings", len(ops), missing, labels, bodyStrings)
	t.Logf("operations: %s", strings.Join(names, " "))
}
