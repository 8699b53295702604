package service

// The family engine. A resource family says what it is as a family[T]
// value (its kind, ARN scheme, quota, status machine, record fields); the
// generic functions below do what every family does the same way: Create
// with name uniqueness, quota, tags and clientToken idempotency (through
// mutate), Get, List with signed pagination, Update, Delete through
// DELETING, and the reconciler that ends each transitional status. A
// family file keeps only its own rules, passed in as small functions.
//
// T is the family's record: the model's Get*Response (or the shape it
// wraps) embedded in a struct with PendingFailure, the reason an injected
// fault recorded for the pending transition (or PendingReasons, a list, for
// a family whose own checks can fail a transition too). Request and response shapes
// are copied to and from the record by member name (project.go).

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

// failable is embedded in the record of a family whose transitions can
// fail: PendingFailure, set by an injected fault, makes the pending
// transition end in its failed status with this reason.
type failable struct {
	PendingFailure string `json:"pendingFailure,omitempty"`
}

// fields names the record's members the engine maintains.
type fields struct {
	ID, ARN, Status string
	Reason          string // failure reasons (string, *string or []string); "" if none
	Created         string
	Updated         string // "" if the record has no update time
}

// outcome is where a transitional status ends: done, or failed when an
// injected fault asked for a failure. done "" removes the row.
type outcome struct{ done, failed string }

// states is a family's status machine. create, update and delete are the
// statuses each change enters; a change whose status has an outcome in
// settle is asynchronous (the lifecycle engine ends it), any other is
// synchronous. update "" keeps the status; delete "" (or a status not in
// settle, such as DELETED, reported in the answer) removes the row at once.
type states struct {
	create, update, delete string
	settle                 map[string]outcome
	// frozen statuses refuse an update besides the transitional ones.
	frozen []string
	// infallible changes take no injected failure (the model gives them no
	// failed status), so the record needs no PendingFailure.
	infallible bool
}

// asyncStates is the machine most families share.
var asyncStates = asyncEnding("READY", "DELETE_FAILED", "CREATE_FAILED")

// asyncEnding is the machine of CREATING, UPDATING and DELETING whose
// changes end in ready (or *_FAILED), whose deletion ends in deleteFailed
// on an injected failure ("" when a deletion cannot fail), and in which the
// frozen statuses refuse updates.
func asyncEnding(ready, deleteFailed string, frozen ...string) states {
	return states{
		create: "CREATING", update: "UPDATING", delete: "DELETING",
		settle: map[string]outcome{
			"CREATING": {ready, "CREATE_FAILED"},
			"UPDATING": {ready, "UPDATE_FAILED"},
			"DELETING": {"", deleteFailed},
		},
		frozen: frozen,
	}
}

// family describes one resource family.
type family[T any] struct {
	kind  string // store kind, e.g. "browser"
	group string // lifecycle family whose policy can be set, e.g. "browsers"
	noun  string // in messages: "browser"
	// plural is the noun in quota messages; noun+"s" when empty.
	plural string
	// arnPath is the ARN's resource part before the id: "browser-custom/".
	arnPath string
	// arnOf overrides arnPath for ARNs that carry the parent.
	arnOf func(sc scope, parent, id string) string
	// newID makes the id from the name; newID (name-10 alphanumerics) when nil.
	newID  func(name string) string
	fields fields
	states states
	// quota bounds the rows per account and region, or per parent for a
	// child family; unbounded when nil.
	quota     func(Quotas) int
	listLimit int // default page size
	// reasonsRequired reports a []string failure-reason member as [] when
	// there is none (the model makes it required), instead of leaving it out.
	reasonsRequired bool
	// sharedNames: names need not be unique; the name only seeds the id.
	sharedNames bool
	// summary is the listing entry stored beside the document, so that a
	// listing reads entries only; nil lists by projecting whole documents.
	summary func(*T) any

	// Hooks for a family's own rules; each may be nil.
	//
	// missing is the not-found error; "<Noun> '<id>' was not found." when nil.
	missing func(parent, id string) error
	// parentExists, for a child family, answers the parent's own not-found
	// error when a child is not found or listed under a missing parent.
	parentExists func(ctx context.Context, tx store.Tx, sc scope, parent string) error
	// taken is the error for a name already used under the parent;
	// nameTaken(noun, name) when nil.
	taken func(parent, name string) error
	// full is the error for a quota reached under the parent; "You have
	// reached the maximum of <n> <plural> in ..." when nil.
	full func(parent string, quota int) error
	// busy is the error for an update refused in a transitional or frozen
	// status; "<Noun> '<id>' is <status> and cannot be updated now." when nil.
	busy func(id, status string) error
	// beforeDelete refuses a delete (children, references, built-ins).
	beforeDelete func(ctx context.Context, tx store.Tx, sc scope, row *store.Resource, rec *T) error
	// settled runs when a transition ends, before the row is saved or
	// removed (side effects such as cascades or versions).
	settled func(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *T, from string) error

	once sync.Once
	acc  accessors
}

