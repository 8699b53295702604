package dataplane

// Long-term memory operations: BatchCreate/Update/DeleteMemoryRecords,
// GetMemoryRecord, DeleteMemoryRecord, ListMemoryRecords,
// RetrieveMemoryRecords, StartMemoryExtractionJob and
// ListMemoryExtractionJobs (docs/DATAPLANE.md "Memory: records and
// retrieval"). Records live in the control plane's store, reached through
// MemoryRecords (service/memory_records.go, memory_extraction.go); this
// file holds the request rules: page sizes, topK and the metadata filters.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/dpapi"
	"agentcored/internal/service"
)

// MemoryRecords stores, searches and extracts memory records
// (service.Service).
type MemoryRecords interface {
	CreateMemoryRecords(ctx context.Context, memoryID string, in []dpapi.MemoryRecordCreateInput) (*service.BatchResult, error)
	UpdateMemoryRecords(ctx context.Context, memoryID string, in []dpapi.MemoryRecordUpdateInput) (*service.BatchResult, error)
	DeleteMemoryRecords(ctx context.Context, memoryID string, ids []string) (*service.BatchResult, error)
	GetMemoryRecord(ctx context.Context, memoryID, recordID string) (*dpapi.MemoryRecord, error)
	DeleteMemoryRecord(ctx context.Context, memoryID, recordID string) error
	ListMemoryRecords(ctx context.Context, q service.RecordQuery, token string, limit int) ([]dpapi.MemoryRecordSummary, string, error)
	RetrieveMemoryRecords(ctx context.Context, q service.RecordQuery, query string, topK int, token string, limit int) ([]dpapi.MemoryRecordSummary, string, error)
	ListMemoryExtractionJobs(ctx context.Context, memoryID string, f service.ExtractionJobFilter, token string, limit int) ([]dpapi.ExtractionJobMetadata, string, error)
	StartMemoryExtractionJob(ctx context.Context, memoryID, jobID string) error
}

const (
	// defaultTopK is how many records a retrieval ranks without topK.
	defaultTopK = 10
	// defaultJobPage is ListMemoryExtractionJobs' page without maxResults.
	defaultJobPage = 20
)

func batchLists(r *service.BatchResult) ([]dpapi.MemoryRecordOutput, []dpapi.MemoryRecordOutput) {
	ok, failed := r.Successful, r.Failed
	if ok == nil {
		ok = []dpapi.MemoryRecordOutput{} // both members are required
	}
	if failed == nil {
		failed = []dpapi.MemoryRecordOutput{}
	}
	return ok, failed
}

func (s *Service) BatchCreateMemoryRecords(ctx context.Context, in *dpapi.BatchCreateMemoryRecordsInput) (*dpapi.BatchCreateMemoryRecordsOutput, error) {
	r, err := s.records.CreateMemoryRecords(ctx, in.MemoryId, in.Records)
	if err != nil {
		return nil, err
	}
	ok, failed := batchLists(r)
	return &dpapi.BatchCreateMemoryRecordsOutput{SuccessfulRecords: ok, FailedRecords: failed}, nil
}

func (s *Service) BatchUpdateMemoryRecords(ctx context.Context, in *dpapi.BatchUpdateMemoryRecordsInput) (*dpapi.BatchUpdateMemoryRecordsOutput, error) {
	r, err := s.records.UpdateMemoryRecords(ctx, in.MemoryId, in.Records)
	if err != nil {
		return nil, err
	}
	ok, failed := batchLists(r)
	return &dpapi.BatchUpdateMemoryRecordsOutput{SuccessfulRecords: ok, FailedRecords: failed}, nil
}

func (s *Service) BatchDeleteMemoryRecords(ctx context.Context, in *dpapi.BatchDeleteMemoryRecordsInput) (*dpapi.BatchDeleteMemoryRecordsOutput, error) {
	ids := make([]string, len(in.Records))
	for i, r := range in.Records {
		ids[i] = r.MemoryRecordId
	}
	r, err := s.records.DeleteMemoryRecords(ctx, in.MemoryId, ids)
	if err != nil {
		return nil, err
	}
	ok, failed := batchLists(r)
	return &dpapi.BatchDeleteMemoryRecordsOutput{SuccessfulRecords: ok, FailedRecords: failed}, nil
}

func (s *Service) GetMemoryRecord(ctx context.Context, in *dpapi.GetMemoryRecordInput) (*dpapi.GetMemoryRecordOutput, error) {
	rec, err := s.records.GetMemoryRecord(ctx, in.MemoryId, in.MemoryRecordId)
	if err != nil {
		return nil, err
	}
	return &dpapi.GetMemoryRecordOutput{MemoryRecord: rec}, nil
}

