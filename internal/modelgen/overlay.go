package modelgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
)

// The overlay holds operations the botocore copy lacks but aws-sdk-go-v2
// already has, in the same format (a service-2.json fragment: operations and
// the shapes they need), and the members of botocore shapes that
// aws-sdk-go-v2 no longer requires ("optional"). The generator merges it into
// the model; `modelgen upgrade` drops what a newer botocore model defines or
// already has optional (models/overlay/README.md).
var ControlOverlayPath = ModelsDir + "/overlay/" + Control.Dir() + "/service-2.overlay.json"

// overlayFile is the overlay's JSON. Operations and shapes stay raw so that
// member order survives a merge or a rewrite.
type overlayFile struct {
	Version  string          `json:"version,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// Optional names, per model shape, the members to remove from its
	// required list.
	Optional   map[string][]string        `json:"optional,omitempty"`
	Operations map[string]json.RawMessage `json:"operations"`
	Shapes     map[string]json.RawMessage `json:"shapes"`
}

func parseOverlay(raw []byte) (*overlayFile, error) {
	var o overlayFile
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("parse overlay: %w", err)
	}
	return &o, nil
}

// encode writes the overlay in its canonical form: sorted operation and
// shape names, two-space indent, a final newline.
func (o *overlayFile) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // patterns keep their text
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sameJSON compares two JSON values by meaning (object key order ignored).
func sameJSON(a, b json.RawMessage) (bool, error) {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	return reflect.DeepEqual(x, y), nil
}

// MergeOverlay adds the overlay's operations and shapes to the model JSON.
// A name both define must have the same definition in both; otherwise the
// overlay would silently replace the model, so the merge fails.
func MergeOverlay(modelJSON, overlayJSON []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	o, err := parseOverlay(overlayJSON)
	if err != nil {
		return nil, err
	}
	for _, part := range []struct {
		key  string
		over map[string]json.RawMessage
	}{{"operations", o.Operations}, {"shapes", o.Shapes}} {
		var have map[string]json.RawMessage
		if raw, ok := m[part.key]; ok {
			if err := json.Unmarshal(raw, &have); err != nil {
				return nil, fmt.Errorf("parse model %s: %w", part.key, err)
			}
		}
		if have == nil {
			have = map[string]json.RawMessage{}
		}
		for _, name := range sortedKeys(part.over) {
			def := part.over[name]
			if old, ok := have[name]; ok {
				same, err := sameJSON(old, def)
				if err != nil {
					return nil, fmt.Errorf("overlay %s %s: %w", part.key, name, err)
				}
				if !same {
					return nil, fmt.Errorf("overlay %s %s differs from the model's definition; drop it from %s (`modelgen upgrade` does) or make it identical", part.key, name, ControlOverlayPath)
				}
				continue
			}
			have[name] = def
		}
		if part.key == "shapes" {
			if err := applyOptional(have, o.Optional); err != nil {
				return nil, err
			}
		}
		b, err := json.Marshal(have)
		if err != nil {
			return nil, err
		}
		m[part.key] = b
	}
	return json.Marshal(m)
}

// applyOptional removes the overlay's optional members from the required
// lists of the shapes. A shape or member that does not exist, or a member
// that is not required, fails: the entry is stale or mistyped.
func applyOptional(shapes map[string]json.RawMessage, optional map[string][]string) error {
	for _, name := range sortedNames(optional) {
		raw, ok := shapes[name]
		if !ok {
			return fmt.Errorf("overlay optional %s: no such shape", name)
		}
		var shape map[string]json.RawMessage
		if err := json.Unmarshal(raw, &shape); err != nil {
			return fmt.Errorf("overlay optional %s: %w", name, err)
		}
		var members map[string]json.RawMessage
		var required []string
		if err := unmarshalIfSet(shape["members"], &members); err != nil {
			return fmt.Errorf("overlay optional %s: %w", name, err)
		}
		if err := unmarshalIfSet(shape["required"], &required); err != nil {
			return fmt.Errorf("overlay optional %s: %w", name, err)
		}
		for _, member := range optional[name] {
			if _, ok := members[member]; !ok {
				return fmt.Errorf("overlay optional %s.%s: no such member", name, member)
			}
			i := indexOf(required, member)
			if i < 0 {
				return fmt.Errorf("overlay optional %s.%s: the member is not required; drop it from %s (`modelgen upgrade` does)", name, member, ControlOverlayPath)
			}
			required = append(required[:i:i], required[i+1:]...)
		}
		if len(required) == 0 {
			delete(shape, "required")
		} else {
			b, err := json.Marshal(required)
			if err != nil {
				return err
			}
			shape["required"] = b
		}
		b, err := json.Marshal(shape)
		if err != nil {
			return err
		}
		shapes[name] = b
	}
	return nil
}

func unmarshalIfSet(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// DropReport is what DropDefined removed from the overlay.
type DropReport struct {
	Operations []string // defined by the new model
	Shapes     []string // defined by the new model
	Unused     []string // overlay shapes no remaining overlay operation needs
	Optional   []string // "Shape.member" the new model has optional already
}

// Empty reports whether nothing was dropped.
func (r DropReport) Empty() bool {
	return len(r.Operations)+len(r.Shapes)+len(r.Unused)+len(r.Optional) == 0
}

// DropDefined removes from the overlay every operation and shape the model
// defines (the model wins: it is the spec of record once it has them), then
// the overlay shapes no remaining overlay operation reaches, then the
// optional members the model does not require (a shape or member the model
// lacks stays, so that generation fails on it). It returns the overlay's new
// canonical bytes, or nil when neither an operation nor an optional member
// is left.
func DropDefined(modelJSON, overlayJSON []byte) ([]byte, DropReport, error) {
	var r DropReport
	var m struct {
		Operations map[string]json.RawMessage `json:"operations"`
		Shapes     map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, r, fmt.Errorf("parse model: %w", err)
	}
	o, err := parseOverlay(overlayJSON)
	if err != nil {
		return nil, r, err
	}
	for _, name := range sortedKeys(o.Operations) {
		if _, ok := m.Operations[name]; ok {
			delete(o.Operations, name)
			r.Operations = append(r.Operations, name)
		}
	}
	for _, name := range sortedKeys(o.Shapes) {
		if _, ok := m.Shapes[name]; ok {
			delete(o.Shapes, name)
			r.Shapes = append(r.Shapes, name)
		}
	}
	reached, err := overlayReach(o)
	if err != nil {
		return nil, r, err
	}
	for _, name := range sortedKeys(o.Shapes) {
		if !reached[name] {
			delete(o.Shapes, name)
			r.Unused = append(r.Unused, name)
		}
	}
	for _, name := range sortedNames(o.Optional) {
		var s rawShape
		raw, ok := m.Shapes[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, r, fmt.Errorf("model shape %s: %w", name, err)
		}
		var members map[string]json.RawMessage
		if err := unmarshalIfSet(s.Members, &members); err != nil {
			return nil, r, fmt.Errorf("model shape %s: %w", name, err)
		}
		var keep []string
		for _, member := range o.Optional[name] {
			if _, ok := members[member]; ok && indexOf(s.Required, member) < 0 {
				r.Optional = append(r.Optional, name+"."+member)
				continue
			}
			keep = append(keep, member)
		}
		if len(keep) == 0 {
			delete(o.Optional, name)
		} else {
			o.Optional[name] = keep
		}
	}
	if len(o.Operations) == 0 && len(o.Optional) == 0 {
		return nil, r, nil
	}
	b, err := o.encode()
	return b, r, err
}

// overlayReach is the set of overlay shapes the overlay's operations use,
// through members, list members and map keys/values.
func overlayReach(o *overlayFile) (map[string]bool, error) {
	seen := map[string]bool{}
	var todo []string
	for _, name := range sortedKeys(o.Operations) {
		var op rawOperation
		if err := json.Unmarshal(o.Operations[name], &op); err != nil {
			return nil, fmt.Errorf("overlay operation %s: %w", name, err)
		}
		for _, ref := range append([]*rawRef{op.Input, op.Output}, refs(op.Errors)...) {
			if ref != nil {
				todo = append(todo, ref.Shape)
			}
		}
	}
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		raw, ok := o.Shapes[name]
		if !ok || seen[name] {
			continue
		}
		seen[name] = true
		var s rawShape
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("overlay shape %s: %w", name, err)
		}
		var members map[string]rawRef
		if len(s.Members) > 0 {
			if err := json.Unmarshal(s.Members, &members); err != nil {
				return nil, fmt.Errorf("overlay shape %s: %w", name, err)
			}
		}
		for _, m := range members {
			todo = append(todo, m.Shape)
		}
		for _, ref := range []*rawRef{s.Member, s.Key, s.Value} {
			if ref != nil {
				todo = append(todo, ref.Shape)
			}
		}
	}
	return seen, nil
}

func refs(rs []rawRef) []*rawRef {
	out := make([]*rawRef, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

func sortedNames(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ReadOverlay reads the control-plane overlay under root; a missing overlay
// is nil (every overlay operation has reached botocore).
func ReadOverlay(root string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(ControlOverlayPath)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// DropFromRepo applies DropDefined to the overlay under root against the
// control model there, rewriting the overlay or removing it when it is empty.
func DropFromRepo(root string) (DropReport, bool, error) {
	overlay, err := ReadOverlay(root)
	if err != nil || overlay == nil {
		return DropReport{}, false, err
	}
	modelJSON, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(ControlModelPath)))
	if err != nil {
		return DropReport{}, false, err
	}
	out, r, err := DropDefined(modelJSON, overlay)
	if err != nil {
		return r, false, err
	}
	path := filepath.Join(root, filepath.FromSlash(ControlOverlayPath))
	if out == nil {
		return r, true, os.Remove(path)
	}
	if r.Empty() || bytes.Equal(out, overlay) {
		return r, false, nil
	}
	return r, false, os.WriteFile(path, out, 0o644)
}
