package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"agentcored/internal/awserr"
)

// SigningName is the service name clients put in the credential scope.
const SigningName = "bedrock-agentcore"

// MaxSkew is how far X-Amz-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// amzDateFormat is the ISO-8601 basic format of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// Wire answers of a failed verification, in AWS's words.
const (
	msgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	msgBadToken     = "The security token included in the request is invalid."
)

var signer = v4.NewSigner()

// Verify checks the SigV4 signature of r against cred at time now. It does
// not reimplement the algorithm: it rebuilds the request from exactly the
// headers the client signed, signs that copy with the stored secret at the
// request's own X-Amz-Date using the SDK's signer, and compares the two
// signatures in constant time.
//
// Known limits of rebuilding through the SDK signer: a client that signed
// one of the headers the SDK never signs (User-Agent, X-Amzn-Trace-Id,
// Expect, Transfer-Encoding) or signed "content-length: 0" does not verify.
// The AWS SDKs and botocore do neither.
func Verify(r *http.Request, body []byte, sig *Signature, cred *Credential, now time.Time) error {
	if sig.Service != SigningName {
		return awserr.Errorf(awserr.CodeInvalidSignature, "Credential should be scoped to correct service: '%s'.", SigningName)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return awserr.Errorf(awserr.CodeIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	signedAt, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return awserr.Errorf(awserr.CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'.", amzDate)
	}
	if err := checkSkew(signedAt, now); err != nil {
		return err
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return awserr.Errorf(awserr.CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}

	token := r.Header.Get("X-Amz-Security-Token")
	if subtle.ConstantTimeCompare([]byte(token), []byte(cred.SessionToken)) != 1 {
		return awserr.Errorf(awserr.CodeUnrecognizedClient, "%s", msgBadToken)
	}

	// The copy carries the signed headers only; the signer adds host,
	// content-length (when non-zero), X-Amz-Date and the token itself. It
	// shares r.URL's RawPath, so the signer escapes the escaped path once
	// more, exactly as the client's signer did (non-S3 services).
	u := *r.URL
	c := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	for _, h := range sig.SignedHeaders {
		switch h {
		case "host":
		case "content-length":
			c.ContentLength = r.ContentLength
		case "x-amz-security-token":
			creds.SessionToken = token
		default:
			if v := r.Header.Values(h); len(v) > 0 {
				c.Header[textproto.CanonicalMIMEHeaderKey(h)] = v
			}
		}
	}
	if c.Host == "" {
		c.Host = r.URL.Host
	}
	if err := signer.SignHTTP(context.Background(), creds, c, payloadHash, sig.Service, sig.Region, signedAt); err != nil {
		return err
	}
	want, err := ParseAuthorization(c.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(want.Signature), []byte(sig.Signature)) {
		return awserr.Errorf(awserr.CodeInvalidSignature, "%s", msgBadSignature)
	}
	return nil
}

// checkSkew rejects a signature made more than MaxSkew away from now.
func checkSkew(signedAt, now time.Time) error {
	now = now.UTC()
	if earliest := now.Add(-MaxSkew); signedAt.Before(earliest) {
		return awserr.Errorf(awserr.CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signedAt.Format(amzDateFormat), earliest.Format(amzDateFormat), now.Format(amzDateFormat))
	}
	if latest := now.Add(MaxSkew); signedAt.After(latest) {
		return awserr.Errorf(awserr.CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signedAt.Format(amzDateFormat), latest.Format(amzDateFormat), now.Format(amzDateFormat))
	}
	return nil
}
