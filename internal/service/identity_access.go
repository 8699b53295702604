package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"agentcored/internal/awserr"
	"agentcored/internal/store"
	"agentcored/internal/vault"
)

// What the identity data plane (internal/dataplane/identity.go) reads and
// keeps through the control plane: workload identities, the secrets of
// credential providers, the key that signs workload access tokens, and the
// token vault's OAuth2 sessions and tokens. Every method takes the account
// and region explicitly: a workload access token names its own, and the
// OAuth2 callback comes from a browser with no AWS credentials at all.
//
// Tokens and secrets never reach the store in clear: the signing key, the
// OAuth2 access tokens and the refresh tokens are sealed with the secrets
// box, bound to the row they live in.

const (
	kindOAuth2Session = "identity-oauth2-session"
	kindVaultToken    = "identity-vault-token"
	metaWorkloadKey   = "workload-token-key"
)

// WorkloadIdentity is what the data plane reads of a workload identity.
type WorkloadIdentity struct {
	Name, ARN string
	// AllowedReturnURLs bound GetResourceOauth2Token's resourceOauth2ReturnUrl.
	AllowedReturnURLs []string
	// LinkedTo is the ARN of the runtime (gateway, ...) that owns a
	// service-linked identity; "" for one the caller created.
	LinkedTo string
}

