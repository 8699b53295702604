package service

import (
	"context"
	"errors"
	"time"

	"agentcored/internal/store"
)

// singleton is a resource of which each account and region has exactly one,
// named id, that exists without being created (the token vault, the agent
// insight store): its row is written the first time it is read or changed,
// so that its creation time stays put. It has no create, delete or list of
// its own, so it is not a family of the engine.
type singleton[T any] struct {
	kind, id string
	arnPath  string // the ARN's resource part before the id
	// initial is the record of the first touch.
	initial func(arn string, now time.Time) *T
	// status is the row's status for a record; nil when it has none.
	status func(*T) string
	// crossed is the error when changes keep crossing; storeError's
	// ConflictException when nil.
	crossed error
}

// get answers the record, writing its first row when it has none.
func (g *singleton[T]) get(ctx context.Context, s *Service) (*T, error) {
	var rec *T
	err := s.read(ctx, func(tx store.Tx) (err error) {
		_, rec, err = loadDoc[T](ctx, tx, scopeOf(ctx).key(g.kind, g.id), func() error { return store.ErrNotFound })
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		return rec, storeError(err)
	}
	return changeSingleton(ctx, s, g, nil, func(rec *T) *T { return rec })
}

// changeSingleton applies change (nil: none) to the record, written first
// when it is new, through mutate, and answers what answer makes of the
// result. Two first touches that race, or two changes that cross, go again.
func changeSingleton[Out, T any](ctx context.Context, s *Service, g *singleton[T], change func(rec *T, now time.Time) error, answer func(*T) *Out) (*Out, error) {
	sc := scopeOf(ctx)
	for attempt := 0; ; attempt++ {
		out, err := mutate(ctx, s, func(tx store.Tx) (*Out, error) {
			now := s.now().UTC()
			row, rec, err := loadDoc[T](ctx, tx, sc.key(g.kind, g.id), func() error { return store.ErrNotFound })
			switch {
			case errors.Is(err, store.ErrNotFound):
				arn := sc.arn(g.arnPath + g.id)
				rec = g.initial(arn, now)
				row = &store.Resource{Account: sc.account, Region: sc.region, Kind: g.kind, ID: g.id, Name: g.id, ARN: arn, CreatedAt: now, UpdatedAt: now}
			case err != nil:
				return nil, err
			case change == nil:
				return answer(rec), nil // someone else wrote it meanwhile
			}
			if change != nil {
				if err := change(rec, now); err != nil {
					return nil, err
				}
				row.UpdatedAt = now
			}
			if g.status != nil {
				row.Status = g.status(rec)
			}
			row.Doc = encodeDoc(rec)
			if row.Revision == 0 {
				err = tx.Insert(ctx, row)
			} else {
				err = tx.Update(ctx, row)
			}
			return answer(rec), err
		})
		raced := errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrRevision)
		switch {
		case raced && attempt < 3:
			continue
		case raced && g.crossed != nil:
			err = g.crossed
		}
		return out, storeError(err)
	}
}
