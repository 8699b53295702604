package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// Where the key comes from, first match wins:
//
//  1. env AGENTCORED_SECRETS_KEY: base64 of 32 bytes;
//  2. a key file: Source.KeyFile (flag --secrets-key-file), else env
//     AGENTCORED_SECRETS_KEY_FILE, else <data-dir>/secrets.key; a missing file
//     is created with a fresh random key, mode 0600;
//  3. with PostgreSQL (no data dir) and neither of the above: a random key
//     kept in the store's meta table, shared by every instance.
//
// Option 3 is a convenience with a real cost: the key sits in the same
// database as the ciphertext, so anyone holding a dump of that database can
// decrypt every secret. It still keeps secrets out of query results, logs and
// resource documents, and it needs no setup for a cluster of instances.
// Production deployments on PostgreSQL should pass the key through the
// environment or a key file that every instance shares.
const (
	EnvKey             = "AGENTCORED_SECRETS_KEY"
	EnvKeyFile         = "AGENTCORED_SECRETS_KEY_FILE"
	DefaultKeyFileName = "secrets.key"
	MetaKey            = "secrets-key"
)

// MetaStore keeps the key when no other source is configured (store.Store
// satisfies it).
type MetaStore interface {
	PutMetaIfAbsent(ctx context.Context, key string, value []byte) ([]byte, error)
}

// Source says where to look for the key.
type Source struct {
	// KeyFile is an explicit key file; "" for the default.
	KeyFile string
	// DataDir holds the default key file; "" when the store is PostgreSQL.
	DataDir string
	// Meta holds the key when there is neither a key file nor a data dir.
	Meta MetaStore
	// Getenv reads the environment; os.Getenv when nil.
	Getenv func(string) string
}

// Load finds or creates the key and returns a Box for it, with a short
// description of where the key came from (never the key itself).
func Load(ctx context.Context, src Source) (*Box, string, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(EnvKey); v != "" {
		key, err := decodeKey([]byte(v))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvKey, err)
		}
		box, err := New(key)
		return box, "env " + EnvKey, err
	}
	path := src.KeyFile
	if path == "" {
		path = getenv(EnvKeyFile)
	}
	if path == "" && src.DataDir != "" {
		path = filepath.Join(src.DataDir, DefaultKeyFileName)
	}
	if path != "" {
		key, err := loadKeyFile(path)
		if err != nil {
			return nil, "", err
		}
		box, err := New(key)
		return box, "file " + path, err
	}
	if src.Meta == nil {
		return nil, "", errors.New("secrets: no key source (set " + EnvKey + ", a key file or a data dir)")
	}
	fresh, err := NewKey()
	if err != nil {
		return nil, "", err
	}
	key, err := src.Meta.PutMetaIfAbsent(ctx, MetaKey, fresh)
	if err != nil {
		return nil, "", fmt.Errorf("secrets: store key in database: %w", err)
	}
	box, err := New(key)
	if err != nil {
		return nil, "", fmt.Errorf("secrets: key stored in database: %w", err)
	}
	return box, "database meta table", nil
}

// decodeKey reads base64 (standard or URL alphabet, padded or not) of 32 bytes.
func decodeKey(text []byte) ([]byte, error) {
	s := string(bytes.TrimSpace(text))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("key must be base64 of %d bytes, got %d bytes", KeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("key is not valid base64")
}

// loadKeyFile reads the key file at path, creating it with a fresh key when
// it does not exist.
func loadKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	fresh, err := NewKey()
	if err != nil {
		return nil, err
	}
	created, err := createKeyFile(path, fresh)
	if err != nil {
		return nil, err
	}
	if !created { // another process created it first: use theirs
		return readKeyFile(path)
	}
	slog.Info("generated a new secrets key", "file", path)
	return fresh, nil
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		slog.Warn("secrets key file is readable by other users; chmod 600 it", "file", path, "mode", info.Mode().Perm().String())
	}
	key, err := decodeKey(b)
	if err != nil {
		return nil, fmt.Errorf("secrets key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes the key to a temporary file, syncs it, and links it
// into place, so the key file is either absent or complete, never partly
// written, and an existing file is never replaced. It reports false when
// path already existed.
func createKeyFile(path string, key []byte) (bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("secrets: create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".secrets-key-*") // mode 0600
	if err != nil {
		return false, fmt.Errorf("secrets: write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	text := base64.StdEncoding.EncodeToString(key) + "\n"
	_, werr := tmp.WriteString(text)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return false, fmt.Errorf("secrets: write key file: %w", werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("secrets: write key file %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the new name durable
		d.Sync()
		d.Close()
	}
	return true, nil
}
