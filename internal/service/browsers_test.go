package service

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/lifecycle"
	"agentcored/internal/reqctx"
	"agentcored/internal/store"
)

// TestSandboxReconcilersRunTwice runs each reconciler twice on the same row,
// at every transition, and checks the second run changes nothing.
func TestSandboxReconcilersRunTwice(t *testing.T) {
	ctx := reqctx.With(context.Background(), &reqctx.Info{Account: "123456789012", Region: "us-east-1"})
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := New(ctx, st, Options{Lifecycle: lifecycle.New(st, lifecycle.PolicyManual, 0)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBrowser(ctx, &api.CreateBrowserRequest{Name: "twice", NetworkConfiguration: &api.BrowserNetworkConfiguration{NetworkMode: api.BrowserNetworkModePublic}})
	if err != nil {
		t.Fatal(err)
	}
	ci, err := s.CreateCodeInterpreter(ctx, &api.CreateCodeInterpreterRequest{Name: "twice", NetworkConfiguration: &api.CodeInterpreterNetworkConfiguration{NetworkMode: api.CodeInterpreterNetworkModeSandbox}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		key       store.Key
		reconcile lifecycle.Reconciler
		remove    func() error
	}{
		{store.Key{Account: "123456789012", Region: "us-east-1", Kind: kindBrowser, ID: b.BrowserId}, s.lifecycle.ReconcilerOf(kindBrowser), func() error {
			_, err := s.DeleteBrowser(ctx, &api.DeleteBrowserRequest{BrowserId: b.BrowserId})
			return err
		}},
		{store.Key{Account: "123456789012", Region: "us-east-1", Kind: kindCodeInterpreter, ID: ci.CodeInterpreterId}, s.lifecycle.ReconcilerOf(kindCodeInterpreter), func() error {
			_, err := s.DeleteCodeInterpreter(ctx, &api.DeleteCodeInterpreterRequest{CodeInterpreterId: ci.CodeInterpreterId})
			return err
		}},
	}
	// runTwice reconciles the row twice and returns its status ("" once gone).
	runTwice := func(key store.Key, fn lifecycle.Reconciler) (string, error) {
		status := ""
		err := st.Write(ctx, func(tx store.Tx) error {
			for i := 0; i < 2; i++ {
				r, err := tx.Get(ctx, key)
				if errors.Is(err, store.ErrNotFound) {
					status = ""
					return nil
				}
				if err != nil {
					return err
				}
				if i == 1 && r.Status != status {
					return fmt.Errorf("row changed between runs: %s then %s", status, r.Status)
				}
				if err := fn(ctx, tx, r, time.Now()); err != nil {
					return err
				}
				if r, err = tx.Get(ctx, key); err == nil {
					status = r.Status
				} else if errors.Is(err, store.ErrNotFound) {
					status = ""
				} else {
					return err
				}
			}
			return nil
		})
		return status, err
	}
	for _, k := range kinds {
		if got, err := runTwice(k.key, k.reconcile); err != nil || got != "READY" {
			t.Fatalf("%s after create: %q, %v; want READY", k.key.Kind, got, err)
		}
		if err := k.remove(); err != nil {
			t.Fatal(err)
		}
		if got, err := runTwice(k.key, k.reconcile); err != nil || got != "" {
			t.Fatalf("%s after delete: %q, %v; want gone", k.key.Kind, got, err)
		}
	}
}
