package service

import (
	"bytes"
	"context"
	"testing"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/lifecycle"
	"agentcored/internal/store"
)

func TestWorkloadTokenKeyIsStableAndSealed(t *testing.T) {
	s, st := testService(t, lifecycle.PolicyImmediate)
	ctx := context.Background()
	k1, err := s.WorkloadTokenKey(ctx)
	if err != nil || len(k1) != 32 {
		t.Fatalf("%x %v", k1, err)
	}
	k2, err := s.WorkloadTokenKey(ctx)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("second read: %x %v", k2, err)
	}
	stored, err := st.GetMeta(ctx, metaWorkloadKey)
	if err != nil || bytes.Contains(stored, k1) {
		t.Errorf("the stored key is not sealed: %x %v", stored, err)
	}
}

// rowsHold reports whether any stored row's document contains text.
func rowsHold(t *testing.T, st store.Store, text string) bool {
	t.Helper()
	found := false
	err := st.Read(context.Background(), func(tx store.Tx) error {
		rows, err := tx.ListAll(context.Background())
		for _, r := range rows {
			found = found || bytes.Contains(r.Doc, []byte(text))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestVaultTokensAndSessionsSealed(t *testing.T) {
	s, st := testService(t, lifecycle.PolicyImmediate)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	key := VaultKey{Workload: "w", User: "alice", Provider: "p", Scopes: []string{"a", "b"}}
	if _, ok, err := s.GetVaultToken(ctx, "1", "r", key); ok || err != nil {
		t.Fatalf("empty vault: %v %v", ok, err)
	}
	tok := VaultToken{AccessToken: "ACCESS-secret-1", RefreshToken: "REFRESH-secret-1", ExpiresAt: exp}
	for range 2 { // insert, then replace
		if err := s.PutVaultToken(ctx, "1", "r", key, tok); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.GetVaultToken(ctx, "1", "r", key)
	if err != nil || !ok || got != tok {
		t.Errorf("vault token: %+v %v %v", got, ok, err)
	}
	for _, other := range []VaultKey{{Workload: "w", User: "bob", Provider: "p", Scopes: []string{"a", "b"}}, {Workload: "w", User: "alice", Provider: "p"}} {
		if _, ok, _ := s.GetVaultToken(ctx, "1", "r", other); ok {
			t.Errorf("%+v reads alice's token", other)
		}
	}
	if _, ok, _ := s.GetVaultToken(ctx, "2", "r", key); ok {
		t.Error("another account reads the token")
	}

	sess := &OAuth2Session{ID: "sess-1", Account: "1", Region: "r", Workload: "w", User: "alice", Provider: "p",
		CustomState: "STATE-secret", Status: SessionInProgress, CreatedAt: time.Now().UTC(), ExpiresAt: exp}
	if err := s.PutOAuth2Session(ctx, sess); err != nil {
		t.Fatal(err)
	}
	sess.Status, sess.Token = SessionAuthorized, VaultToken{AccessToken: "ACCESS-secret-2"}
	if err := s.PutOAuth2Session(ctx, sess); err != nil {
		t.Fatal(err)
	}
	read, err := s.GetOAuth2Session(ctx, SessionURIPrefix+"sess-1")
	if err != nil || read.Status != SessionAuthorized || read.Token.AccessToken != "ACCESS-secret-2" || read.CustomState != "STATE-secret" || read.User != "alice" {
		t.Errorf("session: %+v %v", read, err)
	}
	if _, err := s.GetOAuth2Session(ctx, "nope"); err == nil || err.(*awserr.Error).Code != awserr.CodeNotFound {
		t.Errorf("unknown session: %v", err)
	}
	for _, secret := range []string{"ACCESS-secret-1", "REFRESH-secret-1", "ACCESS-secret-2", "STATE-secret"} {
		if rowsHold(t, st, secret) {
			t.Errorf("a row holds %q in clear", secret)
		}
	}
	if !rowsHold(t, st, `"user":"alice"`) {
		t.Error("the rows read are not the session's")
	}
}
