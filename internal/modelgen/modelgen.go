// Package modelgen turns the botocore service models (the repository's copies
// under models/, see models.go) into Go, one pair of packages per plane
// (Plane): the model tables (internal/model for bedrock-agentcore-control,
// internal/dpmodel for bedrock-agentcore), the typed API structs and the
// handler interface (internal/api, internal/dpapi). It carries facts only,
// never the model's documentation prose. Output is deterministic: the same model gives the same
// bytes.
package modelgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/format"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Files maps a path relative to the module root to its generated content.
type Files map[string][]byte

type rawShape struct {
	Type            string          `json:"type"`
	Members         json.RawMessage `json:"members"`
	Required        []string        `json:"required"`
	Member          *rawRef         `json:"member"`
	Key             *rawRef         `json:"key"`
	Value           *rawRef         `json:"value"`
	Min             *float64        `json:"min"`
	Max             *float64        `json:"max"`
	Pattern         *string         `json:"pattern"`
	Enum            []string        `json:"enum"`
	Sensitive       bool            `json:"sensitive"`
	Union           bool            `json:"union"`
	Document        bool            `json:"document"`
	TimestampFormat string          `json:"timestampFormat"`
	Payload         string          `json:"payload"`
	Streaming       bool            `json:"streaming"`
	EventStream     bool            `json:"eventstream"`
	Exception       bool            `json:"exception"`
	Fault           bool            `json:"fault"`
	Error           *struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`

	members []rawMember // in model order
}

type rawRef struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`
	LocationName     string `json:"locationName"`
	IdempotencyToken bool   `json:"idempotencyToken"`
}

type rawMember struct {
	Name string
	rawRef
}

type rawOperation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *rawRef  `json:"input"`
	Output *rawRef  `json:"output"`
	Errors []rawRef `json:"errors"`
}

type rawModel struct {
	Metadata   map[string]any           `json:"metadata"`
	Operations map[string]*rawOperation `json:"operations"`
	Shapes     map[string]*rawShape     `json:"shapes"`
}

// gen holds the parsed model and the shape order used for indices.
type gen struct {
	plane   Plane
	m       rawModel
	names   []string // shape names, sorted; index = position
	index   map[string]int
	opNames []string

	overlaySum string   // sha256 of the overlay, "" without one
	overlayOps []string // operations the overlay added, sorted
}

// Generate produces the control plane's generated files from the model JSON.
func Generate(modelJSON []byte, botocoreVersion string) (Files, error) {
	return GenerateWithOverlay(modelJSON, nil, botocoreVersion)
}

// GenerateWithOverlay produces the control plane's generated files from the
// model JSON with the overlay (nil for none) merged in (MergeOverlay).
// ModelSHA256 stays the sum of the model alone; OverlaySHA256 is the overlay's.
func GenerateWithOverlay(modelJSON, overlayJSON []byte, botocoreVersion string) (Files, error) {
	return GeneratePlane(ControlPlane, modelJSON, overlayJSON, botocoreVersion)
}

// GeneratePlane produces one plane's generated files from its model JSON
// and overlay (nil for none).
func GeneratePlane(plane Plane, modelJSON, overlayJSON []byte, botocoreVersion string) (Files, error) {
	g := &gen{plane: plane, index: map[string]int{}}
	merged := modelJSON
	overlaySum := ""
	if overlayJSON != nil {
		var err error
		if merged, err = MergeOverlay(modelJSON, overlayJSON); err != nil {
			return nil, err
		}
		overlaySum = sha(overlayJSON)
		o, err := parseOverlay(overlayJSON)
		if err != nil {
			return nil, err
		}
		g.overlayOps = sortedKeys(o.Operations)
	}
	m, err := parseModel(merged)
	if err != nil {
		return nil, err
	}
	g.m = *m
	g.overlaySum = overlaySum
	for name := range g.m.Shapes {
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	for i, n := range g.names {
		g.index[n] = i
	}
	for n := range g.m.Operations {
		g.opNames = append(g.opNames, n)
	}
	sort.Strings(g.opNames)

	sum := sha256.Sum256(modelJSON)
	files := Files{}
	if files[plane.ModelDir()+"/zz_generated.go"], err = g.modelFile(botocoreVersion, hex.EncodeToString(sum[:])); err != nil {
		return nil, err
	}
	if files[plane.APIDir()+"/zz_types.go"], err = g.typesFile(); err != nil {
		return nil, err
	}
	if files[plane.APIDir()+"/zz_operations.go"], err = g.operationsFile(); err != nil {
		return nil, err
	}
	return files, nil
}

// parseModel reads a service-2.json; each shape's members keep model order.
func parseModel(modelJSON []byte) (*rawModel, error) {
	var m rawModel
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	for name, s := range m.Shapes {
		keys, err := objectKeys(s.Members)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", name, err)
		}
		var members map[string]rawRef
		if len(s.Members) > 0 {
			if err := json.Unmarshal(s.Members, &members); err != nil {
				return nil, fmt.Errorf("shape %s: %w", name, err)
			}
		}
		for _, k := range keys {
			s.members = append(s.members, rawMember{Name: k, rawRef: members[k]})
		}
	}
	return &m, nil
}

