package service

// Long-term memory: the records of a memory, the store access behind the
// data plane's BatchCreate/Update/DeleteMemoryRecords, GetMemoryRecord,
// DeleteMemoryRecord, ListMemoryRecords and RetrieveMemoryRecords
// (internal/dataplane). Extraction, which writes records from events, is
// memory_extraction.go.
//
// Rows (in the memory's account and region):
//   - "memory-record", id "<memory>|<recordId>", parent the memory; doc the
//     dpapi.MemoryRecord. Listing is in creation order (seq).
//   - the record's text in the store's full-text index (store.TextIndex),
//     same key, scope the memory, namespace its one namespace (the model
//     allows one), tag its strategy id; written in the same transaction.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

const (
	kindMemoryRecord = "memory-record"
	// kindMemoryRetrieve names RetrieveMemoryRecords' page tokens.
	kindMemoryRetrieve = "memory-retrieve"
	recordIDPrefix     = "mem-"
	// recordIDChars after the prefix: 44 characters in all, inside the
	// model's 40–50.
	recordIDChars        = 40
	opBatchCreateRecords = "BatchCreateMemoryRecords"
	// maxRetrieveFetch bounds how many hits one retrieval ranks while
	// filters that the index cannot apply drop some.
	maxRetrieveFetch = 10000
)

// RecordQuery selects records of one memory.
type RecordQuery struct {
	MemoryID string
	// Namespace is a prefix of the record's namespace ("" for all).
	Namespace string
	// NamespacePath is a namespace and everything under it, by whole
	// "/"-separated segments ("" for all).
	NamespacePath string
	StrategyID    string
	// Keep accepts a record (the metadata filters); nil accepts all.
	Keep func(*dpapi.MemoryRecord) bool
}

func (q RecordQuery) accepts(r *dpapi.MemoryRecord) bool {
	ns := ""
	if len(r.Namespaces) > 0 {
		ns = r.Namespaces[0]
	}
	if q.Namespace != "" && !strings.HasPrefix(ns, q.Namespace) {
		return false
	}
	if q.NamespacePath != "" && !underPath(ns, q.NamespacePath) {
		return false
	}
	if q.StrategyID != "" && r.MemoryStrategyId != q.StrategyID {
		return false
	}
	return q.Keep == nil || q.Keep(r)
}

// underPath: ns is path or below it ("/a/b" is under "/a" and "/a/", not
// under "/a/b/c" nor "/a/bc").
func underPath(ns, path string) bool {
	p := strings.TrimSuffix(path, "/")
	return ns == p || strings.HasPrefix(ns, p+"/")
}

func recordRowID(memoryID, recordID string) string { return memoryID + eventKeySep + recordID }

func newRecordID() string { return recordIDPrefix + randomString(idAlphabet, recordIDChars) }

func recordNotFound(id string) error { return awserr.NotFound("Memory record not found: %s", id) }

// putRecord inserts (or, with row set, updates) a record and its index
// entry.
func putRecord(ctx context.Context, tx store.Tx, sc scope, memoryID string, rec *dpapi.MemoryRecord, row *store.Resource, now time.Time) error {
	ti, err := store.TextIndexOf(tx)
	if err != nil {
		return err
	}
	if row == nil {
		row = &store.Resource{Account: sc.account, Region: sc.region, Kind: kindMemoryRecord,
			ID: recordRowID(memoryID, rec.MemoryRecordId), ParentID: memoryID, CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(rec)}
		err = tx.Insert(ctx, row)
	} else {
		row.Doc, row.UpdatedAt = encodeDoc(rec), now
		err = tx.Update(ctx, row)
	}
	if err != nil {
		return err
	}
	ns := ""
	if len(rec.Namespaces) > 0 {
		ns = rec.Namespaces[0]
	}
	text := ""
	if rec.Content != nil {
		text = rec.Content.Text
	}
	return ti.PutText(ctx, store.TextEntry{Key: row.Key(), Scope: memoryID, Namespace: ns, Tag: rec.MemoryStrategyId, Text: text})
}

func deleteRecordRow(ctx context.Context, tx store.Tx, key store.Key) error {
	ti, err := store.TextIndexOf(tx)
	if err != nil {
		return err
	}
	if err := tx.Delete(ctx, key); err != nil {
		return err
	}
	return ti.DeleteText(ctx, key)
}