func (s *Service) DeleteMemoryRecord(ctx context.Context, in *dpapi.DeleteMemoryRecordInput) (*dpapi.DeleteMemoryRecordOutput, error) {
	if err := s.records.DeleteMemoryRecord(ctx, in.MemoryId, in.MemoryRecordId); err != nil {
		return nil, err
	}
	return &dpapi.DeleteMemoryRecordOutput{MemoryRecordId: in.MemoryRecordId}, nil
}

func (s *Service) ListMemoryRecords(ctx context.Context, in *dpapi.ListMemoryRecordsInput) (*dpapi.ListMemoryRecordsOutput, error) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	keep, err := recordFilter("metadataFilters", in.MetadataFilters)
	if err != nil {
		return nil, err
	}
	q := service.RecordQuery{MemoryID: in.MemoryId, Namespace: in.Namespace, NamespacePath: in.NamespacePath,
		StrategyID: in.MemoryStrategyId, Keep: keep}
	recs, next, err := s.records.ListMemoryRecords(ctx, q, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []dpapi.MemoryRecordSummary{}
	}
	return &dpapi.ListMemoryRecordsOutput{MemoryRecordSummaries: recs, NextToken: next}, nil
}

func (s *Service) RetrieveMemoryRecords(ctx context.Context, in *dpapi.RetrieveMemoryRecordsInput) (*dpapi.RetrieveMemoryRecordsOutput, error) {
	c := in.SearchCriteria
	if c == nil || strings.TrimSpace(c.SearchQuery) == "" {
		return nil, awserr.Validation("1 validation error detected: Value at 'searchCriteria.searchQuery' failed to satisfy constraint: Member must not be blank")
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	topK := defaultTopK
	if c.TopK != nil {
		if *c.TopK < 1 || *c.TopK > 100 {
			return nil, awserr.Validation("1 validation error detected: Value '%d' at 'searchCriteria.topK' failed to satisfy constraint: Member must have value between 1 and 100", *c.TopK)
		}
		topK = int(*c.TopK)
	}
	keep, err := recordFilter("searchCriteria.metadataFilters", c.MetadataFilters)
	if err != nil {
		return nil, err
	}
	q := service.RecordQuery{MemoryID: in.MemoryId, Namespace: in.Namespace, NamespacePath: in.NamespacePath,
		StrategyID: c.MemoryStrategyId, Keep: keep}
	recs, next, err := s.records.RetrieveMemoryRecords(ctx, q, c.SearchQuery, topK, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		recs = []dpapi.MemoryRecordSummary{}
	}
	return &dpapi.RetrieveMemoryRecordsOutput{MemoryRecordSummaries: recs, NextToken: next}, nil
}

func (s *Service) StartMemoryExtractionJob(ctx context.Context, in *dpapi.StartMemoryExtractionJobInput) (*dpapi.StartMemoryExtractionJobOutput, error) {
	if in.ExtractionJob == nil || in.ExtractionJob.JobId == "" {
		return nil, awserr.Validation("1 validation error detected: Value at 'extractionJob.jobId' failed to satisfy constraint: Member must not be null")
	}
	if err := s.records.StartMemoryExtractionJob(ctx, in.MemoryId, in.ExtractionJob.JobId); err != nil {
		return nil, err
	}
	return &dpapi.StartMemoryExtractionJobOutput{JobId: in.ExtractionJob.JobId}, nil
}

func (s *Service) ListMemoryExtractionJobs(ctx context.Context, in *dpapi.ListMemoryExtractionJobsInput) (*dpapi.ListMemoryExtractionJobsOutput, error) {
	limit := defaultJobPage
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, awserr.Validation("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	var f service.ExtractionJobFilter
	if in.Filter != nil {
		f = service.ExtractionJobFilter{StrategyID: in.Filter.StrategyId, SessionID: in.Filter.SessionId, ActorID: in.Filter.ActorId}
	}
	jobs, next, err := s.records.ListMemoryExtractionJobs(ctx, in.MemoryId, f, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	// Every job kept is FAILED (the model's only status).
	if jobs == nil || (in.Filter != nil && in.Filter.Status != "" && in.Filter.Status != dpapi.ExtractionJobStatusFailed) {
		jobs, next = []dpapi.ExtractionJobMetadata{}, ""
	}
	return &dpapi.ListMemoryExtractionJobsOutput{Jobs: jobs, NextToken: next}, nil
}

// recordFilter turns metadata filter expressions into one predicate (all
// must hold); nil when there are none.
func recordFilter(field string, xs []dpapi.MemoryMetadataFilterExpression) (func(*dpapi.MemoryRecord) bool, error) {
	if len(xs) == 0 {
		return nil, nil
	}
	preds := make([]func(*dpapi.MemoryRecord) bool, len(xs))
	for i, x := range xs {
		p, err := recordPredicate(field+"."+strconv.Itoa(i+1)+".member", x)
		if err != nil {
			return nil, err
		}
		preds[i] = p
	}
	return func(r *dpapi.MemoryRecord) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, nil
}

func recordPredicate(field string, x dpapi.MemoryMetadataFilterExpression) (func(*dpapi.MemoryRecord) bool, error) {
	if x.Left == nil || x.Left.MetadataKey == "" {
		return nil, awserr.Validation("1 validation error detected: Value at '%s.left' failed to satisfy constraint: Member must not be null", field)
	}
	key, op := x.Left.MetadataKey, x.Operator
	value := func(r *dpapi.MemoryRecord) (dpapi.MemoryRecordMetadataValue, bool) {
		v, ok := r.Metadata[key]
		return v, ok
	}
	if op == dpapi.MemoryRecordOperatorTypeExists || op == dpapi.MemoryRecordOperatorTypeNotExists {
		if x.Right != nil {
			return nil, awserr.Validation("1 validation error detected: Value at '%s.right' failed to satisfy constraint: %s takes no right operand", field, op)
		}
		exists := op == dpapi.MemoryRecordOperatorTypeExists
		return func(r *dpapi.MemoryRecord) bool { _, ok := value(r); return ok == exists }, nil
	}
	if x.Right == nil || x.Right.MetadataValue == nil {
		return nil, awserr.Validation("1 validation error detected: Value at '%s.right' failed to satisfy constraint: %s needs a right operand", field, op)
	}
	want := *x.Right.MetadataValue
	switch op {
	case dpapi.MemoryRecordOperatorTypeEqualsTo:
		return func(r *dpapi.MemoryRecord) bool { v, ok := value(r); return ok && sameMetadata(v, want) }, nil
	case dpapi.MemoryRecordOperatorTypeContains:
		return func(r *dpapi.MemoryRecord) bool {
			v, ok := value(r)
			if !ok {
				return false
			}
			for _, s := range v.StringListValue {
				if s == want.StringValue {
					return true
				}
			}
			return want.StringValue != "" && strings.Contains(v.StringValue, want.StringValue)
		}, nil
	case dpapi.MemoryRecordOperatorTypeBefore, dpapi.MemoryRecordOperatorTypeAfter:
		if want.DateTimeValue.IsZero() {
			return nil, awserr.Validation("1 validation error detected: Value at '%s.right.metadataValue' failed to satisfy constraint: %s needs a dateTimeValue", field, op)
		}
		before := op == dpapi.MemoryRecordOperatorTypeBefore
		return func(r *dpapi.MemoryRecord) bool {
			v, ok := value(r)
			if !ok || v.DateTimeValue.IsZero() {
				return false
			}
			return compareTimes(v.DateTimeValue.Time, want.DateTimeValue.Time, before)
		}, nil
	case dpapi.MemoryRecordOperatorTypeGreaterThan, dpapi.MemoryRecordOperatorTypeGreaterThanOrEquals,
		dpapi.MemoryRecordOperatorTypeLessThan, dpapi.MemoryRecordOperatorTypeLessThanOrEquals:
		if want.NumberValue == nil {
			return nil, awserr.Validation("1 validation error detected: Value at '%s.right.metadataValue' failed to satisfy constraint: %s needs a numberValue", field, op)
		}
		w := *want.NumberValue
		return func(r *dpapi.MemoryRecord) bool {
			v, ok := value(r)
			if !ok || v.NumberValue == nil {
				return false
			}
			n := *v.NumberValue
			switch op {
			case dpapi.MemoryRecordOperatorTypeGreaterThan:
				return n > w
			case dpapi.MemoryRecordOperatorTypeGreaterThanOrEquals:
				return n >= w
			case dpapi.MemoryRecordOperatorTypeLessThan:
				return n < w
			}
			return n <= w
		}, nil
	}
	return nil, awserr.Validation("1 validation error detected: Value '%s' at '%s.operator' failed to satisfy constraint: Member must satisfy enum value set: [EQUALS_TO, EXISTS, NOT_EXISTS, BEFORE, AFTER, CONTAINS, GREATER_THAN, GREATER_THAN_OR_EQUALS, LESS_THAN, LESS_THAN_OR_EQUALS]", op, field)
}

func compareTimes(v, want time.Time, before bool) bool {
	if before {
		return v.Before(want)
	}
	return v.After(want)
}

// sameMetadata compares two metadata values member by member.
func sameMetadata(a, b dpapi.MemoryRecordMetadataValue) bool {
	switch {
	case b.NumberValue != nil:
		return a.NumberValue != nil && *a.NumberValue == *b.NumberValue
	case !b.DateTimeValue.IsZero():
		return a.DateTimeValue.Equal(b.DateTimeValue.Time)
	case b.StringListValue != nil:
		if len(a.StringListValue) != len(b.StringListValue) {
			return false
		}
		for i := range a.StringListValue {
			if a.StringListValue[i] != b.StringListValue[i] {
				return false
			}
		}
		return true
	}
	return a.StringValue == b.StringValue && a.StringListValue == nil && a.NumberValue == nil
}