// objectKeys lists the keys of a JSON object in document order.
func objectKeys(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// header opens every generated file of the plane.
func (g *gen) header() string {
	from := "models/" + g.plane.Name + " (botocore model)"
	if g.plane.Overlay {
		from += " and models/overlay"
	}
	return "// Code generated by cmd/modelgen from " + from + ". DO NOT EDIT.\n\n"
}

func formatted(name string, b *bytes.Buffer) ([]byte, error) {
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt %s: %w", name, err)
	}
	return out, nil
}

var (
	bigRepeat  = regexp.MustCompile(`\{(\d+),(\d+)\}`)
	javaEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)
)

// goPattern adapts a model pattern to Go's RE2: repeat counts above 1000 are
// not allowed there, so {m,n} with n > 1000 becomes {m,}; the shape's length
// bounds still apply. Java's \uXXXX escapes become \x{XXXX}. Whole-string
// match, as the service does.
func goPattern(p string) string {
	p = javaEscape.ReplaceAllString(p, `\x{$1}`)
	p = bigRepeat.ReplaceAllStringFunc(p, func(s string) string {
		m := bigRepeat.FindStringSubmatch(s)
		if n, _ := strconv.Atoi(m[2]); n > 1000 {
			return "{" + m[1] + ",}"
		}
		return s
	})
	return "^(?:" + p + ")$"
}

