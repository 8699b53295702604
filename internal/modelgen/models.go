package modelgen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The spec of record lives in the repository under models/, laid out as a
// botocore data directory (AWS_DATA_PATH=<repo>/models makes boto3 and the
// AWS CLI load it): <service>/<api version>/<file>.json, documentation
// stripped. models/PROVENANCE records where it came from.
const (
	ModelsDir      = "models"
	ProvenanceName = "PROVENANCE"
)

// Service is one botocore service directory kept in models/.
type Service struct {
	Name, APIVersion string
}

// Dir is the service's directory relative to a botocore data directory.
func (s Service) Dir() string { return s.Name + "/" + s.APIVersion }

// Control is the control plane's service, Data the data plane's; the
// generator reads both.
var (
	Control  = Service{"bedrock-agentcore-control", "2023-06-05"}
	Data     = Service{"bedrock-agentcore", "2024-02-28"}
	Services = []Service{Control, Data}
)

// Plane is what the generator makes of one service: its model package
// (internal/<ModelPkg>) and its API package (internal/<APIPkg>).
type Plane struct {
	Service
	ModelPkg, APIPkg string
	Overlay          bool // models/overlay may add to it (the control plane only)
}

func (p Plane) ModelDir() string { return "internal/" + p.ModelPkg }
func (p Plane) APIDir() string   { return "internal/" + p.APIPkg }

// ModelPath is the plane's service-2.json relative to the module root.
func (p Plane) ModelPath() string { return ModelsDir + "/" + p.Dir() + "/service-2.json" }

// The two planes, generated side by side.
var (
	ControlPlane = Plane{Control, "model", "api", true}
	DataPlane    = Plane{Data, "dpmodel", "dpapi", false}
	Planes       = []Plane{ControlPlane, DataPlane}
)

// PlaneOf finds the plane of a service name; ok=false when there is none.
func PlaneOf(name string) (Plane, bool) {
	for _, p := range Planes {
		if p.Name == name {
			return p, true
		}
	}
	return Plane{}, false
}

// ModelFiles are the botocore files kept per service (endpoint rule sets
// are not: botocore finds its own).
var ModelFiles = []string{"service-2", "paginators-1", "waiters-2"}

// ControlModelPath is the control-plane model relative to the module root.
var ControlModelPath = ControlPlane.ModelPath()

// strippedKeys are the prose keys removed from the copies (only where the
// value is a string: a member could be named "documentation").
var strippedKeys = map[string]bool{"documentation": true, "documentationUrl": true}