// accessors are the record's field indexes, resolved once from fields.
type accessors struct {
	id, arn, status, reason, created, updated, pending []int
}

func (f *family[T]) access() *accessors {
	f.once.Do(func() {
		t := reflect.TypeFor[T]()
		find := func(name string, required bool) []int {
			if name == "" && !required {
				return nil
			}
			sf, ok := t.FieldByName(name)
			if !ok {
				panic(fmt.Sprintf("family %s: record %s has no field %q", f.kind, t, name))
			}
			return sf.Index
		}
		async := len(f.states.settle) > 0
		f.acc = accessors{
			id: find(f.fields.ID, true), arn: find(f.fields.ARN, false), status: find(f.fields.Status, false),
			reason: find(f.fields.Reason, false), created: find(f.fields.Created, false),
			updated: find(f.fields.Updated, false),
		}
		if async && !f.states.infallible {
			name := "PendingFailure"
			if _, ok := t.FieldByName("PendingReasons"); ok {
				name = "PendingReasons"
			}
			f.acc.pending = find(name, true)
		}
	})
	return &f.acc
}

func (f *family[T]) field(rec *T, index []int) reflect.Value {
	return reflect.ValueOf(rec).Elem().FieldByIndex(index)
}

func (f *family[T]) status(rec *T) string {
	if a := f.access(); a.status != nil {
		return f.field(rec, a.status).String()
	}
	return ""
}

// setStatus moves the record to status with a failure reason ("" clears
// it) and, when at is not zero, stamps the update time.
func (f *family[T]) setStatus(rec *T, status, reason string, at time.Time) {
	var reasons []string
	if reason != "" {
		reasons = []string{reason}
	}
	f.setStatusReasons(rec, status, reasons, at)
}

// setStatusReasons is setStatus with a list of reasons.
func (f *family[T]) setStatusReasons(rec *T, status string, reasons []string, at time.Time) {
	a := f.access()
	if a.status != nil {
		f.field(rec, a.status).SetString(status)
	}
	if a.reason != nil {
		f.setReason(f.field(rec, a.reason), reasons)
	}
	if a.updated != nil && !at.IsZero() {
		setTime(f.field(rec, a.updated), at)
	}
}

// addPending records an injected failure for the pending transition, ahead
// of any reasons the family's own checks recorded.
func (f *family[T]) addPending(rec *T, reason string) {
	a := f.access()
	if a.pending == nil || reason == "" {
		return
	}
	switch p := f.field(rec, a.pending).Addr().Interface().(type) {
	case *string:
		*p = reason
	case *[]string:
		*p = append([]string{reason}, *p...)
	}
}

// injectFailure records the failure an injected fault asks of the change
// entering a transitional status; an infallible family takes none.
func (f *family[T]) injectFailure(ctx context.Context, s *Service, rec *T) {
	if !f.states.infallible {
		f.addPending(rec, s.injectedFailure(ctx, reqctx.From(ctx).Operation))
	}
}