func (g *gen) modelFile(version, sum string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(g.header())
	fmt.Fprintf(&b, "package %s\n\nimport \"regexp\"\n\n", g.plane.ModelPkg)
	fmt.Fprintf(&b, "// BotocoreVersion is the botocore release whose model this was generated from.\nconst BotocoreVersion = %q\n\n", version)
	fmt.Fprintf(&b, "// ModelSHA256 is the sha256 of the service-2.json this was generated from (models/, stripped).\nconst ModelSHA256 = %q\n\n", sum)
	fmt.Fprintf(&b, "// APIVersion is the model's apiVersion.\nconst APIVersion = %q\n\n", g.m.Metadata["apiVersion"])
	fmt.Fprintf(&b, "// OverlaySHA256 is the sha256 of the overlay merged into the model (models/overlay), empty without one.\nconst OverlaySHA256 = %q\n\n", g.overlaySum)
	fmt.Fprintf(&b, "// OverlayOperations are the operations the overlay added (not in the botocore model).\nvar OverlayOperations = %#v\n\n", g.overlayOps)

	// Shapes.
	b.WriteString("// Shapes is every shape of the model, sorted by name.\nvar Shapes = [...]Shape{\n")
	for i, name := range g.names {
		s := g.m.Shapes[name]
		fmt.Fprintf(&b, "\t%d: {Name: %q, Type: %s", i, name, goModelType(s))
		if s.Min != nil {
			fmt.Fprintf(&b, ", HasMin: true, Min: %v", *s.Min)
		}
		if s.Max != nil {
			fmt.Fprintf(&b, ", HasMax: true, Max: %v", *s.Max)
		}
		if s.Pattern != nil {
			re := goPattern(*s.Pattern)
			if _, err := regexp.Compile(re); err != nil {
				return nil, fmt.Errorf("shape %s pattern: %w", name, err)
			}
			fmt.Fprintf(&b, ", Pattern: regexp.MustCompile(%q), PatternText: %q", re, *s.Pattern)
		}
		if len(s.Enum) > 0 {
			fmt.Fprintf(&b, ", Enum: %#v", s.Enum)
		}
		if s.Sensitive {
			b.WriteString(", Sensitive: true")
		}
		if s.Union {
			b.WriteString(", Union: true")
		}
		if s.Type == "timestamp" && s.TimestampFormat == "iso8601" {
			b.WriteString(", TimestampISO: true")
		}
		if s.Type == "timestamp" && s.TimestampFormat != "" && s.TimestampFormat != "iso8601" {
			return nil, fmt.Errorf("shape %s: unsupported timestampFormat %q", name, s.TimestampFormat)
		}
		if s.Payload != "" {
			fmt.Fprintf(&b, ", Payload: %q", s.Payload)
		}
		if s.Streaming {
			b.WriteString(", Streaming: true")
		}
		if s.EventStream {
			b.WriteString(", EventStream: true")
		}
		if s.Member != nil {
			fmt.Fprintf(&b, ", Member: %d", g.index[s.Member.Shape])
		}
		if s.Key != nil {
			fmt.Fprintf(&b, ", Key: %d, Value: %d", g.index[s.Key.Shape], g.index[s.Value.Shape])
		}
		if s.Exception {
			fmt.Fprintf(&b, ", IsError: true, HTTPStatus: %d, Fault: %v", s.Error.HTTPStatusCode, s.Fault)
		}
		if len(s.members) > 0 {
			required := map[string]bool{}
			for _, r := range s.Required {
				required[r] = true
			}
			b.WriteString(", Members: []Member{\n")
			for _, m := range s.members {
				fmt.Fprintf(&b, "\t\t{Name: %q, Shape: %d", m.Name, g.index[m.Shape])
				if required[m.Name] {
					b.WriteString(", Required: true")
				}
				switch m.Location {
				case "":
				case "uri":
					fmt.Fprintf(&b, ", Location: InURI, LocationName: %q", m.LocationName)
				case "querystring":
					fmt.Fprintf(&b, ", Location: InQuery, LocationName: %q", m.LocationName)
				case "header":
					fmt.Fprintf(&b, ", Location: InHeader, LocationName: %q", m.LocationName)
				case "statusCode":
					b.WriteString(", Location: InStatusCode")
				default:
					return nil, fmt.Errorf("shape %s member %s: unsupported location %q", name, m.Name, m.Location)
				}
				if m.IdempotencyToken {
					b.WriteString(", IdempotencyToken: true")
				}
				b.WriteString("},\n")
			}
			b.WriteString("\t}")
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	// Operations.
	b.WriteString("// Operations is every operation of the model, sorted by name.\nvar Operations = [...]Operation{\n")
	for _, name := range g.opNames {
		op := g.m.Operations[name]
		status := op.HTTP.ResponseCode
		if status == 0 {
			status = 200
		}
		var errs []string
		for _, e := range op.Errors {
			errs = append(errs, e.Shape)
		}
		sort.Strings(errs)
		token := ""
		for _, m := range g.m.Shapes[op.Input.Shape].members {
			if m.IdempotencyToken {
				token = m.Name
			}
		}
		fmt.Fprintf(&b, "\t{Name: %q, Method: %q, URI: %q, Status: %d, Input: %d, Output: %d, Errors: %#v, TokenMember: %q},\n",
			name, op.HTTP.Method, op.HTTP.RequestURI, status, g.index[op.Input.Shape], g.index[op.Output.Shape], errs, token)
	}
	b.WriteString("}\n\n")

	// Error statuses.
	b.WriteString("// ErrorStatuses maps each modeled error code to its HTTP status.\nvar ErrorStatuses = map[string]int{\n")
	for _, name := range g.names {
		if s := g.m.Shapes[name]; s.Exception {
			fmt.Fprintf(&b, "\t%q: %d,\n", name, s.Error.HTTPStatusCode)
		}
	}
	b.WriteString("}\n")
	return formatted("model", &b)
}

func goModelType(s *rawShape) string {
	switch s.Type {
	case "string":
		return "String"
	case "integer", "long":
		return "Integer"
	case "float", "double":
		return "Float"
	case "boolean":
		return "Boolean"
	case "timestamp":
		return "Timestamp"
	case "list":
		return "List"
	case "map":
		return "Map"
	case "blob":
		return "Blob"
	case "structure":
		if s.Document {
			return "Document"
		}
		return "Structure"
	}
	panic("unsupported shape type " + s.Type)
}

// exported makes a Go identifier from a model name.
func exported(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if upper && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "V" + s
	}
	return s
}

// enumIdent makes a constant suffix from an enum value: CREATE_FAILED
// becomes CreateFailed, aws.browser.v1 becomes AwsBrowserV1, PYTHON_3_12
// becomes Python312 (only a leading digit of the whole gets the V prefix).
func enumIdent(v string) string {
	parts := strings.FieldsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	var b strings.Builder
	for _, p := range parts {
		if strings.ToUpper(p) == p {
			p = strings.ToLower(p)
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:]) // p is ASCII letters and digits
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "V" + s
	}
	return s
}

