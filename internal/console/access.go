package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/auth"
)

// The console's access rule is the admin API's (server.adminOnly): open in
// permissive mode; in strict mode only a key the server knows, whose
// identity policy (if any) allows the admin action. A browser cannot sign
// requests with SigV4, so the person signs in once with the key's id and
// secret and gets a signed session cookie naming the key; every request
// then looks the key up again and shows that key's account only.

const (
	cookieName = "agentcored_console"
	sessionTTL = 12 * time.Hour
)

// viewer is who is looking: the account and region whose resources the
// console shows, and the access key signed in with ("" in permissive mode).
type viewer struct {
	Account, Region, AccessKey string
}

// sessions issues and checks session cookies with a key made at start (a
// restart signs everyone out).
type sessions struct {
	key []byte
	now func() time.Time
}

func newSessions() *sessions {
	k := make([]byte, 32)
	rand.Read(k)
	return &sessions{key: k, now: time.Now}
}

func (s *sessions) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// issue makes the cookie value for an access key: key id, expiry, MAC.
func (s *sessions) issue(accessKey string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(accessKey)) + "." + strconv.FormatInt(s.now().Add(sessionTTL).Unix(), 10)
	return payload + "." + s.mac(payload)
}

// check returns the access key a cookie value names, if it is genuine and
// not expired.
func (s *sessions) check(value string) (string, bool) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return "", false
	}
	payload, mac := value[:i], value[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.mac(payload))) {
		return "", false
	}
	keyPart, expPart, ok := strings.Cut(payload, ".")
	if !ok {
		return "", false
	}
	exp, err := strconv.ParseInt(expPart, 10, 64)
	if err != nil || s.now().Unix() > exp {
		return "", false
	}
	key, err := base64.RawURLEncoding.DecodeString(keyPart)
	if err != nil {
		return "", false
	}
	return string(key), true
}

// allowed reports whether a credential may use the console (the admin rule).
func allowed(c *auth.Credential) bool {
	return c != nil && (c.Policy == nil || c.Policy.Allows(AdminAction, "*"))
}

// AdminAction is the action a key's policy must allow (server.AdminAction).
const AdminAction = "agentcored:Admin"

// signIn checks an access key id and secret; it answers the credential or
// a message for the person.
func (h *Handler) signIn(keyID, secret string) (*auth.Credential, string) {
	c, ok := h.opts.Lookup(keyID)
	if !ok || subtle.ConstantTimeCompare([]byte(c.SecretAccessKey), []byte(secret)) != 1 {
		return nil, "The access key id or secret access key is wrong."
	}
	if !allowed(c) {
		return nil, "This access key is not allowed " + AdminAction + "."
	}
	return c, ""
}

// who is the viewer of a request, or false when strict mode needs a sign-in.
func (h *Handler) who(r *http.Request) (viewer, bool) {
	v := viewer{Account: h.opts.Account, Region: h.opts.Region}
	if c, err := r.Cookie(regionCookie); err == nil && validRegion(c.Value) {
		v.Region = c.Value
	}
	if !h.opts.Strict {
		return v, true
	}
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return v, false
	}
	keyID, ok := h.sessions.check(ck.Value)
	if !ok {
		return v, false
	}
	c, ok := h.opts.Lookup(keyID)
	if !ok || !allowed(c) {
		return v, false
	}
	v.Account, v.AccessKey = c.AccountID, keyID
	return v, true
}

const regionCookie = "agentcored_console_region"

// validRegion accepts region names such as us-east-1.
func validRegion(s string) bool {
	if len(s) < 4 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
