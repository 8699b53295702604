package console

import (
	"html/template"
	"net/http"
	"strings"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
)

// recordsPageSize is the records one page shows.
const recordsPageSize = 50

// memoryRecords lists a memory's long-term records through the data
// plane's ListMemoryRecords, filtered by namespace (a prefix, as the
// operation takes it; "/" when none is given), a page at a time.
func (h *Handler) memoryRecords(w http.ResponseWriter, r *http.Request) {
	if h.opts.Data == nil {
		h.fail(w, r, awserr.NotImplemented("ListMemoryRecords"))
		return
	}
	id := r.PathValue("id")
	q := r.URL.Query()
	ns := strings.TrimSpace(q.Get("namespace"))
	in := &dpapi.ListMemoryRecordsInput{MemoryId: id, Namespace: ns, NextToken: q.Get("next"), MaxResults: ptr(int64(recordsPageSize))}
	if in.Namespace == "" {
		in.Namespace = "/"
	}
	out, err := h.opts.Data.ListMemoryRecords(r.Context(), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := map[string]any{"ID": id, "Namespace": ns, "Records": out.MemoryRecordSummaries, "Paged": in.NextToken != ""}
	if out.NextToken != "" {
		p := q
		p.Set("next", out.NextToken)
		// A whole query of our own making: html/template would escape its
		// "=" and "&" as one query value.
		data["Next"] = template.URL("?" + p.Encode())
	}
	h.render(w, r, http.StatusOK, "records", "Records of memory "+id, "memories", data)
}

func ptr[T any](v T) *T { return &v }
