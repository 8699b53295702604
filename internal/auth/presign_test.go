package auth

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"agentcored/internal/awserr"
)

// presignedWire presigns a GET of target as a client does and reads it
// back from the wire as the server does.
func presignedWire(t *testing.T, target, secret, token, payload string, at time.Time, tamper func(string) string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testCred.AccessKeyID, SecretAccessKey: secret, SessionToken: token}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payload, SigningName, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		signed = tamper(signed)
	}
	requestURI := strings.TrimPrefix(signed, "http://example.com")
	raw := "GET " + requestURI + " HTTP/1.1\r\nHost: example.com\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuthenticatePresigned(t *testing.T) {
	const arnPath = "http://example.com/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A111122223333%3Aruntime%2Fa-1/ws"
	withToken := &Credential{AccessKeyID: testCred.AccessKeyID, SecretAccessKey: testCred.SecretAccessKey, AccountID: testCred.AccountID, SessionToken: "tok"}
	cases := []struct {
		name     string
		cred     *Credential
		target   string
		secret   string
		token    string
		payload  string
		at       time.Time
		tamper   func(string) string
		wantCode string // "" = verified
	}{
		{name: "valid, unsigned payload", target: arnPath + "?qualifier=DEFAULT&X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD"},
		{name: "valid, empty-body hash", target: arnPath + "?X-Amz-Expires=300", payload: emptyPayloadHash},
		{name: "valid, session token", cred: withToken, target: arnPath + "?X-Amz-Expires=300", token: "tok", payload: "UNSIGNED-PAYLOAD"},
		{name: "session token missing", cred: withToken, target: arnPath + "?X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD", wantCode: awserr.CodeUnrecognizedClient},
		{name: "wrong secret", target: arnPath + "?X-Amz-Expires=300", secret: "other", payload: "UNSIGNED-PAYLOAD", wantCode: awserr.CodeInvalidSignature},
		{name: "query changed", target: arnPath + "?qualifier=DEFAULT&X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD",
			tamper: func(s string) string { return strings.Replace(s, "qualifier=DEFAULT", "qualifier=PROD", 1) }, wantCode: awserr.CodeInvalidSignature},
		{name: "path changed", target: arnPath + "?X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD",
			tamper: func(s string) string { return strings.Replace(s, "a-1", "a-2", 1) }, wantCode: awserr.CodeInvalidSignature},
		{name: "expired", target: arnPath + "?X-Amz-Expires=60", payload: "UNSIGNED-PAYLOAD", at: testNow.Add(-2 * time.Minute), wantCode: awserr.CodeAccessDenied},
		{name: "no expiry", target: arnPath, payload: "UNSIGNED-PAYLOAD", wantCode: awserr.CodeIncompleteSignature},
		{name: "expiry too long", target: arnPath + "?X-Amz-Expires=604801", payload: "UNSIGNED-PAYLOAD", wantCode: awserr.CodeIncompleteSignature},
		{name: "signed in the future", target: arnPath + "?X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD", at: testNow.Add(time.Hour), wantCode: awserr.CodeInvalidSignature},
		{name: "no signature", target: arnPath + "?X-Amz-Expires=300", payload: "UNSIGNED-PAYLOAD",
			tamper: func(s string) string { return s[:strings.Index(s, "&X-Amz-Signature=")] }, wantCode: awserr.CodeIncompleteSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cred := tc.cred
			if cred == nil {
				cred = testCred
			}
			secret := tc.secret
			if secret == "" {
				secret = cred.SecretAccessKey
			}
			at := tc.at
			if at.IsZero() {
				at = testNow
			}
			r := presignedWire(t, tc.target, secret, tc.token, tc.payload, at, tc.tamper)
			if !IsPresigned(r.URL.Query()) {
				t.Fatal("IsPresigned: false for a presigned URL")
			}
			a := New(Strict, "123456789012", "us-east-1", []Credential{*cred})
			a.Now = func() time.Time { return testNow }
			id, err := a.AuthenticatePresigned(r)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("AuthenticatePresigned: %v", err)
				}
				if id.Account != cred.AccountID || id.Region != "us-east-1" {
					t.Errorf("identity %+v", id)
				}
				return
			}
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != tc.wantCode {
				t.Fatalf("error %v, want %s", err, tc.wantCode)
			}
			// Permissive mode takes the credential scope as it is.
			a.Mode = Permissive
			if tc.wantCode == awserr.CodeInvalidSignature || tc.wantCode == awserr.CodeAccessDenied {
				if _, err := a.AuthenticatePresigned(r); err != nil {
					t.Errorf("permissive: %v", err)
				}
			}
		})
	}
}

func TestIsPresigned(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, "http://example.com/runtimes/x/ws?qualifier=DEFAULT", nil)
	if IsPresigned(r.URL.Query()) {
		t.Error("a URL without X-Amz-* parameters is not presigned")
	}
}