// goType is the Go type of a reference to a shape, as a field or element.
func (g *gen) goType(shapeName string, field bool) string {
	s := g.m.Shapes[shapeName]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return exported(shapeName)
		}
		return "string"
	case "integer", "long":
		if field {
			return "*int64"
		}
		return "int64"
	case "float", "double":
		if field {
			return "*float64"
		}
		return "float64"
	case "boolean":
		if field {
			return "*bool"
		}
		return "bool"
	case "timestamp":
		if s.TimestampFormat == "iso8601" {
			return "DateTime"
		}
		return "EpochTime"
	case "list":
		return "[]" + g.goType(s.Member.Shape, false)
	case "map":
		return "map[string]" + g.goType(s.Value.Shape, false)
	case "blob":
		if s.Streaming && field {
			// A streaming blob (an output payload: InvokeAgentRuntime's
			// answer) is read and closed as it arrives, never held whole.
			return "io.ReadCloser"
		}
		return "[]byte"
	case "structure":
		if s.Document {
			return "Document"
		}
		if s.EventStream && field {
			// An event stream (an output payload: InvokeAgentRuntimeCommand's
			// chunks) is a sequence the handler yields event by event; the
			// protocol encodes and flushes each as it comes.
			return "iter.Seq[*" + exported(shapeName) + "]"
		}
		if field {
			return "*" + exported(shapeName)
		}
		return exported(shapeName)
	}
	panic("unsupported type " + s.Type)
}

// streamingBlob: the shape is a streaming blob (a Go io.ReadCloser).
func (g *gen) streamingBlob(shapeName string) bool {
	s := g.m.Shapes[shapeName]
	return s.Type == "blob" && s.Streaming
}

// eventStream: the shape is an event stream (a Go iter.Seq of its union).
func (g *gen) eventStream(shapeName string) bool {
	s := g.m.Shapes[shapeName]
	return s.Type == "structure" && s.EventStream
}

func (g *gen) hasEventStream() bool {
	for _, name := range g.names {
		if s := g.m.Shapes[name]; s.Type == "structure" && !s.Document {
			for _, m := range s.members {
				if g.eventStream(m.Shape) {
					return true
				}
			}
		}
	}
	return false
}

func (g *gen) hasStreamingBlob() bool {
	for _, name := range g.names {
		if s := g.m.Shapes[name]; s.Type == "structure" && !s.Document {
			for _, m := range s.members {
				if g.streamingBlob(m.Shape) {
					return true
				}
			}
		}
	}
	return false
}

func (g *gen) typesFile() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(g.header())
	fmt.Fprintf(&b, "package %s\n\n", g.plane.APIPkg)
	switch io, it := g.hasStreamingBlob(), g.hasEventStream(); {
	case io && it:
		b.WriteString("import (\n\t\"io\"\n\t\"iter\"\n)\n\n")
	case io:
		b.WriteString("import \"io\"\n\n")
	case it:
		b.WriteString("import \"iter\"\n\n")
	}
	seen := map[string]string{}
	claim := func(ident, owner string) error {
		if prev, ok := seen[ident]; ok {
			return fmt.Errorf("Go name %s used by both %s and %s", ident, prev, owner)
		}
		seen[ident] = owner
		return nil
	}
	for _, reserved := range []string{"DateTime", "EpochTime", "Document", "Handlers", "UnimplementedHandlers", "Invokers", "NewDateTime", "NewEpochTime", "ParseTimestampText", "Bind", "Invoker"} {
		seen[reserved] = "hand-written code"
	}
	for _, name := range g.names {
		s := g.m.Shapes[name]
		switch {
		case s.Type == "string" && len(s.Enum) > 0:
			typ := exported(name)
			if err := claim(typ, name); err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "// %s is an enum of the model.\ntype %s string\n\nconst (\n", typ, typ)
			for _, v := range s.Enum {
				c := typ + enumIdent(v)
				if _, dup := seen[c]; dup {
					c = typ + "Value" + enumIdent(v)
				}
				if err := claim(c, name+" value "+v); err != nil {
					return nil, err
				}
				fmt.Fprintf(&b, "\t%s %s = %q\n", c, typ, v)
			}
			b.WriteString(")\n\n")
		case s.Type == "structure" && !s.Document:
			typ := exported(name)
			if err := claim(typ, name); err != nil {
				return nil, err
			}
			kind := "structure"
			if s.Union {
				kind = "union: exactly one member is set"
			} else if s.Exception {
				kind = "error"
			}
			fmt.Fprintf(&b, "// %s is a %s of the model.\ntype %s struct {\n", typ, kind, typ)
			fields := map[string]bool{}
			for _, m := range s.members {
				f := exported(m.Name)
				if fields[f] {
					return nil, fmt.Errorf("shape %s: two members map to field %s", name, f)
				}
				fields[f] = true
				if g.streamingBlob(m.Shape) || g.eventStream(m.Shape) {
					// Not JSON: the protocol copies or encodes it as the body.
					fmt.Fprintf(&b, "\t%s %s `json:\"-\"`\n", f, g.goType(m.Shape, true))
					continue
				}
				fmt.Fprintf(&b, "\t%s %s `json:\"%s,omitzero\"`\n", f, g.goType(m.Shape, true), m.Name)
			}
			b.WriteString("}\n\n")
			for _, m := range s.members {
				if m.Name == s.Payload && g.streamingBlob(m.Shape) {
					fmt.Fprintf(&b, "// PayloadStream is the streamed body (the protocol copies it, flushing\n// as it reads, and closes it).\nfunc (o *%s) PayloadStream() io.ReadCloser { return o.%s }\n\n", typ, exported(m.Name))
				}
				if m.Name == s.Payload && g.eventStream(m.Shape) {
					f := exported(m.Name)
					fmt.Fprintf(&b, `// EventStream is the event-stream body: each event is one union value with
// one member set (the protocol encodes and flushes each as it is yielded).
func (o *%s) EventStream() iter.Seq[any] {
	if o.%s == nil {
		return nil
	}
	return func(yield func(any) bool) {
		for e := range o.%s {
			if !yield(e) {
				return
			}
		}
	}
}

`, typ, f, f)
				}
			}
		}
	}
	return formatted("types", &b)
}

