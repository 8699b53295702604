// Package store persists every resource, tag, idempotency record and lifecycle
// job. One interface, two implementations (SQLite embedded, PostgreSQL shared);
// both pass the conformance suite in package storetest.
//
// All access goes through transactions: Read for consistent reads, Write for
// a serializable read-modify-write. A Write either commits everything the
// callback did or nothing.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every implementation. Callers compare with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: an insert would duplicate a primary key, a name within its
	// scope, an ARN, or an idempotency token.
	ErrConflict = errors.New("store: conflict")
	// ErrRevision: an Update carried a stale revision (compare-and-set lost).
	ErrRevision = errors.New("store: revision mismatch")
	// ErrUnavailable: the database cannot be reached or timed out.
	ErrUnavailable = errors.New("store: unavailable")
)

// Key names one resource.
type Key struct {
	Account, Region, Kind, ID string
}

// Resource is one row of the generic resource table. Doc is the family's JSON
// document; the other fields are the columns the store indexes.
type Resource struct {
	Account  string
	Region   string
	Kind     string // e.g. "runtime", "runtime-endpoint", "browser"
	ID       string
	ParentID string // "" for top-level resources
	// Name is unique per (Account, Region, Kind, ParentID) when non-empty.
	Name string
	// ARN is unique across the store when non-empty; tags hang off it.
	ARN    string
	Status string
	// Revision is set by the store: 1 on Insert, +1 on every Update.
	Revision int64
	// Seq is assigned by the store on Insert, strictly increasing; it is the
	// stable sort key for listing.
	Seq       int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Doc       []byte
	// Summary is the family's listing entry for this row, when it has one
	// (see ListQuery.SummaryOnly); nil otherwise.
	Summary []byte
}

func (r *Resource) Key() Key {
	return Key{Account: r.Account, Region: r.Region, Kind: r.Kind, ID: r.ID}
}

// ListQuery selects resources of one kind under one parent, in Seq order,
// strictly after AfterSeq, at most Limit of them (Limit <= 0 means all).
type ListQuery struct {
	Account, Region, Kind, ParentID string
	AfterSeq                        int64
	Limit                           int
	// SummaryOnly leaves Doc out of the result (nil) and sets Summary to
	// the stored summary, or to the document where none was stored, so
	// that a listing reads and decodes as little as possible.
	SummaryOnly bool
}

// RangeQuery selects resources of one kind whose IDs start with Prefix, in
// bytewise ID order (descending when Descending), strictly after Cursor in
// that order when Cursor is set, at most Limit of them (Limit <= 0: all).
// It reads a range of the primary key, so families that build IDs from
// their scope (e.g. "<memory>|<actor>|<session>|<event>") list a scope
// without scanning the kind.
type RangeQuery struct {
	Account, Region, Kind string
	Prefix                string
	Cursor                string
	Descending            bool
	Limit                 int
}

// PrefixEnd is the smallest string greater than every string that starts
// with prefix, or "" when there is none (prefix empty or all 0xff bytes).
func PrefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// IdempotencyRecord remembers the answer given to a request that carried a
// client token, so that a retry gets the same answer.
type IdempotencyRecord struct {
	Account, Region, Operation, Token string
	RequestHash                       string
	StatusCode                        int
	Body                              []byte
	CreatedAt                         time.Time
}

// Job asks the lifecycle engine to reconcile one resource once DueAt has
// passed. There is at most one job per resource; Put replaces it. A job with
// a zero DueAt waits for a manual advance.
type Job struct {
	Account, Region, Kind, ResourceID string
	DueAt                             time.Time
	Attempts                          int
}

func (j *Job) Key() Key {
	return Key{Account: j.Account, Region: j.Region, Kind: j.Kind, ID: j.ResourceID}
}

// Tx is one transaction. It must not be used after its callback returns.
type Tx interface {
	Get(ctx context.Context, key Key) (*Resource, error)
	GetByName(ctx context.Context, account, region, kind, parentID, name string) (*Resource, error)
	GetByARN(ctx context.Context, arn string) (*Resource, error)
	// Insert sets Seq, Revision=1 and, when zero, CreatedAt/UpdatedAt.
	Insert(ctx context.Context, r *Resource) error
	// Update replaces the row if its stored revision equals r.Revision, then
	// increments r.Revision. ParentID, Seq and CreatedAt never change.
	Update(ctx context.Context, r *Resource) error
	// Delete removes the row, its tags (by its ARN) and its job.
	Delete(ctx context.Context, key Key) error
	List(ctx context.Context, q ListQuery) ([]*Resource, error)
	Count(ctx context.Context, account, region, kind, parentID string) (int, error)
	// ListRange lists by ID range (see RangeQuery).
	ListRange(ctx context.Context, q RangeQuery) ([]*Resource, error)

	Tags(ctx context.Context, arn string) (map[string]string, error)
	// SetTags adds or overwrites the given keys, leaving others alone.
	SetTags(ctx context.Context, arn string, tags map[string]string) error
	// RemoveTags deletes the given keys; absent keys are not an error.
	RemoveTags(ctx context.Context, arn string, keys []string) error

	GetIdempotency(ctx context.Context, account, region, operation, token string) (*IdempotencyRecord, error)
	// PutIdempotency returns ErrConflict if the token is already recorded.
	PutIdempotency(ctx context.Context, rec *IdempotencyRecord) error

	PutJob(ctx context.Context, j *Job) error
	GetJob(ctx context.Context, key Key) (*Job, error)
	DeleteJob(ctx context.Context, key Key) error

	// ListStatus returns the resources of kind in status, of every account
	// and region, in Seq order (an index read: start-up sweeps of sessions).
	ListStatus(ctx context.Context, kind, status string) ([]*Resource, error)
	// ListAll returns every resource of every account and region, in Seq
	// order (export of the whole state).
	ListAll(ctx context.Context) ([]*Resource, error)
	// ListJobs returns every job, timed and manual, ordered by key.
	ListJobs(ctx context.Context) ([]Job, error)
}

// Store is a database.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a serializable transaction and commits if fn returns
	// nil. A commit that returns nil is durable against a process crash.
	Write(ctx context.Context, fn func(Tx) error) error
	// DueJobs returns up to limit jobs whose DueAt is non-zero and <= now,
	// leasing them for lease so that no other caller gets them meanwhile.
	DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Job, error)
	// NextDue returns the earliest moment at which DueJobs can hand out a
	// job: over the jobs with a non-zero DueAt, the minimum of the later of
	// DueAt and the end of the job's lease. Zero when there is no such job.
	// It may be in the past (a job is due now).
	NextDue(ctx context.Context) (time.Time, error)
	// Meta reads and writes small server-wide settings (e.g. the token key).
	GetMeta(ctx context.Context, key string) ([]byte, error)
	// PutMetaIfAbsent stores value unless key exists; returns what is stored.
	PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
	// Reset deletes everything of one account, or of all when account is "".
	Reset(ctx context.Context, account string) error
	Ping(ctx context.Context) error
	Close() error
}
