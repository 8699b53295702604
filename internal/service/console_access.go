package service

// Read helpers for the web console (internal/console). The console reads
// resources through the operations themselves; these answer what no
// operation does: how many resources of a kind there are, per status.

import (
	"context"

	"agentcored/internal/store"
)

// StatusCounts counts the caller's resources of a top-level kind: the total,
// and per status over at most limit of them (complete is false when there
// were more, so the breakdown covers only the oldest limit). The rows are
// read as listing entries, never whole documents.
func (s *Service) StatusCounts(ctx context.Context, kind string, limit int) (total int, byStatus map[string]int, complete bool, err error) {
	sc := scopeOf(ctx)
	byStatus = map[string]int{}
	err = s.read(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, sc.account, sc.region, kind, "")
		if err != nil {
			return err
		}
		total = n
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kind, Limit: limit, SummaryOnly: true})
		if err != nil {
			return err
		}
		for _, r := range rows {
			status := r.Status
			if status == "" {
				status = "-"
			}
			byStatus[status]++
		}
		complete = len(rows) >= total
		return nil
	})
	return total, byStatus, complete, err
}