// LookupWorkloadIdentity reads the workload identity name in account and
// region; ResourceNotFoundException when there is none.
func (s *Service) LookupWorkloadIdentity(ctx context.Context, account, region, name string) (*WorkloadIdentity, error) {
	var rec *identityRecord
	err := s.read(ctx, func(tx store.Tx) (err error) {
		_, rec, err = loadDoc[identityRecord](ctx, tx, store.Key{Account: account, Region: region, Kind: kindWorkloadIdentity, ID: name},
			func() error { return awserr.NotFound("WorkloadIdentity '%s' was not found.", name) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return &WorkloadIdentity{Name: rec.Name, ARN: rec.WorkloadIdentityArn, AllowedReturnURLs: rec.AllowedResourceOauth2ReturnUrls, LinkedTo: rec.LinkedTo}, nil
}

// WorkloadTokenKey is the server-wide key that signs workload access
// tokens: 32 random bytes made on first use, kept sealed in the store's
// meta table so that every instance on the store, and a restarted one,
// verifies the tokens the others issued.
func (s *Service) WorkloadTokenKey(ctx context.Context) ([]byte, error) {
	if k := s.workloadKey.Load(); k != nil {
		return *k, nil
	}
	ad := []byte(metaWorkloadKey)
	sealed, err := s.store.GetMeta(ctx, metaWorkloadKey)
	if errors.Is(err, store.ErrNotFound) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		fresh, sealErr := s.secrets.Seal(key, ad)
		if sealErr != nil {
			return nil, sealErr
		}
		sealed, err = s.store.PutMetaIfAbsent(ctx, metaWorkloadKey, fresh)
	}
	if err != nil {
		return nil, storeError(err)
	}
	key, err := s.secrets.Open(sealed, ad)
	if err != nil {
		return nil, awserr.Errorf("DecryptionFailure", "The workload token key could not be decrypted (another secrets key?).")
	}
	s.workloadKey.Store(&key)
	return key, nil
}

// ResourceAPIKey is the key of the API key credential provider name.
func (s *Service) ResourceAPIKey(ctx context.Context, account, region, name string) (string, error) {
	key, err := s.RevealSecret(ctx, account, region, KindAPIKeyCredentialProvider, name, "apiKey")
	switch {
	case errors.Is(err, vault.ErrNoSecret):
		return "", awserr.Validation("The API key of credential provider '%s' is kept in the customer's own secret, which agentcored cannot read.", name)
	case errors.Is(err, store.ErrNotFound):
		return "", awserr.NotFound("The API key credential provider '%s' was not found.", name)
	}
	return key, storeError(err)
}

// OAuth2Client is what the data plane needs of an OAuth2 credential
// provider to ask its authorization server for tokens.
type OAuth2Client struct {
	Name, ARN, Vendor string
	// CallbackURL is the provider's callbackUrl (…/identities/oauth2/callback/<uuid>).
	CallbackURL  string
	ClientID     string
	ClientSecret string
	// AuthMethod is the clientAuthenticationMethod; "" means CLIENT_SECRET_BASIC.
	AuthMethod string
	// DiscoveryURL, when set, names the OIDC / OAuth metadata document;
	// otherwise the endpoints below are the authorization server's.
	DiscoveryURL                       string
	Issuer, AuthorizationURL, TokenURL string
}

// LookupOAuth2Client reads the OAuth2 credential provider name with its
// client secret in clear.
func (s *Service) LookupOAuth2Client(ctx context.Context, account, region, name string) (*OAuth2Client, error) {
	var rec *credentialRecord
	err := s.read(ctx, func(tx store.Tx) (err error) {
		_, rec, err = loadDoc[credentialRecord](ctx, tx, store.Key{Account: account, Region: region, Kind: KindOAuth2CredentialProvider, ID: name},
			func() error { return awserr.NotFound("The OAuth2 credential provider '%s' was not found.", name) })
		return err
	})
	if err != nil {
		return nil, err
	}
	c := &OAuth2Client{Name: rec.Name, ARN: rec.CredentialProviderArn, Vendor: rec.Vendor, CallbackURL: rec.CallbackUrl}
	var cfgs map[string]struct {
		ClientID       string `json:"clientId"`
		AuthMethod     string `json:"clientAuthenticationMethod"`
		OAuthDiscovery struct {
			DiscoveryURL string `json:"discoveryUrl"`
			Metadata     struct {
				Issuer                string `json:"issuer"`
				AuthorizationEndpoint string `json:"authorizationEndpoint"`
				TokenEndpoint         string `json:"tokenEndpoint"`
			} `json:"authorizationServerMetadata"`
		} `json:"oauthDiscovery"`
	}
	if len(rec.Config) > 0 {
		if err := json.Unmarshal(rec.Config, &cfgs); err != nil {
			return nil, err
		}
	}
	for _, cfg := range cfgs { // a union: one member
		c.ClientID, c.AuthMethod = cfg.ClientID, cfg.AuthMethod
		d := cfg.OAuthDiscovery
		c.DiscoveryURL, c.Issuer = d.DiscoveryURL, d.Metadata.Issuer
		c.AuthorizationURL, c.TokenURL = d.Metadata.AuthorizationEndpoint, d.Metadata.TokenEndpoint
	}
	sec, ok := rec.Secrets["clientSecret"]
	c.ClientSecret, err = vault.Open(s.secrets, rec.CredentialProviderArn, "clientSecret", sec, ok)
	if errors.Is(err, vault.ErrNoSecret) {
		if sec.External() {
			return nil, awserr.Validation("The client secret of OAuth2 credential provider '%s' is kept in the customer's own secret, which agentcored cannot read.", name)
		}
		err = nil // a public client
	}
	return c, err
}

// OAuth2Session is one user-federation authorization: started by
// GetResourceOauth2Token, given its token by the OAuth2 callback, bound to
// the user by CompleteResourceTokenAuth.
type OAuth2Session struct {
	ID               string    `json:"id"`
	Account          string    `json:"account"`
	Region           string    `json:"region"`
	Workload         string    `json:"workload"`
	User             string    `json:"user"`
	Provider         string    `json:"provider"`
	Scopes           []string  `json:"scopes,omitempty"`
	ReturnURL        string    `json:"returnUrl,omitempty"`
	RedirectURI      string    `json:"redirectUri"`
	AuthorizationURL string    `json:"authorizationUrl"`
	CustomState      string    `json:"-"`      // sealed with the tokens
	Status           string    `json:"status"` // IN_PROGRESS, AUTHORIZED, COMPLETED, FAILED
	Failure          string    `json:"failure,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	ExpiresAt        time.Time `json:"expiresAt"`
	// Token is the access token the callback obtained; kept sealed.
	Token VaultToken `json:"-"`
}

// OAuth2 session statuses.
const (
	SessionInProgress = "IN_PROGRESS"
	SessionAuthorized = "AUTHORIZED" // the callback has the token; not yet bound to the user
	SessionCompleted  = "COMPLETED"
	SessionFailed     = "FAILED"
)

// SessionURIPrefix starts every sessionUri (model pattern RequestUri).
const SessionURIPrefix = "urn:ietf:params:oauth:request_uri:"

// VaultToken is an OAuth2 token the token vault holds.
type VaultToken struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time // zero: the server gave no lifetime
}

// storedSession is the session's document: the secret parts sealed.
type storedSession struct {
	OAuth2Session
	Sealed string `json:"sealed,omitempty"`
}

type sealedParts struct {
	CustomState  string    `json:"customState,omitempty"`
	AccessToken  string    `json:"accessToken,omitempty"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	ExpiresAt    time.Time `json:"expiresAt,omitzero"`
}

func (s *Service) sealJSON(v any, ad string) (string, error) {
	b, err := s.secrets.Seal(encodeDoc(v), []byte(ad))
	if err != nil {
		return "", awserr.Errorf("EncryptionFailure", "The token could not be encrypted.")
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func (s *Service) openJSON(sealed, ad string, v any) error {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	var plain []byte
	if err == nil {
		plain, err = s.secrets.Open(raw, []byte(ad))
	}
	if err == nil {
		err = json.Unmarshal(plain, v)
	}
	if err != nil {
		return awserr.Errorf("DecryptionFailure", "The token could not be decrypted.")
	}
	return nil
}

// PutOAuth2Session inserts a new session or replaces a stored one. Its row
// is found by ID alone (the callback knows nothing else): the row's ARN is
// the sessionUri.
func (s *Service) PutOAuth2Session(ctx context.Context, sess *OAuth2Session) error {
	uri := SessionURIPrefix + sess.ID
	sealed, err := s.sealJSON(sealedParts{CustomState: sess.CustomState, AccessToken: sess.Token.AccessToken,
		RefreshToken: sess.Token.RefreshToken, ExpiresAt: sess.Token.ExpiresAt}, uri)
	if err != nil {
		return err
	}
	doc := encodeDoc(storedSession{OAuth2Session: *sess, Sealed: sealed})
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		row, err := tx.GetByARN(ctx, uri)
		if errors.Is(err, store.ErrNotFound) {
			return tx.Insert(ctx, &store.Resource{Account: sess.Account, Region: sess.Region, Kind: kindOAuth2Session, ID: sess.ID,
				ARN: uri, Status: sess.Status, CreatedAt: sess.CreatedAt, UpdatedAt: s.now(), Doc: doc})
		}
		if err != nil {
			return err
		}
		row.Status, row.UpdatedAt, row.Doc = sess.Status, s.now(), doc
		return tx.Update(ctx, row)
	}))
}

// GetOAuth2Session reads the session of a sessionUri (or a bare id), in any
// account; ResourceNotFoundException when there is none.
func (s *Service) GetOAuth2Session(ctx context.Context, sessionURI string) (*OAuth2Session, error) {
	uri := SessionURIPrefix + strings.TrimPrefix(sessionURI, SessionURIPrefix)
	var st storedSession
	err := s.read(ctx, func(tx store.Tx) error {
		row, err := tx.GetByARN(ctx, uri)
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.Kind != kindOAuth2Session) {
			return awserr.NotFound("The session '%s' was not found.", uri)
		}
		if err != nil {
			return err
		}
		return decodeDoc(row, &st)
	})
	if err != nil {
		return nil, err
	}
	var parts sealedParts
	if st.Sealed != "" {
		if err := s.openJSON(st.Sealed, uri, &parts); err != nil {
			return nil, err
		}
	}
	sess := st.OAuth2Session
	sess.CustomState = parts.CustomState
	sess.Token = VaultToken{AccessToken: parts.AccessToken, RefreshToken: parts.RefreshToken, ExpiresAt: parts.ExpiresAt}
	return &sess, nil
}

// VaultKey names one token in the vault: a workload, the user it acts for
// ("" for machine-to-machine tokens), a provider and the scopes asked.
type VaultKey struct {
	Workload, User, Provider string
	Scopes                   []string
}

// id is the row id of a key: a digest, so that user ids and scopes of any
// form make a valid, bounded id.
func (k VaultKey) id() string {
	h := sha256.New()
	for _, part := range append([]string{k.Workload, k.User, k.Provider}, k.Scopes...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

type storedVaultToken struct {
	Workload string   `json:"workload"`
	User     string   `json:"user,omitempty"`
	Provider string   `json:"provider"`
	Scopes   []string `json:"scopes,omitempty"`
	Sealed   string   `json:"sealed"`
}

// PutVaultToken keeps tok for k in account and region, replacing any
// earlier one.
func (s *Service) PutVaultToken(ctx context.Context, account, region string, k VaultKey, tok VaultToken) error {
	key := store.Key{Account: account, Region: region, Kind: kindVaultToken, ID: k.id()}
	sealed, err := s.sealJSON(sealedParts{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt},
		account+"\x00"+region+"\x00"+kindVaultToken+"\x00"+key.ID)
	if err != nil {
		return err
	}
	doc := encodeDoc(storedVaultToken{Workload: k.Workload, User: k.User, Provider: k.Provider, Scopes: k.Scopes, Sealed: sealed})
	return storeError(s.store.Write(ctx, func(tx store.Tx) error {
		row, err := tx.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return tx.Insert(ctx, &store.Resource{Account: account, Region: region, Kind: kindVaultToken, ID: key.ID, Doc: doc})
		}
		if err != nil {
			return err
		}
		row.Doc, row.UpdatedAt = doc, s.now()
		return tx.Update(ctx, row)
	}))
}

// GetVaultToken reads the token kept for k; ok is false when there is none.
func (s *Service) GetVaultToken(ctx context.Context, account, region string, k VaultKey) (tok VaultToken, ok bool, err error) {
	key := store.Key{Account: account, Region: region, Kind: kindVaultToken, ID: k.id()}
	var st storedVaultToken
	err = s.read(ctx, func(tx store.Tx) error {
		row, err := tx.Get(ctx, key)
		if err != nil {
			return err
		}
		return decodeDoc(row, &st)
	})
	if errors.Is(err, store.ErrNotFound) {
		return VaultToken{}, false, nil
	}
	if err != nil {
		return VaultToken{}, false, err
	}
	var parts sealedParts
	if err := s.openJSON(st.Sealed, account+"\x00"+region+"\x00"+kindVaultToken+"\x00"+key.ID, &parts); err != nil {
		return VaultToken{}, false, err
	}
	return VaultToken{AccessToken: parts.AccessToken, RefreshToken: parts.RefreshToken, ExpiresAt: parts.ExpiresAt}, true, nil
}
