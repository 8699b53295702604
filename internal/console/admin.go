package console

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/faults"
	"agentcored/internal/lifecycle"
)

type policyRow struct {
	Family, Policy string
	DelayMillis    int64
}

// adminPage shows the admin controls: lifecycle policies, advance, fault
// rules, reset and (permissive mode) export and import.
func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) {
	lc := h.opts.Service.Lifecycle()
	var rows []policyRow
	for fam, set := range lc.Families() {
		rows = append(rows, policyRow{fam, string(set.Policy), set.Delay.Milliseconds()})
	}
	slices.SortFunc(rows, func(a, b policyRow) int { return strings.Compare(a.Family, b.Family) })
	h.render(w, r, http.StatusOK, "admin", "Admin", "admin", map[string]any{
		"Policies": rows, "Faults": h.opts.Service.Faults().List(),
		"Policies3": []string{string(lifecycle.PolicyImmediate), string(lifecycle.PolicyTimed), string(lifecycle.PolicyManual)},
		"Transfer":  !h.opts.Strict && h.opts.Admin != nil,
	})
}

func (h *Handler) adminPost(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	ctx := r.Context()
	bad := func(msg string) {
		h.render(w, r, http.StatusBadRequest, "error", "Error", "admin", map[string]string{"Code": "ValidationException", "Message": msg})
	}
	switch r.PathValue("action") {
	case "lifecycle":
		p, err := lifecycle.ParsePolicy(r.FormValue("policy"))
		if err != nil {
			bad(err.Error())
			return
		}
		ms, _ := strconv.ParseInt(r.FormValue("delayMillis"), 10, 64)
		if ms < 0 {
			bad("delayMillis must not be negative")
			return
		}
		fam := r.FormValue("family")
		if err := h.opts.Service.Lifecycle().SetPolicy(fam, lifecycle.PolicySetting{Policy: p, Delay: time.Duration(ms) * time.Millisecond}); err != nil {
			bad(err.Error())
			return
		}
		back(w, r, Prefix+"admin", "Lifecycle policy of "+firstNonEmpty(fam, "every family")+" set to "+string(p)+".")
	case "advance":
		n, err := h.opts.Service.Lifecycle().AdvanceAll(ctx, v.Account)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		back(w, r, Prefix+"admin", "Advanced "+strconv.Itoa(n)+" pending transitions.")
	case "faults":
		rule := faults.Rule{Operation: r.FormValue("operation"), Action: r.FormValue("faultAction"),
			FailureReason: r.FormValue("failureReason"), ErrorCode: r.FormValue("errorCode"), Message: r.FormValue("message")}
		rule.Count, _ = strconv.Atoi(r.FormValue("count"))
		rule.LatencyMillis, _ = strconv.Atoi(r.FormValue("latencyMillis"))
		if p := r.FormValue("probability"); p != "" {
			rule.Probability, _ = strconv.ParseFloat(p, 64)
		}
		added, err := h.opts.Service.Faults().Add(rule)
		if err != nil {
			bad(err.Error())
			return
		}
		back(w, r, Prefix+"admin", "Fault rule "+added.ID+" added.")
	case "reset":
		if r.FormValue("confirm") != v.Account {
			bad("Type the account id " + v.Account + " to confirm the reset.")
			return
		}
		if err := h.opts.Reset(ctx, v.Account); err != nil {
			h.fail(w, r, err)
			return
		}
		back(w, r, Prefix+"admin", "Account "+v.Account+" was reset.")
	case "import":
		if !h.transfer(w, r) {
			return
		}
		file, _, err := r.FormFile("state")
		if err != nil {
			bad("Choose an exported state file to import.")
			return
		}
		defer file.Close()
		body, err := io.ReadAll(io.LimitReader(file, 256<<20))
		if err != nil {
			bad(err.Error())
			return
		}
		rec := h.forward(r, http.MethodPost, "/_agentcored/import", body)
		if rec.Code != http.StatusOK {
			bad("Import failed: " + strings.TrimSpace(rec.Body.String()))
			return
		}
		back(w, r, Prefix+"admin", "Imported: "+strings.TrimSpace(rec.Body.String()))
	default:
		http.NotFound(w, r)
	}
}

func (h *Handler) adminRemoveFault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !h.opts.Service.Faults().Remove(id) {
		h.render(w, r, http.StatusNotFound, "error", "Error", "admin", map[string]string{"Code": "ResourceNotFoundException", "Message": "No fault rule " + id + "."})
		return
	}
	back(w, r, Prefix+"admin", "Fault rule "+id+" removed.")
}

// transfer reports whether export and import are offered (permissive mode:
// they read and replace every account's state).
func (h *Handler) transfer(w http.ResponseWriter, r *http.Request) bool {
	if h.opts.Strict || h.opts.Admin == nil {
		http.Error(w, "export and import span every account: use the admin API", http.StatusForbidden)
		return false
	}
	return true
}

// forward runs a request through the admin API's own handler.
func (h *Handler) forward(r *http.Request, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(r.Context(), method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.opts.Admin.ServeHTTP(rec, req)
	return rec
}

func (h *Handler) adminExport(w http.ResponseWriter, r *http.Request) {
	if !h.transfer(w, r) {
		return
	}
	rec := h.forward(r, http.MethodGet, "/_agentcored/export", nil)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="agentcored-export.json"`)
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
