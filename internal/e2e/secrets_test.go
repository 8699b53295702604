package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/awserr"
	"agentcored/internal/secrets"
	"agentcored/internal/server"
	"agentcored/internal/service"
	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

const cpAtRestSecret = "sk-THIS-IS-A-SECRET-12345"

// cpStartOwned starts a server on dir with a store the test closes itself, so
// that the database files can be read after a clean shutdown.
func cpStartOwned(t *testing.T, dir string) (*testserver.Server, store.Store) {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.DataDir = dir
	st, err := server.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return testserver.StartWith(t, cfg, st), st
}

// cpReadDataDir returns every file under dir by name.
func cpReadDataDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[filepath.Base(path)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSecretsEncryptedAtRestAndAfterRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, st := cpStartOwned(t, dir)
	c := srv.Client(t)
	created, err := c.CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("at-rest"), ApiKey: aws.String(cpAtRestSecret),
	})
	if err != nil {
		t.Fatal(err)
	}
	const clientSecret = "client-SECRET-at-rest-67890"
	if _, err := c.CreateOauth2CredentialProvider(ctx, &ctl.CreateOauth2CredentialProviderInput{
		Name: aws.String("oauth-at-rest"), CredentialProviderVendor: types.CredentialProviderVendorTypeGoogleOauth2,
		Oauth2ProviderConfigInput: &types.Oauth2ProviderConfigInputMemberGoogleOauth2ProviderConfig{
			Value: types.GoogleOauth2ProviderConfigInput{ClientId: aws.String("id"), ClientSecret: aws.String(clientSecret)}},
	}); err != nil {
		t.Fatal(err)
	}
	// Check the files both while the server runs (the WAL holds the rows)
	// and after a clean shutdown (checkpointed into the database file).
	checkFiles := func(when string) {
		files := cpReadDataDir(t, dir)
		if _, ok := files[store.SQLiteFile]; !ok {
			t.Fatalf("%s: no %s in the data dir (files: %v)", when, store.SQLiteFile, cpMapKeys(files))
		}
		for name, b := range files {
			for _, secret := range []string{cpAtRestSecret, clientSecret} {
				for _, form := range [][]byte{[]byte(secret), []byte(base64.StdEncoding.EncodeToString([]byte(secret)))} {
					if bytes.Contains(b, form) {
						t.Errorf("%s: %s contains the secret %q in clear (as %q)", when, name, secret, form)
					}
				}
			}
		}
	}
	checkFiles("while running")
	// The check must be able to fail: the provider's name is stored in clear.
	if files := cpReadDataDir(t, dir); !bytes.Contains(bytes.Join(cpMapValues(files), nil), []byte("oauth-at-rest")) {
		t.Fatal("the data dir does not hold the provider at all: the check proves nothing")
	}
	srv.Stop()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	checkFiles("after shutdown")

	info, err := os.Stat(filepath.Join(dir, secrets.DefaultKeyFileName))
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}

	// A new server on the same data dir reads the provider and can still
	// decrypt the secret with the persisted key.
	srv2 := testserver.Start(t, func(c *server.Config) { c.DataDir = dir })
	got, err := srv2.Client(t).GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("at-rest")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.CredentialProviderArn) != aws.ToString(created.CredentialProviderArn) ||
		aws.ToString(got.ApiKeySecretArn.SecretArn) != aws.ToString(created.ApiKeySecretArn.SecretArn) {
		t.Errorf("after restart Get = %+v", got)
	}
	account := cpArnAccount(t, *created.CredentialProviderArn)
	if v, err := srv2.Service().RevealSecret(ctx, account, "us-east-1", service.KindAPIKeyCredentialProvider, "at-rest", "apiKey"); err != nil || v != cpAtRestSecret {
		t.Fatalf("after restart the API key opens as %q, %v", v, err)
	}
	if v, err := srv2.Service().RevealSecret(ctx, account, "us-east-1", service.KindOAuth2CredentialProvider, "oauth-at-rest", "clientSecret"); err != nil || v != clientSecret {
		t.Fatalf("after restart the client secret opens as %q, %v", v, err)
	}
}

func TestSecretsNeedTheirKey(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, st := cpStartOwned(t, dir)
	created, err := srv.Client(t).CreateApiKeyCredentialProvider(ctx, &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("lost-key"), ApiKey: aws.String(cpAtRestSecret),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	st.Close()
	// Without the key file the next start makes a new key: the provider is
	// still there, but its secret cannot be decrypted.
	if err := os.Remove(filepath.Join(dir, secrets.DefaultKeyFileName)); err != nil {
		t.Fatal(err)
	}
	srv2 := testserver.Start(t, func(c *server.Config) { c.DataDir = dir })
	if _, err := srv2.Client(t).GetApiKeyCredentialProvider(ctx, &ctl.GetApiKeyCredentialProviderInput{Name: aws.String("lost-key")}); err != nil {
		t.Fatal(err)
	}
	_, err = srv2.Service().RevealSecret(ctx, cpArnAccount(t, *created.CredentialProviderArn), "us-east-1",
		service.KindAPIKeyCredentialProvider, "lost-key", "apiKey")
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != "DecryptionFailure" {
		t.Fatalf("RevealSecret with another key = %v, want DecryptionFailure", err)
	}
}

func TestSecretsKeyFromConfiguredFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "vault", "agentcored.key")
	srv := testserver.Start(t, func(c *server.Config) { c.DataDir = dir; c.SecretsKeyFile = keyFile })
	if _, err := srv.Client(t).CreateApiKeyCredentialProvider(context.Background(), &ctl.CreateApiKeyCredentialProviderInput{
		Name: aws.String("k"), ApiKey: aws.String(cpAtRestSecret),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keyFile); err != nil {
		t.Errorf("configured key file not created: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, secrets.DefaultKeyFileName)); err == nil {
		t.Errorf("a default key file was created although another was configured")
	}
}

func cpMapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func cpMapValues(m map[string][]byte) [][]byte {
	var out [][]byte
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