// setPending replaces the pending failure ("" clears it).
func (f *family[T]) setPending(rec *T, reason string) {
	f.clearPending(rec)
	f.addPending(rec, reason)
}

func (f *family[T]) clearPending(rec *T) {
	if a := f.access(); a.pending != nil {
		f.field(rec, a.pending).SetZero()
	}
}

// pending returns the reasons the pending transition fails with.
func (f *family[T]) pending(rec *T) []string {
	a := f.access()
	if a.pending == nil {
		return nil
	}
	switch p := f.field(rec, a.pending).Addr().Interface().(type) {
	case *string:
		if *p != "" {
			return []string{*p}
		}
	case *[]string:
		return *p
	}
	return nil
}

func (f *family[T]) setReason(v reflect.Value, reasons []string) {
	switch p := v.Addr().Interface().(type) {
	case *string:
		*p = strings.Join(reasons, "; ")
	case **string:
		*p = nil
		if len(reasons) > 0 {
			*p = ptr(strings.Join(reasons, "; "))
		}
	case *[]string:
		*p = reasons
		if len(reasons) == 0 && !f.reasonsRequired {
			*p = nil
		} else if len(reasons) == 0 {
			*p = []string{}
		}
	default:
		panic(fmt.Sprintf("failure reason of type %s", v.Type()))
	}
}

func setTime(v reflect.Value, at time.Time) {
	switch p := v.Addr().Interface().(type) {
	case *api.DateTime:
		*p = api.NewDateTime(at)
	case **api.DateTime:
		*p = ptr(api.NewDateTime(at))
	case *api.EpochTime:
		*p = api.NewEpochTime(at)
	case **api.EpochTime:
		*p = ptr(api.NewEpochTime(at))
	default:
		panic(fmt.Sprintf("timestamp of type %s", v.Type()))
	}
}

func (f *family[T]) transitional(status string) bool {
	_, ok := f.states.settle[status]
	return ok
}

func (f *family[T]) rowID(parent, id string) string {
	if parent == "" {
		return id
	}
	return parent + "/" + id
}

func (f *family[T]) arn(sc scope, parent, id string) string {
	if f.arnOf != nil {
		return f.arnOf(sc, parent, id)
	}
	return sc.arn(f.arnPath + id)
}

func (f *family[T]) notFound(id string) error {
	return awserr.NotFound("%s '%s' was not found.", strings.ToUpper(f.noun[:1])+f.noun[1:], id)
}

// encode writes the record into the row, with its listing entry.
func (f *family[T]) encode(row *store.Resource, rec *T) {
	row.Doc = encodeDoc(rec)
	row.Summary = nil
	if f.summary != nil {
		row.Summary = encodeDoc(f.summary(rec))
	}
}

// save writes the record back into its row (compare-and-set) and schedules
// the end of the status it is in when that is transitional.
func (f *family[T]) save(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *T, now time.Time) error {
	row.Status = f.status(rec)
	row.UpdatedAt = now
	f.encode(row, rec)
	if err := tx.Update(ctx, row); err != nil {
		return err
	}
	if f.transitional(row.Status) {
		return s.lifecycle.Schedule(ctx, tx, row)
	}
	return nil
}

// register gives the family's reconciler to the lifecycle engine.
func (f *family[T]) register(s *Service) {
	if len(f.states.settle) > 0 {
		s.lifecycle.Register(f.group, f.kind, func(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
			return f.reconcile(ctx, s, tx, row, now)
		})
	}
}

// load reads one record of the family in the caller's scope.
func (f *family[T]) load(ctx context.Context, tx store.Tx, sc scope, parent, id string) (*store.Resource, *T, error) {
	return loadDoc[T](ctx, tx, sc.key(f.kind, f.rowID(parent, id)), func() error {
		if parent != "" && f.parentExists != nil {
			if err := f.parentExists(ctx, tx, sc, parent); err != nil {
				return err
			}
		}
		if f.missing != nil {
			return f.missing(parent, id)
		}
		return f.notFound(id)
	})
}

