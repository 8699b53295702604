package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newBox(t *testing.T) *Box {
	t.Helper()
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSecretsSealOpen(t *testing.T) {
	b := newBox(t)
	ad := []byte("arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/p#apiKey")
	for _, plain := range []string{"", "x", "sk-THIS-IS-A-SECRET-12345", strings.Repeat("z", 65536)} {
		sealed, err := b.Seal([]byte(plain), ad)
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != version {
			t.Errorf("version byte = %d, want %d", sealed[0], version)
		}
		// Short plaintexts occur in random bytes by chance; only long ones
		// showing up would mean they were not encrypted.
		if len(plain) >= 8 && bytes.Contains(sealed, []byte(plain)) {
			t.Errorf("sealed value contains the plaintext")
		}
		got, err := b.Open(sealed, ad)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if string(got) != plain {
			t.Errorf("round trip of %d bytes gave %d bytes", len(plain), len(got))
		}
	}
}

func TestSecretsSealUsesFreshNonces(t *testing.T) {
	b := newBox(t)
	x, _ := b.Seal([]byte("same"), nil)
	y, _ := b.Seal([]byte("same"), nil)
	if bytes.Equal(x, y) {
		t.Fatal("two seals of the same plaintext are identical")
	}
}

func TestSecretsOpenRejects(t *testing.T) {
	b := newBox(t)
	ad := []byte("owner-a")
	sealed, err := b.Seal([]byte("secret value"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		box    *Box
		sealed []byte
		ad     []byte
	}{
		{"tampered nonce", b, flip(1), ad},
		{"tampered ciphertext", b, flip(1 + nonceSize), ad},
		{"tampered tag", b, flip(len(sealed) - 1), ad},
		{"truncated", b, sealed[:len(sealed)-1], ad},
		{"too short", b, sealed[:5], ad},
		{"empty", b, nil, ad},
		{"wrong associated data", b, sealed, []byte("owner-b")},
		{"missing associated data", b, sealed, nil},
		{"wrong key", newBox(t), sealed, ad},
		{"unknown version", b, flip(0), ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.box.Open(tt.sealed, tt.ad); err == nil {
				t.Fatalf("Open succeeded with %q", got)
			}
		})
	}
}

func TestSecretsNewRejectsBadKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func noEnv(string) string { return "" }

func TestSecretsLoadCreatesKeyFileAndReusesIt(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, origin, err := Load(ctx, Source{DataDir: dir, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DefaultKeyFileName)
	if !strings.Contains(origin, path) {
		t.Errorf("origin = %q, want it to name %s", origin, path)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %v, want 0600", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only the key file (temporary file left behind?)", len(entries))
	}
	sealed, err := first.Seal([]byte("survives restarts"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}

	// A restart loads the same key: what was sealed before still opens.
	second, _, err := Load(ctx, Source{DataDir: dir, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	got, err := second.Open(sealed, []byte("ad"))
	if err != nil || string(got) != "survives restarts" {
		t.Fatalf("Open after reload = %q, %v", got, err)
	}
}

func TestSecretsLoadConcurrentFirstStartsAgree(t *testing.T) {
	dir := t.TempDir()
	boxes := make([]*Box, 4)
	var wg sync.WaitGroup
	for i := range boxes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _, err := Load(context.Background(), Source{DataDir: dir, Getenv: noEnv})
			if err != nil {
				t.Error(err)
			}
			boxes[i] = b
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	sealed, _ := boxes[0].Seal([]byte("v"), nil)
	for i, b := range boxes {
		if _, err := b.Open(sealed, nil); err != nil {
			t.Errorf("instance %d got another key: %v", i, err)
		}
	}
}

func TestSecretsLoadSourcesInOrder(t *testing.T) {
	ctx := context.Background()
	envKey, _ := NewKey()
	fileKey, _ := NewKey()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "custom.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(fileKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envFileKey, _ := NewKey()
	envFile := filepath.Join(dir, "from-env.key")
	if err := os.WriteFile(envFile, []byte(base64.RawURLEncoding.EncodeToString(envFileKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	meta := &fakeMeta{}

	tests := []struct {
		name string
		src  Source
		want []byte
	}{
		{"env key wins over everything", Source{KeyFile: keyFile, DataDir: dir, Meta: meta,
			Getenv: env(map[string]string{EnvKey: base64.StdEncoding.EncodeToString(envKey), EnvKeyFile: envFile})}, envKey},
		{"explicit key file wins over env key file", Source{KeyFile: keyFile, DataDir: dir, Meta: meta,
			Getenv: env(map[string]string{EnvKeyFile: envFile})}, fileKey},
		{"env key file wins over data dir", Source{DataDir: dir, Meta: meta, Getenv: env(map[string]string{EnvKeyFile: envFile})}, envFileKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box, _, err := Load(ctx, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := New(tt.want)
			sealed, _ := want.Seal([]byte("p"), nil)
			if _, err := box.Open(sealed, nil); err != nil {
				t.Errorf("loaded another key than expected: %v", err)
			}
		})
	}
	if meta.calls != 0 {
		t.Errorf("the meta table was used although a key file was given")
	}
}

func TestSecretsLoadRejectsBadKeys(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte(base64.StdEncoding.EncodeToString(make([]byte, 16))), 0o600)
	garbage := filepath.Join(dir, "garbage.key")
	os.WriteFile(garbage, []byte("not base64 !!!"), 0o600)
	tests := []struct {
		name string
		src  Source
	}{
		{"env key too short", Source{Getenv: func(k string) string {
			if k == EnvKey {
				return base64.StdEncoding.EncodeToString(make([]byte, 31))
			}
			return ""
		}}},
		{"env key not base64", Source{Getenv: func(k string) string {
			if k == EnvKey {
				return "%%%"
			}
			return ""
		}}},
		{"key file too short", Source{KeyFile: short, Getenv: noEnv}},
		{"key file garbage", Source{KeyFile: garbage, Getenv: noEnv}},
		{"no source at all", Source{Getenv: noEnv}},
		{"meta holds a bad key", Source{Meta: &fakeMeta{stored: []byte("short")}, Getenv: noEnv}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Load(context.Background(), tt.src); err == nil {
				t.Fatal("Load succeeded")
			}
		})
	}
}

type fakeMeta struct {
	mu     sync.Mutex
	stored []byte
	calls  int
}

func (m *fakeMeta) PutMetaIfAbsent(_ context.Context, key string, value []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if key != MetaKey {
		return nil, errors.New("unexpected meta key " + key)
	}
	if m.stored == nil {
		m.stored = bytes.Clone(value)
	}
	return m.stored, nil
}

func TestSecretsLoadFromMetaWithoutDataDir(t *testing.T) {
	meta := &fakeMeta{}
	ctx := context.Background()
	a, origin, err := Load(ctx, Source{Meta: meta, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(origin, "database") {
		t.Errorf("origin = %q", origin)
	}
	// A second instance on the same database gets the same key.
	b, _, err := Load(ctx, Source{Meta: meta, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := a.Seal([]byte("shared"), nil)
	if got, err := b.Open(sealed, nil); err != nil || string(got) != "shared" {
		t.Fatalf("second instance cannot open: %q, %v", got, err)
	}
}
