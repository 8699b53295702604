// Package auth decides who is calling: it reads the SigV4 Authorization
// header, maps the access key to an account, and takes the region from the
// credential scope. In strict mode it also verifies the signature.
package auth

import (
	"net/http"
	"strings"
	"time"

	"agentcored/internal/awserr"
)

// Modes.
const (
	Permissive = "permissive" // parse the credential scope, don't verify
	Strict     = "strict"     // verify every signature
)

// Default development credentials: the well-known example key pair of the
// AWS documentation. It is always known and maps to the default account
// (--account, 123456789012 unless told otherwise); a credentials file may
// redefine it (e.g. to attach a policy). Clients configured with
//
//	AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
//	AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//
// pass strict mode.
const (
	DefaultAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Credential is one access key the server knows.
type Credential struct {
	AccessKeyID     string  `json:"accessKeyId" yaml:"accessKeyId"`
	SecretAccessKey string  `json:"secretAccessKey" yaml:"secretAccessKey"`
	AccountID       string  `json:"accountId" yaml:"accountId"`
	SessionToken    string  `json:"sessionToken,omitempty" yaml:"sessionToken,omitempty"`
	Policy          *Policy `json:"policy,omitempty" yaml:"policy,omitempty"`
}

// Identity is the authenticated caller.
type Identity struct {
	AccessKeyID string
	Account     string
	Region      string
	Credential  *Credential // nil for keys unknown in permissive mode
}

// Authenticator authenticates requests.
type Authenticator struct {
	Mode           string
	DefaultAccount string
	DefaultRegion  string
	// Now is the clock for the signature's time window; time.Now when nil.
	Now func() time.Time
	// ResourcePolicy, when set, lets Authorize honour resource policies
	// for cross-account requests.
	ResourcePolicy ResourcePolicyFunc
	keys           map[string]*Credential
}

// New builds an authenticator; the default development key is always known.
func New(mode, defaultAccount, defaultRegion string, creds []Credential) *Authenticator {
	a := &Authenticator{Mode: mode, DefaultAccount: defaultAccount, DefaultRegion: defaultRegion, keys: map[string]*Credential{}}
	a.keys[DefaultAccessKeyID] = &Credential{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey, AccountID: defaultAccount}
	for i := range creds {
		c := creds[i]
		if c.AccountID == "" {
			c.AccountID = defaultAccount
		}
		a.keys[c.AccessKeyID] = &c
	}
	return a
}

// Lookup returns the credential of an access key.
func (a *Authenticator) Lookup(accessKeyID string) (*Credential, bool) {
	c, ok := a.keys[accessKeyID]
	return c, ok
}

// Authenticate identifies the caller of r. body is the request body, needed
// to check the payload hash in strict mode.
func (a *Authenticator) Authenticate(r *http.Request, body []byte) (*Identity, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if a.Mode == Strict {
			return nil, awserr.Errorf(awserr.CodeMissingAuth, "Missing Authentication Token")
		}
		return &Identity{AccessKeyID: DefaultAccessKeyID, Account: a.DefaultAccount, Region: a.DefaultRegion, Credential: a.keys[DefaultAccessKeyID]}, nil
	}
	sig, err := ParseAuthorization(header)
	if err != nil {
		if a.Mode == Strict {
			return nil, err
		}
		return &Identity{AccessKeyID: DefaultAccessKeyID, Account: a.DefaultAccount, Region: a.DefaultRegion, Credential: a.keys[DefaultAccessKeyID]}, nil
	}
	cred, known := a.keys[sig.AccessKeyID]
	id := &Identity{AccessKeyID: sig.AccessKeyID, Account: a.DefaultAccount, Region: sig.Region, Credential: cred}
	if known {
		id.Account = cred.AccountID
	}
	if a.Mode != Strict {
		return id, nil
	}
	if !known {
		return nil, awserr.Errorf(awserr.CodeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	if err := Verify(r, body, sig, cred, now()); err != nil {
		return nil, err
	}
	return id, nil
}

// Signature is the parsed Authorization header of a SigV4 request.
type Signature struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization parses "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=a;b, Signature=hex".
func ParseAuthorization(header string) (*Signature, error) {
	incomplete := func(msg string) error {
		return awserr.Errorf(awserr.CodeIncompleteSignature, "%s", msg)
	}
	algo, rest, ok := strings.Cut(header, " ")
	if !ok || algo != "AWS4-HMAC-SHA256" {
		return nil, incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm.")
	}
	var sig Signature
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, incomplete("Authorization header is malformed: " + part)
		}
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" {
				return nil, incomplete("Credential must have the form <key>/<date>/<region>/<service>/aws4_request.")
			}
			sig.AccessKeyID, sig.Date, sig.Region, sig.Service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			sig.SignedHeaders = strings.Split(v, ";")
			for _, h := range sig.SignedHeaders {
				if h == "" {
					return nil, incomplete("SignedHeaders must not contain an empty header name.")
				}
			}
		case "Signature":
			sig.Signature = v
		}
	}
	if sig.AccessKeyID == "" || len(sig.SignedHeaders) == 0 || sig.Signature == "" {
		return nil, incomplete("Authorization header requires Credential, SignedHeaders and Signature.")
	}
	return &sig, nil
}
