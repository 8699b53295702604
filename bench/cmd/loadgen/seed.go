package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"agentcored/bench/seed"
	"agentcored/internal/store"
)

// seedSQLiteDir writes n runtimes straight into the SQLite store of a
// stopped agentcored (see package seed): the fast way to 100,000 runtimes
// in one account, which the API's per-account quota would not allow.
func seedSQLiteDir(ctx context.Context, dir string, n int, account, region string) error {
	if n < 1 {
		return errors.New("-seed-sqlite needs -seed N with N >= 1")
	}
	start := time.Now()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := seed.Runtimes(ctx, st, n, account, region); err != nil {
		return err
	}
	fmt.Fprintf(logOut, "seeded %d runtimes into %s in %.1fs\n", n, dir, time.Since(start).Seconds())
	return nil
}