func (g *gen) operationsFile() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(g.header())
	fmt.Fprintf(&b, "package %s\n\nimport (", g.plane.APIPkg)
	b.WriteString("\n\t\"context\"\n\t\"encoding/json\"\n\n\t\"agentcored/internal/awserr\"\n)\n\n")
	b.WriteString("// Handlers has one method per operation of the model. A resource family\n")
	b.WriteString("// implements the methods of its operations; embed UnimplementedHandlers for the rest.\n")
	b.WriteString("type Handlers interface {\n")
	for _, name := range g.opNames {
		op := g.m.Operations[name]
		fmt.Fprintf(&b, "\t%s(ctx context.Context, in *%s) (*%s, error)\n", name, exported(op.Input.Shape), exported(op.Output.Shape))
	}
	b.WriteString("}\n\n")
	b.WriteString("// UnimplementedHandlers answers every operation with NotImplemented.\ntype UnimplementedHandlers struct{}\n\n")
	for _, name := range g.opNames {
		op := g.m.Operations[name]
		fmt.Fprintf(&b, "func (UnimplementedHandlers) %s(context.Context, *%s) (*%s, error) {\n\treturn nil, awserr.NotImplemented(%q)\n}\n\n",
			name, exported(op.Input.Shape), exported(op.Output.Shape), name)
	}
	b.WriteString("// Invokers decodes an operation's canonical input JSON into its typed input\n")
	fmt.Fprintf(&b, "// and calls the handler. It is indexed like %s.Operations.\n", g.plane.ModelPkg)
	b.WriteString("var Invokers = [...]func(ctx context.Context, h Handlers, input []byte) (any, error){\n")
	for _, name := range g.opNames {
		op := g.m.Operations[name]
		fmt.Fprintf(&b, "\tfunc(ctx context.Context, h Handlers, input []byte) (any, error) {\n\t\tvar in %s\n\t\tif err := json.Unmarshal(input, &in); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tout, err := h.%s(ctx, &in)\n\t\tif out == nil || err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\treturn out, nil\n\t},\n",
			exported(op.Input.Shape), name)
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(&b, "// Bind returns the invokers bound to h, indexed like %s.Operations: the\n", g.plane.ModelPkg)
	b.WriteString("// dispatch table the protocol layer serves the plane with.\n")
	b.WriteString("func Bind(h Handlers) []func(ctx context.Context, input []byte) (any, error) {\n")
	b.WriteString("\tout := make([]func(context.Context, []byte) (any, error), len(Invokers))\n")
	b.WriteString("\tfor i, invoke := range Invokers {\n")
	b.WriteString("\t\tout[i] = func(ctx context.Context, input []byte) (any, error) { return invoke(ctx, h, input) }\n")
	b.WriteString("\t}\n\treturn out\n}\n")
	return formatted("operations", &b)
}
