package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"agentcored/internal/store"
)

// The export document: every resource row with its tags, and every pending
// lifecycle job. Idempotency records, fault rules, lifecycle policies and
// server-wide keys (page-token and secrets keys) are not part of it.
const (
	exportFormat  = "agentcored-export"
	exportVersion = 1
)

type exportDoc struct {
	Format     string           `json:"format"`
	Version    int              `json:"version"`
	ExportedAt time.Time        `json:"exportedAt"`
	Resources  []exportResource `json:"resources"`
	Jobs       []exportJob      `json:"jobs"`
}

// exportResource is one row of the resource table, in Seq order. The
// family's document is inline JSON ("doc") when it is compact JSON, as the
// service writes it, and base64 ("docBase64") otherwise, so that the bytes
// always round-trip.
type exportResource struct {
	Account   string            `json:"account"`
	Region    string            `json:"region"`
	Kind      string            `json:"kind"`
	ID        string            `json:"id"`
	ParentID  string            `json:"parentId,omitempty"`
	Name      string            `json:"name,omitempty"`
	ARN       string            `json:"arn,omitempty"`
	Status    string            `json:"status,omitempty"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
	Doc       json.RawMessage   `json:"doc,omitempty"`
	DocBase64 []byte            `json:"docBase64,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// exportJob is a pending transition; no dueAt means it waits for a manual
// advance.
type exportJob struct {
	Account    string     `json:"account"`
	Region     string     `json:"region"`
	Kind       string     `json:"kind"`
	ResourceID string     `json:"resourceId"`
	DueAt      *time.Time `json:"dueAt,omitempty"`
	Attempts   int        `json:"attempts,omitempty"`
}

// isCompactJSON reports whether b is valid JSON that compacting leaves as is.
func isCompactJSON(b []byte) bool {
	var buf bytes.Buffer
	return json.Compact(&buf, b) == nil && bytes.Equal(buf.Bytes(), b)
}

func (s *Server) adminExport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	doc := exportDoc{Format: exportFormat, Version: exportVersion, ExportedAt: time.Now().UTC(),
		Resources: []exportResource{}, Jobs: []exportJob{}}
	err := s.store.Read(ctx, func(tx store.Tx) error {
		rows, err := tx.ListAll(ctx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			e := exportResource{Account: row.Account, Region: row.Region, Kind: row.Kind, ID: row.ID,
				ParentID: row.ParentID, Name: row.Name, ARN: row.ARN, Status: row.Status,
				CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
			if isCompactJSON(row.Doc) {
				e.Doc = row.Doc
			} else {
				e.DocBase64 = row.Doc
			}
			if row.ARN != "" {
				tags, err := tx.Tags(ctx, row.ARN)
				if err != nil {
					return err
				}
				if len(tags) > 0 {
					e.Tags = tags
				}
			}
			doc.Resources = append(doc.Resources, e)
		}
		jobs, err := tx.ListJobs(ctx)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			e := exportJob{Account: j.Account, Region: j.Region, Kind: j.Kind, ResourceID: j.ResourceID, Attempts: j.Attempts}
			if !j.DueAt.IsZero() {
				due := j.DueAt.UTC()
				e.DueAt = &due
			}
			doc.Jobs = append(doc.Jobs, e)
		}
		return nil
	})
	if err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
}

// adminImport replaces the whole state (every account) with an export
// document, in one transaction: either all of it is loaded or nothing
// changes. Rows get new Seq values in the document's order, so listings keep
// their order; page tokens issued before the import do not carry over.
func (s *Server) adminImport(w http.ResponseWriter, r *http.Request) {
	var doc exportDoc
	if !decodeJSONLimit(w, r, &doc, maxAdminBody) {
		return
	}
	if err := doc.check(); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	err := s.store.Write(ctx, func(tx store.Tx) error {
		old, err := tx.ListAll(ctx)
		if err != nil {
			return err
		}
		// Delete takes the row's tags and job with it.
		for _, row := range old {
			if err := tx.Delete(ctx, row.Key()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		jobs, err := tx.ListJobs(ctx)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if err := tx.DeleteJob(ctx, j.Key()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		for _, e := range doc.Resources {
			row := &store.Resource{Account: e.Account, Region: e.Region, Kind: e.Kind, ID: e.ID,
				ParentID: e.ParentID, Name: e.Name, ARN: e.ARN, Status: e.Status,
				CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Doc: e.DocBase64}
			if e.Doc != nil {
				// A document pretty-printed in transit is compact again.
				var buf bytes.Buffer
				if err := json.Compact(&buf, e.Doc); err != nil {
					return err
				}
				row.Doc = buf.Bytes()
			}
			if err := tx.Insert(ctx, row); err != nil {
				return fmt.Errorf("resource %s %s: %w", e.Kind, e.ID, err)
			}
			if len(e.Tags) > 0 {
				if err := tx.SetTags(ctx, e.ARN, e.Tags); err != nil {
					return err
				}
			}
		}
		for _, e := range doc.Jobs {
			j := &store.Job{Account: e.Account, Region: e.Region, Kind: e.Kind, ResourceID: e.ResourceID, Attempts: e.Attempts}
			if e.DueAt != nil {
				j.DueAt = *e.DueAt
			}
			if err := tx.PutJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		adminError(w, http.StatusBadRequest, "the document holds duplicate keys, names or ARNs: "+err.Error())
		return
	}
	if err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"resources": len(doc.Resources), "jobs": len(doc.Jobs)})
}

// check rejects a document this server cannot load faithfully.
func (d *exportDoc) check() error {
	if d.Format != exportFormat || d.Version != exportVersion {
		return fmt.Errorf("not an %s document of version %d (format %q, version %d)", exportFormat, exportVersion, d.Format, d.Version)
	}
	for i, e := range d.Resources {
		switch {
		case e.Account == "" || e.Region == "" || e.Kind == "" || e.ID == "":
			return fmt.Errorf("resources[%d]: account, region, kind and id are required", i)
		case e.Doc != nil && e.DocBase64 != nil:
			return fmt.Errorf("resources[%d]: doc and docBase64 are exclusive", i)
		case len(e.Tags) > 0 && e.ARN == "":
			return fmt.Errorf("resources[%d]: tags need an arn", i)
		case e.CreatedAt.IsZero():
			return fmt.Errorf("resources[%d]: createdAt is required", i)
		}
	}
	for i, j := range d.Jobs {
		if j.Account == "" || j.Region == "" || j.Kind == "" || j.ResourceID == "" {
			return fmt.Errorf("jobs[%d]: account, region, kind and resourceId are required", i)
		}
	}
	return nil
}
