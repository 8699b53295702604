package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"agentcored/internal/store"
)

// pageSize is the rows a list page shows; maxScan bounds the pages a
// filtered list reads to fill one (so a filter never reads the whole
// family: the next link goes on from where it stopped).
const (
	pageSize       = 50
	maxScan        = 20
	countBreakdown = 1000
)

type familyCount struct {
	Family   *family
	Total    int
	ByStatus []statusCount
	Partial  bool
}

type statusCount struct {
	Status string
	N      int
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	var counts []familyCount
	for _, f := range families {
		total, by, complete, err := h.opts.Service.StatusCounts(r.Context(), f.Kind, countBreakdown)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		fc := familyCount{Family: f, Total: total, Partial: !complete}
		for s, n := range by {
			fc.ByStatus = append(fc.ByStatus, statusCount{s, n})
		}
		sort.Slice(fc.ByStatus, func(i, j int) bool { return fc.ByStatus[i].Status < fc.ByStatus[j].Status })
		counts = append(counts, fc)
	}
	recent := h.opts.Watcher.Recent(v.Account, v.Region, 25, shownKind)
	h.render(w, r, http.StatusOK, "overview", "Overview", "", map[string]any{"Counts": counts, "Recent": recent})
}

// row is one resource in a list.
type row struct {
	ID, Name, Status string
	Cols             []string
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func entries(out map[string]any, member string) []map[string]any {
	list, _ := out[member].([]any)
	var items []map[string]any
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			items = append(items, m)
		}
	}
	return items
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	f := h.familyOf(w, r)
	if f == nil {
		return
	}
	q := r.URL.Query()
	token, status, text := q.Get("next"), q.Get("status"), strings.TrimSpace(q.Get("q"))
	filtered := status != "" || text != ""
	var rows []row
	scans := 0
	for {
		in := map[string]any{"maxResults": pageSize}
		if token != "" {
			in["nextToken"] = token
		}
		out, err := f.list(r.Context(), h.opts.Service, in)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, e := range entries(out, f.items) {
			rw := row{ID: str(e[f.ID]), Name: str(e[f.Name]), Status: str(e[f.Status])}
			for _, c := range f.Columns {
				rw.Cols = append(rw.Cols, str(e[c]))
			}
			if status != "" && rw.Status != status {
				continue
			}
			if text != "" && !strings.Contains(strings.ToLower(rw.ID+" "+rw.Name), strings.ToLower(text)) {
				continue
			}
			rows = append(rows, rw)
		}
		token = str(out["nextToken"])
		scans++
		if !filtered || token == "" || len(rows) >= pageSize || scans >= maxScan {
			break
		}
	}
	next := ""
	if token != "" {
		p := q
		p.Set("next", token)
		next = p.Encode()
	}
	h.render(w, r, http.StatusOK, "list", f.Title, f.Slug, map[string]any{
		"F": f, "Rows": rows, "Next": next, "Status": status, "Q": text, "Paged": q.Get("next") != "",
		"Statuses": []string{"CREATING", "READY", "ACTIVE", "UPDATING", "DELETING", "CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "FAILED"},
	})
}

// resource is one resource as read through its Get operation.
type resource struct {
	ID, Name, Status, ARN string
	Doc                   map[string]any // the Get answer
	Fields                map[string]any // the resource's own members (Doc, or its one wrapped structure)
	JSON                  string
	Reasons               []string
	Tags                  []tag
	Children              []childView
	Transitional          bool
}

type tag struct{ Key, Value string }

type childView struct {
	Title   string
	Columns []string
	Rows    [][]string
	Err     string
}

// familyOf is the family the request's path names; an unknown one has
// been answered 404 (nil).
func (h *Handler) familyOf(w http.ResponseWriter, r *http.Request) *family {
	f := familyBySlug(r.PathValue("family"))
	if f == nil {
		http.NotFound(w, r)
	}
	return f
}

