package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// pageToken is where the next page starts. It travels signed, bound to the
// caller's account and region and to the listing it came from, so it cannot
// be forged or replayed elsewhere.
type pageToken struct {
	Kind   string `json:"k"`
	Parent string `json:"p,omitempty"`
	Seq    int64  `json:"s"`
}

func loadTokenKey(ctx context.Context, st store.Store) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return st.PutMetaIfAbsent(ctx, "pagination-token-key", key)
}

func (s *Service) tokenMAC(sc scope, payload string) string {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte(sc.account + "\x00" + sc.region + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

func (s *Service) encodePageToken(sc scope, t pageToken) string {
	b, _ := json.Marshal(t)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + s.tokenMAC(sc, payload)
}

func invalidToken() error {
	return awserr.Validation("1 validation error detected: Value at 'nextToken' failed to satisfy constraint: Invalid pagination token")
}

// decodePageToken reads the seq a page starts after: 0 (the first page)
// for no token, or the one a token of this kind and parent names.
func (s *Service) decodePageToken(sc scope, token, kind, parent string) (int64, error) {
	if token == "" {
		return 0, nil
	}
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.tokenMAC(sc, payload))) {
		return 0, invalidToken()
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return 0, invalidToken()
	}
	var t pageToken
	if json.Unmarshal(b, &t) != nil || t.Kind != kind || t.Parent != parent {
		return 0, invalidToken()
	}
	return t.Seq, nil
}

// page lists one page of a kind under a parent, in creation order. It returns
// the next token, or "" on the last page (never an empty-string token on
// the wire: callers omit it).
func (s *Service) page(ctx context.Context, tx store.Tx, sc scope, kind, parent string, maxResults *int64, defaultMax int, nextToken string) ([]*store.Resource, string, error) {
	return s.pageOf(ctx, tx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kind, ParentID: parent}, sc, maxResults, defaultMax, nextToken)
}

// summaryPage is page for a family whose documents carry a listing entry
// (summarizer): the rows hold Summary instead of Doc.
func (s *Service) summaryPage(ctx context.Context, tx store.Tx, sc scope, kind, parent string, maxResults *int64, defaultMax int, nextToken string) ([]*store.Resource, string, error) {
	return s.pageOf(ctx, tx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kind, ParentID: parent, SummaryOnly: true}, sc, maxResults, defaultMax, nextToken)
}

func (s *Service) pageOf(ctx context.Context, tx store.Tx, q store.ListQuery, sc scope, maxResults *int64, defaultMax int, nextToken string) ([]*store.Resource, string, error) {
	kind, parent := q.Kind, q.ParentID
	limit := intValue(maxResults, defaultMax)
	after, err := s.decodePageToken(sc, nextToken, kind, parent)
	if err != nil {
		return nil, "", err
	}
	q.AfterSeq, q.Limit = after, limit+1
	rows, err := tx.List(ctx, q)
	if err != nil {
		return nil, "", err
	}
	if len(rows) <= limit {
		return rows, "", nil
	}
	rows = rows[:limit]
	return rows, s.encodePageToken(sc, pageToken{Kind: kind, Parent: parent, Seq: rows[len(rows)-1].Seq}), nil
}

// decodeSummary reads the listing entry of a row from a summary page: its
// stored entry or, for a row stored before entries were, its document. The
// entry's members carry the same wire names as the document's, so either
// decodes into it (summary_test.go checks that the ways agree).
func decodeSummary(r *store.Resource, sum any) error {
	b := r.Summary
	if b == nil {
		b = r.Doc
	}
	if err := json.Unmarshal(b, sum); err != nil {
		return fmt.Errorf("decode %s %s summary: %w", r.Kind, r.ID, err)
	}
	return nil
}