func failedRecord(id, reqID string, code int64, format string, args ...any) dpapi.MemoryRecordOutput {
	return dpapi.MemoryRecordOutput{MemoryRecordId: id, RequestIdentifier: reqID, Status: dpapi.MemoryRecordStatusFailed,
		ErrorCode: &code, ErrorMessage: fmt.Sprintf(format, args...)}
}

// BatchResult is the answer of a batch: the records done and those not.
type BatchResult struct {
	Successful, Failed []dpapi.MemoryRecordOutput
}

func (b *BatchResult) fail(out dpapi.MemoryRecordOutput) { b.Failed = append(b.Failed, out) }
func (b *BatchResult) ok(id, reqID string) {
	b.Successful = append(b.Successful, dpapi.MemoryRecordOutput{MemoryRecordId: id, RequestIdentifier: reqID, Status: dpapi.MemoryRecordStatusSucceeded})
}

// CreateMemoryRecords writes the records that are well formed, in one
// transaction, and reports each. A request with a client token is
// answered once (replayed on retry), like CreateEvent.
func (s *Service) CreateMemoryRecords(ctx context.Context, memoryID string, in []dpapi.MemoryRecordCreateInput) (*BatchResult, error) {
	sc := scopeOf(ctx)
	info := reqctx.From(ctx)
	var res *BatchResult
	err := s.store.Write(ctx, func(tx store.Tx) error {
		if err := replayed(ctx, tx, info, sc.account, sc.region, opBatchCreateRecords); err != nil {
			return err
		}
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		res = &BatchResult{}
		seen := map[string]bool{}
		for _, r := range in {
			switch {
			case seen[r.RequestIdentifier]:
				res.fail(failedRecord("", r.RequestIdentifier, 400, "Duplicate requestIdentifier %s in the batch", r.RequestIdentifier))
				continue
			case r.Content == nil || strings.TrimSpace(r.Content.Text) == "":
				res.fail(failedRecord("", r.RequestIdentifier, 400, "content.text must not be empty"))
				continue
			case len(r.Namespaces) != 1:
				res.fail(failedRecord("", r.RequestIdentifier, 400, "namespaces must hold exactly one namespace"))
				continue
			}
			seen[r.RequestIdentifier] = true
			created := r.Timestamp
			if created.IsZero() {
				created = api.NewEpochTime(now)
			}
			rec := &dpapi.MemoryRecord{MemoryRecordId: newRecordID(), Content: r.Content, MemoryStrategyId: r.MemoryStrategyId,
				Namespaces: r.Namespaces, CreatedAt: created, Metadata: r.Metadata}
			if err := putRecord(ctx, tx, sc, m.id, rec, nil, now); err != nil {
				return err
			}
			res.ok(rec.MemoryRecordId, r.RequestIdentifier)
		}
		return s.remember(ctx, tx, info, sc.account, sc.region, opBatchCreateRecords, http.StatusCreated,
			dpapi.BatchCreateMemoryRecordsOutput{SuccessfulRecords: nonNilOutputs(res.Successful), FailedRecords: nonNilOutputs(res.Failed)})
	})
	if err != nil {
		return nil, storeError(err)
	}
	return res, nil
}

func nonNilOutputs(v []dpapi.MemoryRecordOutput) []dpapi.MemoryRecordOutput {
	if v == nil {
		return []dpapi.MemoryRecordOutput{}
	}
	return v
}

