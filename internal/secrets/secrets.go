// Package secrets encrypts secret values (API keys, OAuth2 client secrets,
// payment provider keys) before they reach the store, with AES-256-GCM under
// one server-wide key. The store only ever holds ciphertext.
//
// Sealed format: version byte (1) || 12-byte random nonce || GCM ciphertext
// and tag. The version byte is authenticated too, so it cannot be swapped.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// version is the first byte of every sealed value. A new key scheme (e.g.
// rotation with several key ids) would take a new value.
const version byte = 1

const nonceSize = 12

// ErrOpen is returned when a sealed value cannot be opened: it was altered,
// sealed under another key, or with other associated data.
var ErrOpen = errors.New("secrets: message authentication failed")

// Box seals and opens secret values under one key. It is safe for
// concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCMWithNonceSize(block, nonceSize)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// NewKey returns a fresh random key.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, nil
}

// Seal encrypts plaintext. associatedData is authenticated but not stored:
// callers bind a value to where it lives (e.g. the owning resource's ARN) so
// that a ciphertext moved to another row does not open.
func (b *Box) Seal(plaintext, associatedData []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+b.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, err
	}
	return b.aead.Seal(out, out[1:1+nonceSize], plaintext, additional(associatedData)), nil
}

// Open decrypts a value made by Seal with the same key and associated data.
func (b *Box) Open(sealed, associatedData []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+b.aead.Overhead() {
		return nil, ErrOpen
	}
	if sealed[0] != version {
		return nil, fmt.Errorf("secrets: unknown sealed-value version %d", sealed[0])
	}
	plain, err := b.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], additional(associatedData))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// additional prefixes the caller's associated data with the version byte.
func additional(ad []byte) []byte {
	out := make([]byte, 0, 1+len(ad))
	return append(append(out, version), ad...)
}

// Ephemeral returns a Box under a new random key that lives as long as the
// process (a service built without one: tests).
func Ephemeral() *Box {
	key, err := NewKey()
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	box, err := New(key)
	if err != nil {
		panic(err)
	}
	return box
}
