package auth

import (
	"context"
	"crypto/hmac"
	"crypto/subtle"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"agentcored/internal/awserr"
)

// Presigned URLs: SigV4 in the query string (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature, X-Amz-Security-Token). AgentCore accepts them for the
// runtime WebSocket (a browser cannot set headers on a WebSocket); the
// AgentCore SDKs make them with botocore's SigV4QueryAuth, which signs the
// payload as UNSIGNED-PAYLOAD.

// maxPresignExpires is SigV4's longest presigned URL lifetime (7 days).
const maxPresignExpires = 7 * 24 * 3600

// unsignedPayload is the payload hash of a presigned request.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// IsPresigned reports whether the query carries a SigV4 query signature.
func IsPresigned(q url.Values) bool {
	return q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "" || q.Get("X-Amz-Algorithm") != ""
}

// AuthenticatePresigned identifies the caller of a presigned request, as
// Authenticate does for a signed one: in strict mode the signature is
// verified and the URL must not have expired; in permissive mode the
// credential scope names the account and region.
func (a *Authenticator) AuthenticatePresigned(r *http.Request) (*Identity, error) {
	q := r.URL.Query()
	incomplete := func(msg string) error { return awserr.Errorf(awserr.CodeIncompleteSignature, "%s", msg) }
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return nil, incomplete("X-Amz-Algorithm must be AWS4-HMAC-SHA256.")
	}
	scope := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" {
		return nil, incomplete("X-Amz-Credential must have the form <key>/<date>/<region>/<service>/aws4_request.")
	}
	sig := &Signature{AccessKeyID: scope[0], Date: scope[1], Region: scope[2], Service: scope[3],
		Signature: q.Get("X-Amz-Signature")}
	if h := q.Get("X-Amz-SignedHeaders"); h != "" {
		sig.SignedHeaders = strings.Split(h, ";")
	}
	if sig.Signature == "" || len(sig.SignedHeaders) == 0 {
		return nil, incomplete("A presigned URL requires X-Amz-SignedHeaders and X-Amz-Signature.")
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
		return nil, awserr.Errorf(awserr.CodeUnrecognizedClient, "%s", msgBadToken)
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	if err := VerifyPresigned(r, sig, cred, now()); err != nil {
		return nil, err
	}
	return id, nil
}

// VerifyPresigned checks the query signature of r against cred at time
// now, the way Verify checks a header signature: it rebuilds the request
// without the signature, presigns it with the stored secret at the URL's
// own X-Amz-Date with the SDK's signer, and compares in constant time.
func VerifyPresigned(r *http.Request, sig *Signature, cred *Credential, now time.Time) error {
	if sig.Service != SigningName {
		return awserr.Errorf(awserr.CodeInvalidSignature, "Credential should be scoped to correct service: '%s'.", SigningName)
	}
	q := r.URL.Query()
	amzDate := q.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return awserr.Errorf(awserr.CodeIncompleteSignature, "X-Amz-Date must be in ISO-8601 'basic format'. Got '%s'.", amzDate)
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || expires < 1 || expires > maxPresignExpires {
		return awserr.Errorf(awserr.CodeIncompleteSignature, "X-Amz-Expires must be a number of seconds from 1 to %d.", maxPresignExpires)
	}
	if now.After(signedAt.Add(time.Duration(expires) * time.Second)) {
		return awserr.Errorf(awserr.CodeAccessDenied, "Request has expired: the presigned URL was valid for %d seconds from %s.", expires, amzDate)
	}
	if signedAt.After(now.Add(MaxSkew)) {
		return checkSkew(signedAt, now)
	}
	token := q.Get("X-Amz-Security-Token")
	if subtle.ConstantTimeCompare([]byte(token), []byte(cred.SessionToken)) != 1 {
		return awserr.Errorf(awserr.CodeUnrecognizedClient, "%s", msgBadToken)
	}

	// The copy: the query without what the signer adds itself, and the
	// signed headers only.
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"} {
		q.Del(k)
	}
	u := *r.URL
	u.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: token}
	header := http.Header{}
	for _, h := range sig.SignedHeaders {
		if h == "host" {
			continue
		}
		if v := r.Header.Values(h); len(v) > 0 {
			header[textproto.CanonicalMIMEHeaderKey(h)] = v
		}
	}
	// botocore presigns with UNSIGNED-PAYLOAD; a client that hashed the
	// empty body instead is accepted too.
	for _, payload := range []string{unsignedPayload, emptyPayloadHash} {
		c := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: header.Clone()}
		if c.Host == "" {
			c.Host = r.URL.Host
		}
		signed, _, err := signer.PresignHTTP(context.Background(), creds, c, payload, sig.Service, sig.Region, signedAt,
			func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
		if err != nil {
			return err
		}
		su, err := url.Parse(signed)
		if err != nil {
			return err
		}
		if hmac.Equal([]byte(su.Query().Get("X-Amz-Signature")), []byte(sig.Signature)) {
			return nil
		}
	}
	return awserr.Errorf(awserr.CodeInvalidSignature, "%s", msgBadSignature)
}

// emptyPayloadHash is the SHA-256 of an empty body.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