// enter moves a loaded record into the status a change asked for, with the
// failure an injected fault recorded for it, and saves it.
func (f *family[T]) enter(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, rec *T, status string, now time.Time) error {
	f.setStatus(rec, status, "", now)
	if f.transitional(status) {
		f.injectFailure(ctx, s, rec)
	}
	return f.save(ctx, s, tx, row, rec, now)
}

// reconcile ends the transitional status a row is in.
func (f *family[T]) reconcile(ctx context.Context, s *Service, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec T
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	from, gone, ok := f.conclude(&rec, now)
	if !ok {
		return nil
	}
	if f.settled != nil {
		if err := f.settled(ctx, s, tx, row, &rec, from); err != nil {
			return err
		}
	}
	if gone {
		return s.removeResource(ctx, tx, row)
	}
	return f.save(ctx, s, tx, row, &rec, now)
}

// conclude ends, in memory, the transitional status a record is in: the
// outcome the status machine gives, or its failure when reasons are
// pending. It reports the status left and whether the row goes (a record
// that goes keeps its status); ok is false when nothing was transitional.
func (f *family[T]) conclude(rec *T, now time.Time) (from string, gone, ok bool) {
	from = f.status(rec)
	end, ok := f.states.settle[from]
	if !ok {
		return from, false, false
	}
	next, reasons := end.done, f.pending(rec)
	if len(reasons) > 0 {
		next = end.failed
	}
	if next == "" {
		return from, true, true
	}
	f.setStatusReasons(rec, next, reasons, now)
	f.clearPending(rec)
	return from, false, true
}

// creation is what a Create* request says about the new resource besides
// its own members: its parent (for a child family), name and tags. from is
// the request; its members are copied into the record by name.
type creation struct {
	parent, name string
	tags         map[string]string
	from         any
	// check, when given, runs first in the transaction, before the name and
	// quota checks: that the parent takes children, that references exist.
	check func(tx store.Tx, sc scope) error
}