// resourceOf loads the resource the request's path names; when it cannot
// (unknown family, an API error) the answer has been written (ok false).
func (h *Handler) resourceOf(w http.ResponseWriter, r *http.Request) (*family, *resource, bool) {
	f := h.familyOf(w, r)
	if f == nil {
		return nil, nil, false
	}
	res, err := h.load(r, f, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	return f, res, true
}

func (h *Handler) load(r *http.Request, f *family, id string) (*resource, error) {
	out, err := f.get(r.Context(), h.opts.Service, map[string]any{f.idKey: id})
	if err != nil {
		return nil, err
	}
	res := &resource{ID: id, Doc: out, Fields: out}
	// GetMemory answers {"memory": {...}}: show the structure it wraps.
	if len(out) == 1 {
		for _, v := range out {
			if m, ok := v.(map[string]any); ok {
				res.Fields = m
			}
		}
	}
	fl := res.Fields
	res.Name, res.Status = str(fl[f.Name]), str(fl[f.Status])
	if res.Status == "" {
		res.Status = str(fl["status"])
	}
	res.ARN = str(fl[f.ARN])
	if res.ARN == "" {
		for _, k := range slices.Sorted(mapKeys(fl)) {
			s := str(fl[k])
			if strings.HasPrefix(s, "arn:aws:bedrock-agentcore:") && (strings.HasSuffix(s, "/"+id)) {
				res.ARN = s
				break
			}
		}
	}
	for _, k := range []string{"failureReason", "statusReason", "statusReasons", "failureReasons"} {
		switch x := fl[k].(type) {
		case string:
			if x != "" {
				res.Reasons = append(res.Reasons, x)
			}
		case []any:
			for _, s := range x {
				res.Reasons = append(res.Reasons, str(s))
			}
		}
	}
	res.Transitional = strings.HasSuffix(res.Status, "ING")
	b, _ := json.MarshalIndent(out, "", "  ")
	res.JSON = string(b)
	return res, nil
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) {
	f, res, ok := h.resourceOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if res.ARN != "" {
		out, err := listTags(r.Context(), h.opts.Service, map[string]any{"resourceArn": res.ARN})
		if err == nil {
			tags, _ := out["tags"].(map[string]any)
			for _, k := range slices.Sorted(mapKeys(tags)) {
				res.Tags = append(res.Tags, tag{k, str(tags[k])})
			}
		}
	}
	for _, c := range f.children {
		cv := childView{Title: c.Title, Columns: c.Columns}
		out, err := c.list(r.Context(), h.opts.Service, map[string]any{c.parent: id, "maxResults": 100})
		if err != nil {
			cv.Err = err.Error()
		}
		for _, e := range entries(out, c.items) {
			var cells []string
			for _, col := range c.Columns {
				cells = append(cells, str(e[col]))
			}
			cv.Rows = append(cv.Rows, cells)
		}
		res.Children = append(res.Children, cv)
	}
	var strategies []map[string]string
	if list, ok := res.Fields["strategies"].([]any); ok {
		for _, s := range list {
			m, _ := s.(map[string]any)
			strategies = append(strategies, map[string]string{"Name": str(m["name"]), "Type": str(m["type"]),
				"Status": str(m["status"]), "ID": str(m["strategyId"]), "Namespaces": str(m["namespaces"])})
		}
	}
	h.render(w, r, http.StatusOK, "detail", f.Title+": "+firstNonEmpty(res.Name, id), f.Slug,
		map[string]any{"F": f, "R": res, "Strategies": strategies, "TagText": tagText(res.Tags),
			"Invoke": f.Slug == "runtimes" && res.ARN != "", "Qualifiers": qualifiers(res)})
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func tagText(tags []tag) string {
	var b strings.Builder
	for _, t := range tags {
		b.WriteString(t.Key + "=" + t.Value + "\n")
	}
	return b.String()
}

func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request) {
	f, res, ok := h.resourceOf(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "confirm", "Delete "+firstNonEmpty(res.Name, res.ID), f.Slug, map[string]any{"F": f, "R": res})
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	f := h.familyOf(w, r)
	if f == nil {
		return
	}
	id := r.PathValue("id")
	if _, err := f.del(r.Context(), h.opts.Service, map[string]any{f.idKey: id}); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, Prefix+f.Slug+"/", "Deletion of "+id+" requested.")
}

// setTags replaces a resource's tags with the form's "key=value" lines.
func (h *Handler) setTags(w http.ResponseWriter, r *http.Request) {
	f, res, ok := h.resourceOf(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if res.ARN == "" {
		h.render(w, r, http.StatusBadRequest, "error", "Error", f.Slug, map[string]string{"Code": "ValidationException", "Message": "This resource takes no tags."})
		return
	}
	want := map[string]any{}
	for line := range strings.SplitSeq(r.FormValue("tags"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		want[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	out, err := listTags(r.Context(), h.opts.Service, map[string]any{"resourceArn": res.ARN})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	have, _ := out["tags"].(map[string]any)
	var gone []any
	for k := range have {
		if _, ok := want[k]; !ok {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		if _, err := untag(r.Context(), h.opts.Service, map[string]any{"resourceArn": res.ARN, "tagKeys": gone}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if len(want) > 0 {
		if _, err := tagResource(r.Context(), h.opts.Service, map[string]any{"resourceArn": res.ARN, "tags": want}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	back(w, r, Prefix+f.Slug+"/"+id, "Tags saved.")
}

// advance completes the resource's pending transition (manual lifecycle).
func (h *Handler) advance(w http.ResponseWriter, r *http.Request) {
	f := h.familyOf(w, r)
	if f == nil {
		return
	}
	v, id := viewerOf(r), r.PathValue("id")
	ok, err := h.opts.Service.Lifecycle().Advance(r.Context(), store.Key{Account: v.Account, Region: v.Region, Kind: f.Kind, ID: id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	notice := "Nothing was pending for " + id + "."
	if ok {
		notice = "Advanced " + id + "."
	}
	back(w, r, Prefix+f.Slug+"/"+id, notice)
}

func (h *Handler) setRegion(w http.ResponseWriter, r *http.Request) {
	region := strings.TrimSpace(r.FormValue("region"))
	if !validRegion(region) {
		h.render(w, r, http.StatusBadRequest, "error", "Error", "", map[string]string{"Code": "ValidationException", "Message": "Not a region name: " + region})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: regionCookie, Value: region, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	back(w, r, Prefix, "Showing region "+region+".")
}