// UpdateMemoryRecords replaces the members each update sets (content,
// namespaces, strategy, metadata) of records that exist.
func (s *Service) UpdateMemoryRecords(ctx context.Context, memoryID string, in []dpapi.MemoryRecordUpdateInput) (*BatchResult, error) {
	sc := scopeOf(ctx)
	var res *BatchResult
	err := s.store.Write(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		res = &BatchResult{}
		seen := map[string]bool{}
		for _, u := range in {
			if seen[u.MemoryRecordId] {
				res.fail(failedRecord(u.MemoryRecordId, "", 400, "Duplicate memoryRecordId %s in the batch", u.MemoryRecordId))
				continue
			}
			seen[u.MemoryRecordId] = true
			if u.Namespaces != nil && len(u.Namespaces) != 1 {
				res.fail(failedRecord(u.MemoryRecordId, "", 400, "namespaces must hold exactly one namespace"))
				continue
			}
			if u.Content != nil && strings.TrimSpace(u.Content.Text) == "" {
				res.fail(failedRecord(u.MemoryRecordId, "", 400, "content.text must not be empty"))
				continue
			}
			row, rec, err := loadMemoryRecord(ctx, tx, sc, m.id, u.MemoryRecordId)
			if isNotFound(err) {
				res.fail(failedRecord(u.MemoryRecordId, "", 404, "Memory record not found: %s", u.MemoryRecordId))
				continue
			}
			if err != nil {
				return err
			}
			if u.Content != nil {
				rec.Content = u.Content
			}
			if u.Namespaces != nil {
				rec.Namespaces = u.Namespaces
			}
			if u.MemoryStrategyId != "" {
				rec.MemoryStrategyId = u.MemoryStrategyId
			}
			if u.Metadata != nil {
				rec.Metadata = u.Metadata
			}
			if err := putRecord(ctx, tx, sc, m.id, rec, row, now); err != nil {
				return err
			}
			res.ok(u.MemoryRecordId, "")
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return res, nil
}

// DeleteMemoryRecords removes the records that exist.
func (s *Service) DeleteMemoryRecords(ctx context.Context, memoryID string, ids []string) (*BatchResult, error) {
	sc := scopeOf(ctx)
	var res *BatchResult
	err := s.store.Write(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		res = &BatchResult{}
		for _, id := range ids {
			err := deleteRecordRow(ctx, tx, sc.key(kindMemoryRecord, recordRowID(m.id, id)))
			if errors.Is(err, store.ErrNotFound) {
				res.fail(failedRecord(id, "", 404, "Memory record not found: %s", id))
				continue
			}
			if err != nil {
				return err
			}
			res.ok(id, "")
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return res, nil
}

func loadMemoryRecord(ctx context.Context, tx store.Tx, sc scope, memoryID, recordID string) (*store.Resource, *dpapi.MemoryRecord, error) {
	if strings.Contains(recordID, eventKeySep) {
		return nil, nil, recordNotFound(recordID)
	}
	row, err := tx.Get(ctx, sc.key(kindMemoryRecord, recordRowID(memoryID, recordID)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, recordNotFound(recordID)
	}
	if err != nil {
		return nil, nil, err
	}
	var rec dpapi.MemoryRecord
	if err := decodeDoc(row, &rec); err != nil {
		return nil, nil, err
	}
	return row, &rec, nil
}

// GetMemoryRecord answers one record.
func (s *Service) GetMemoryRecord(ctx context.Context, memoryID, recordID string) (*dpapi.MemoryRecord, error) {
	sc := scopeOf(ctx)
	var rec *dpapi.MemoryRecord
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		_, rec, err = loadMemoryRecord(ctx, tx, sc, m.id, recordID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// DeleteMemoryRecord removes one record.
func (s *Service) DeleteMemoryRecord(ctx context.Context, memoryID, recordID string) error {
	sc := scopeOf(ctx)
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, memoryID)
		if err != nil {
			return err
		}
		if strings.Contains(recordID, eventKeySep) {
			return recordNotFound(recordID)
		}
		err = deleteRecordRow(ctx, tx, sc.key(kindMemoryRecord, recordRowID(m.id, recordID)))
		if errors.Is(err, store.ErrNotFound) {
			return recordNotFound(recordID)
		}
		return err
	}))
}

func recordSummary(r *dpapi.MemoryRecord) dpapi.MemoryRecordSummary {
	return dpapi.MemoryRecordSummary{MemoryRecordId: r.MemoryRecordId, Content: r.Content, MemoryStrategyId: r.MemoryStrategyId,
		Namespaces: r.Namespaces, CreatedAt: r.CreatedAt, Metadata: r.Metadata}
}

// ListMemoryRecords answers the records q selects in creation order, at
// most limit, and the next page's token.
func (s *Service) ListMemoryRecords(ctx context.Context, q RecordQuery, token string, limit int) ([]dpapi.MemoryRecordSummary, string, error) {
	sc := scopeOf(ctx)
	var out []dpapi.MemoryRecordSummary
	next := ""
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, q.MemoryID)
		if err != nil {
			return err
		}
		out, next, err = scanSeq(ctx, s, tx, sc, kindMemoryRecord, m.id, token, limit,
			func(row *store.Resource) (dpapi.MemoryRecordSummary, bool, error) {
				var rec dpapi.MemoryRecord
				if err := decodeDoc(row, &rec); err != nil || !q.accepts(&rec) {
					return dpapi.MemoryRecordSummary{}, false, err
				}
				return recordSummary(&rec), true, nil
			})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// RetrieveMemoryRecords ranks the records q selects against query with
// the store's full-text index (stemmed words, BM25 / ts_rank_cd), best
// first with their score, the topK best in pages of limit.
func (s *Service) RetrieveMemoryRecords(ctx context.Context, q RecordQuery, query string, topK int, token string, limit int) ([]dpapi.MemoryRecordSummary, string, error) {
	sc := scopeOf(ctx)
	var ranked []dpapi.MemoryRecordSummary
	var memoryID string
	err := s.read(ctx, func(tx store.Tx) error {
		m, err := s.loadEventMemory(ctx, tx, sc, q.MemoryID)
		if err != nil {
			return err
		}
		memoryID = m.id
		ti, err := store.TextIndexOf(tx)
		if err != nil {
			return err
		}
		// The index applies the namespace prefix (of namespacePath too, by
		// its segments' text) and the strategy; the rest drop hits here, so
		// rank more than topK while they do.
		prefix := q.Namespace
		if q.NamespacePath != "" && len(strings.TrimSuffix(q.NamespacePath, "/")) > len(prefix) {
			prefix = strings.TrimSuffix(q.NamespacePath, "/")
		}
		fetch := topK
		if q.Keep != nil || q.NamespacePath != "" {
			fetch = topK * 4
		}
		for {
			hits, err := ti.SearchText(ctx, store.TextQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryRecord,
				Scope: m.id, NamespacePrefix: prefix, Tag: q.StrategyID, Query: query, Limit: fetch})
			if err != nil {
				return err
			}
			ranked = ranked[:0]
			for _, h := range hits {
				_, rec, err := loadMemoryRecord(ctx, tx, sc, m.id, strings.TrimPrefix(h.ID, m.id+eventKeySep))
				if isNotFound(err) {
					continue
				}
				if err != nil {
					return err
				}
				if !q.accepts(rec) {
					continue
				}
				sum := recordSummary(rec)
				score := h.Score
				sum.Score = &score
				ranked = append(ranked, sum)
				if len(ranked) == topK {
					return nil
				}
			}
			if len(hits) < fetch || fetch >= maxRetrieveFetch {
				return nil
			}
			fetch = min(fetch*4, maxRetrieveFetch)
		}
	})
	if err != nil {
		return nil, "", err
	}
	// Pages over the ranked list: the token holds the offset.
	start, err := s.decodePageToken(sc, token, kindMemoryRetrieve, memoryID)
	if err != nil {
		return nil, "", err
	}
	if start > int64(len(ranked)) {
		start = int64(len(ranked))
	}
	end := len(ranked)
	next := ""
	if limit > 0 && int(start)+limit < end {
		end = int(start) + limit
		next = s.encodePageToken(sc, pageToken{Kind: kindMemoryRetrieve, Parent: memoryID, Seq: int64(end)})
	}
	return ranked[start:end], next, nil
}

// purgeMemoryLongTerm removes every record (with its index entry) and
// extraction state of a memory (its deletion).
func purgeMemoryLongTerm(ctx context.Context, tx store.Tx, sc scope, memoryID string) error {
	records, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryRecord, ParentID: memoryID})
	if err != nil {
		return err
	}
	for _, row := range records {
		if err := deleteRecordRow(ctx, tx, row.Key()); err != nil {
			return err
		}
	}
	if err := purgeSelfManaged(ctx, tx, sc, memoryID); err != nil {
		return err
	}
	states, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindMemoryExtraction, ParentID: memoryID})
	if err != nil {
		return err
	}
	for _, row := range states {
		if err := tx.Delete(ctx, row.Key()); err != nil {
			return err
		}
	}
	return nil
}