// create makes a new resource: the name must be free and the quota have
// room; fill, when given, sets what the request does not carry under the
// record's names. The answer is the record projected on Out.
func create[Out, T any](ctx context.Context, s *Service, f *family[T], c creation, fill func(tx store.Tx, sc scope, rec *T) error) (*Out, error) {
	if err := checkTagKeys("tags", mapKeys(c.tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*Out, error) {
		if c.check != nil {
			if err := c.check(tx, sc); err != nil {
				return nil, err
			}
		}
		unique := c.name
		if f.sharedNames {
			unique = ""
		}
		if err := f.checkRoom(ctx, s, tx, sc, c.parent, unique); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		makeID := f.newID
		if makeID == nil {
			makeID = newID
		}
		id := makeID(c.name)
		rec := new(T)
		if c.from != nil {
			members.Assign(rec, c.from)
		}
		a := f.access()
		f.field(rec, a.id).SetString(id)
		arn := ""
		if a.arn != nil {
			arn = f.arn(sc, c.parent, id)
			f.field(rec, a.arn).SetString(arn)
		}
		if a.created != nil {
			setTime(f.field(rec, a.created), now)
		}
		f.setStatus(rec, f.states.create, "", now)
		if fill != nil {
			if err := fill(tx, sc, rec); err != nil {
				return nil, err
			}
		}
		transitional := f.transitional(f.states.create)
		if transitional {
			f.injectFailure(ctx, s, rec)
		}
		row, err := f.insert(ctx, tx, sc, c.parent, id, unique, rec, now)
		if err != nil {
			if errors.Is(err, store.ErrConflict) && unique != "" {
				return nil, f.nameTaken(c.parent, c.name)
			}
			return nil, err
		}
		if err := s.createTags(ctx, tx, arn, c.tags); err != nil {
			return nil, err
		}
		out := members.Project[Out](rec)
		if transitional {
			// The answer reports the status entered, even when the
			// immediate policy ends it inside this transaction.
			if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// insert writes a new row holding rec: id under parent, the unique name
// ("" for none), and the ARN and status the record carries.
func (f *family[T]) insert(ctx context.Context, tx store.Tx, sc scope, parent, id, name string, rec *T, now time.Time) (*store.Resource, error) {
	row := &store.Resource{Account: sc.account, Region: sc.region, Kind: f.kind, ID: f.rowID(parent, id),
		ParentID: parent, Name: name, Status: f.status(rec), CreatedAt: now, UpdatedAt: now}
	if a := f.access(); a.arn != nil {
		row.ARN = f.field(rec, a.arn).String()
	}
	f.encode(row, rec)
	return row, tx.Insert(ctx, row)
}

// checkRoom enforces, before a create, that the name is free under the
// parent and that the quota has room.
func (f *family[T]) checkRoom(ctx context.Context, s *Service, tx store.Tx, sc scope, parent, name string) error {
	if name != "" {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, f.kind, parent, name); err == nil {
			return f.nameTaken(parent, name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if f.quota == nil {
		return nil
	}
	quota := f.quota(s.quotas)
	n, err := tx.Count(ctx, sc.account, sc.region, f.kind, parent)
	if err != nil {
		return err
	}
	if n >= quota {
		if f.full != nil {
			return f.full(parent, quota)
		}
		plural := f.plural
		if plural == "" {
			plural = f.noun + "s"
		}
		where := "this account and region"
		if parent != "" {
			where = "'" + parent + "'"
		}
		return awserr.QuotaExceeded("You have reached the maximum of %d %s in %s.", quota, plural, where)
	}
	return nil
}

func (f *family[T]) nameTaken(parent, name string) error {
	if f.taken != nil {
		return f.taken(parent, name)
	}
	return nameTaken(f.noun, name)
}

// get reads one resource and projects it on Out.
func get[Out, T any](ctx context.Context, s *Service, f *family[T], parent, id string) (*Out, error) {
	sc := scopeOf(ctx)
	var rec *T
	err := s.readRepeatable(ctx, func(tx store.Tx) error {
		var err error
		_, rec, err = f.load(ctx, tx, sc, parent, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return members.Project[Out](rec), nil
}

// update changes one resource: the members the request sets replace the
// record's (patch), then change, when given, applies the family's own
// rules. A resource in a transitional or frozen status is not changed.
func update[Out, T any](ctx context.Context, s *Service, f *family[T], parent, id string, from any,
	change func(tx store.Tx, sc scope, row *store.Resource, rec *T) error) (*Out, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*Out, error) {
		row, rec, err := f.load(ctx, tx, sc, parent, id)
		if err != nil {
			return nil, err
		}
		if status := f.status(rec); f.transitional(status) || slices.Contains(f.states.frozen, status) {
			if f.busy != nil {
				return nil, f.busy(id, status)
			}
			return nil, awserr.Conflict("%s '%s' is %s and cannot be updated now.", strings.ToUpper(f.noun[:1])+f.noun[1:], id, status)
		}
		if from != nil {
			members.Patch(rec, from)
		}
		if change != nil {
			if err := change(tx, sc, row, rec); err != nil {
				return nil, err
			}
		}
		status := f.states.update
		if status == "" {
			status = f.status(rec)
		}
		if err := f.enter(ctx, s, tx, row, rec, status, s.now().UTC()); err != nil {
			return nil, err
		}
		return members.Project[Out](rec), nil
	})
}

// remove deletes one resource: through the family's deleting status when it
// has one (a repeated delete answers the same), at once otherwise.
func remove[Out, T any](ctx context.Context, s *Service, f *family[T], parent, id string) (*Out, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*Out, error) {
		row, rec, err := f.load(ctx, tx, sc, parent, id)
		if err != nil {
			return nil, err
		}
		deleting := f.states.delete
		if deleting != "" && f.status(rec) == deleting && f.transitional(deleting) {
			return members.Project[Out](rec), nil
		}
		if f.beforeDelete != nil {
			if err := f.beforeDelete(ctx, tx, sc, row, rec); err != nil {
				return nil, err
			}
		}
		now := s.now().UTC()
		if f.transitional(deleting) {
			if err := f.enter(ctx, s, tx, row, rec, deleting, now); err != nil {
				return nil, err
			}
			return members.Project[Out](rec), nil
		}
		if deleting != "" {
			f.setStatus(rec, deleting, "", now)
		}
		if err := s.removeResource(ctx, tx, row); err != nil {
			return nil, err
		}
		return members.Project[Out](rec), nil
	})
}

// listing is what a List* request asks: the rows under parent (or the one
// named name), a page of them, and optionally only those keep accepts.
type listing[T any] struct {
	parent, name string
	maxResults   *int64
	nextToken    string
	keep         func(*T) bool
	// anyParent lists nothing under a missing parent instead of answering
	// the family's parentExists error.
	anyParent bool
}

// answerPage makes a List* answer Out of one page, as list returns it:
// Out's one member of type []S holds the entries (never nil: an empty page
// is sent as []) and NextToken the token. A List* operation is then
// return answerPage[api.ListXResponse](list[api.XSummary](ctx, s, f, listing{...})).
func answerPage[Out, S any](items []S, next string, err error) (*Out, error) {
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []S{}
	}
	var out Out
	v := reflect.ValueOf(&out).Elem()
	v.FieldByName("NextToken").SetString(next)
	for i := range v.NumField() {
		if v.Type().Field(i).Type == reflect.TypeFor[[]S]() {
			v.Field(i).Set(reflect.ValueOf(items))
			return &out, nil
		}
	}
	panic(fmt.Sprintf("answerPage: %T has no member of type []%T", out, *new(S))) // a programming error: every List* is tested
}

// list answers one page of listing entries S, projected from the records
// (or read from the stored entries when the family keeps them).
func list[S, T any](ctx context.Context, s *Service, f *family[T], l listing[T]) ([]S, string, error) {
	sc := scopeOf(ctx)
	items := []S{}
	var next string
	err := s.read(ctx, func(tx store.Tx) error {
		if l.parent != "" && f.parentExists != nil && !l.anyParent {
			if err := f.parentExists(ctx, tx, sc, l.parent); err != nil {
				return err
			}
		}
		rows, token, err := f.page(ctx, s, tx, sc, l)
		if err != nil {
			return err
		}
		next = token
		for _, r := range rows {
			if f.summary != nil && l.keep == nil {
				var item S
				if err := decodeSummary(r, &item); err != nil {
					return err
				}
				items = append(items, item)
				continue
			}
			var rec T
			if err := decodeDoc(r, &rec); err != nil {
				return err
			}
			items = append(items, *members.Project[S](&rec))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return items, next, nil
}

func (f *family[T]) page(ctx context.Context, s *Service, tx store.Tx, sc scope, l listing[T]) ([]*store.Resource, string, error) {
	switch {
	case l.name != "":
		// Names are unique, so the filtered listing is one page of at most
		// one resource; a token can only point past it.
		if l.nextToken != "" {
			_, err := s.decodePageToken(sc, l.nextToken, f.kind, l.parent)
			return nil, "", err
		}
		r, err := tx.GetByName(ctx, sc.account, sc.region, f.kind, l.parent, l.name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		if l.keep != nil {
			var rec T
			if err := decodeDoc(r, &rec); err != nil || !l.keep(&rec) {
				return nil, "", err
			}
		}
		return []*store.Resource{r}, "", nil
	case l.keep != nil:
		return s.pageKeeping(ctx, tx, sc, f.kind, l.parent, l.maxResults, f.listLimit, l.nextToken, func(r *store.Resource) (bool, error) {
			var rec T
			if err := decodeDoc(r, &rec); err != nil {
				return false, err
			}
			return l.keep(&rec), nil
		})
	case f.summary != nil:
		return s.summaryPage(ctx, tx, sc, f.kind, l.parent, l.maxResults, f.listLimit, l.nextToken)
	}
	return s.page(ctx, tx, sc, f.kind, l.parent, l.maxResults, f.listLimit, l.nextToken)
}