// Strip removes documentation prose from a botocore JSON file. Object key
// order and every other value's text are kept; the result is indented with
// two spaces and ends in a newline.
func Strip(raw []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := stripValue(&compact, json.RawMessage(bytes.TrimSpace(raw))); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

func stripValue(w *bytes.Buffer, v json.RawMessage) error {
	if len(v) == 0 {
		return errors.New("empty JSON value")
	}
	switch v[0] {
	case '{':
		dec := json.NewDecoder(bytes.NewReader(v))
		if _, err := dec.Token(); err != nil {
			return err
		}
		w.WriteByte('{')
		first := true
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			key := t.(string)
			var val json.RawMessage
			if err := dec.Decode(&val); err != nil {
				return err
			}
			if strippedKeys[key] && len(val) > 0 && val[0] == '"' {
				continue
			}
			if !first {
				w.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(key)
			w.Write(k)
			w.WriteByte(':')
			if err := stripValue(w, val); err != nil {
				return err
			}
		}
		w.WriteByte('}')
		return nil
	case '[':
		dec := json.NewDecoder(bytes.NewReader(v))
		if _, err := dec.Token(); err != nil {
			return err
		}
		w.WriteByte('[')
		for i := 0; dec.More(); i++ {
			var val json.RawMessage
			if err := dec.Decode(&val); err != nil {
				return err
			}
			if i > 0 {
				w.WriteByte(',')
			}
			if err := stripValue(w, val); err != nil {
				return err
			}
		}
		w.WriteByte(']')
		return nil
	}
	var c bytes.Buffer
	if err := json.Compact(&c, v); err != nil {
		return err
	}
	w.Write(c.Bytes())
	return nil
}

// ReadModelFile reads path.json or path.json.gz (botocore ships both kinds)
// and returns the uncompressed JSON and the path it read. path has no
// extension.
func ReadModelFile(path string) ([]byte, string, error) {
	if b, err := os.ReadFile(path + ".json"); err == nil {
		return b, path + ".json", nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	gz, err := os.ReadFile(path + ".json.gz")
	if err != nil {
		return nil, "", fmt.Errorf("neither %s.json nor %s.json.gz: %w", path, path, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, "", fmt.Errorf("%s.json.gz: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, "", fmt.Errorf("%s.json.gz: %w", path, err)
	}
	return b, path + ".json.gz", nil
}

// DataDir finds the botocore data directory in dir: dir itself when it has
// the control-plane service directory, else dir/data (a botocore package).
func DataDir(dir string) (string, error) {
	for _, d := range []string{dir, filepath.Join(dir, "data")} {
		if st, err := os.Stat(filepath.Join(d, Control.Name, Control.APIVersion)); err == nil && st.IsDir() {
			return d, nil
		}
	}
	return "", fmt.Errorf("%s has no %s (nor data/%s): not a botocore model directory", dir, Control.Dir(), Control.Dir())
}

var initVersion = regexp.MustCompile(`__version__ = '([^']+)'`)

// DetectBotocoreVersion looks for botocore's __init__.py in dir or above
// it (dir may be the package, its data directory or a service directory).
func DetectBotocoreVersion(dir string) (string, bool) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for i := 0; i < 4; i++ {
		if b, err := os.ReadFile(filepath.Join(d, "__init__.py")); err == nil {
			if m := initVersion.FindSubmatch(b); m != nil {
				return string(m[1]), true
			}
		}
		d = filepath.Dir(d)
	}
	return "", false
}

// Provenance is what models/PROVENANCE records.
type Provenance struct {
	Botocore string // botocore release the copies came from
	Source   string // where they were copied from
	Files    []ProvenanceFile
}

// ProvenanceFile is one copied file: its path under models/, the sha256 of
// the source (uncompressed) and of the stripped copy.
type ProvenanceFile struct {
	Path, SourceSHA256, SHA256 string
}

func (p Provenance) encode() []byte {
	var b bytes.Buffer
	b.WriteString("# The spec of record of agentcored: botocore models, copied and stripped by\n")
	b.WriteString("# `go run ./cmd/modelgen upgrade` (see docs/MODELS.md). Do not edit by hand.\n")
	b.WriteString("# Stripped: every string-valued \"documentation\" and \"documentationUrl\" key;\n")
	b.WriteString("# everything else is the source's JSON (key order and values kept), re-indented.\n")
	b.WriteString("# sha256 of the source is of its uncompressed JSON.\n")
	fmt.Fprintf(&b, "botocore %s\n", p.Botocore)
	fmt.Fprintf(&b, "source %s\n", p.Source)
	for _, f := range p.Files {
		fmt.Fprintf(&b, "file %s source-sha256 %s sha256 %s\n", f.Path, f.SourceSHA256, f.SHA256)
	}
	return b.Bytes()
}

// ReadProvenance parses models/PROVENANCE.
func ReadProvenance(modelsDir string) (Provenance, error) {
	var p Provenance
	f, err := os.Open(filepath.Join(modelsDir, ProvenanceName))
	if err != nil {
		return p, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		switch key {
		case "botocore":
			p.Botocore = rest
		case "source":
			p.Source = rest
		case "file":
			w := strings.Fields(rest)
			if len(w) != 5 || w[1] != "source-sha256" || w[3] != "sha256" {
				return p, fmt.Errorf("%s: bad line %q", ProvenanceName, line)
			}
			p.Files = append(p.Files, ProvenanceFile{Path: w[0], SourceSHA256: w[2], SHA256: w[4]})
		default:
			return p, fmt.Errorf("%s: unknown line %q", ProvenanceName, line)
		}
	}
	if err := sc.Err(); err != nil {
		return p, err
	}
	if p.Botocore == "" {
		return p, fmt.Errorf("%s: no botocore line", ProvenanceName)
	}
	return p, nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Import copies the models of Services from the botocore model directory
// src into modelsDir, stripped, and writes PROVENANCE. Every file must be
// present in src, so that the copies always come from one release.
func Import(src, modelsDir, botocoreVersion string) (Provenance, error) {
	p := Provenance{Botocore: botocoreVersion, Source: src}
	data, err := DataDir(src)
	if err != nil {
		return p, err
	}
	type out struct {
		path string
		b    []byte
	}
	var outs []out
	for _, svc := range Services {
		for _, name := range ModelFiles {
			raw, _, err := ReadModelFile(filepath.Join(data, svc.Name, svc.APIVersion, name))
			if err != nil {
				return p, err
			}
			stripped, err := Strip(raw)
			if err != nil {
				return p, fmt.Errorf("%s/%s: %w", svc.Dir(), name, err)
			}
			rel := svc.Dir() + "/" + name + ".json"
			outs = append(outs, out{rel, stripped})
			p.Files = append(p.Files, ProvenanceFile{Path: rel, SourceSHA256: sha(raw), SHA256: sha(stripped)})
		}
	}
	for _, o := range outs {
		path := filepath.Join(modelsDir, filepath.FromSlash(o.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return p, err
		}
		if err := os.WriteFile(path, o.b, 0o644); err != nil {
			return p, err
		}
	}
	return p, os.WriteFile(filepath.Join(modelsDir, ProvenanceName), p.encode(), 0o644)
}

// GenerateFromRepo generates both planes from the spec of record under
// root/models, with the overlay (models/overlay) merged into the control
// plane when there is one.
func GenerateFromRepo(root string) (Files, error) {
	modelsDir := filepath.Join(root, ModelsDir)
	p, err := ReadProvenance(modelsDir)
	if err != nil {
		return nil, err
	}
	files := Files{}
	for _, plane := range Planes {
		raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(plane.ModelPath())))
		if err != nil {
			return nil, err
		}
		var overlay []byte
		if plane.Overlay {
			if overlay, err = ReadOverlay(root); err != nil {
				return nil, err
			}
		}
		fs, err := GeneratePlane(plane, raw, overlay, p.Botocore)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", plane.Name, err)
		}
		for name, b := range fs {
			files[name] = b
		}
	}
	return files, nil
}
