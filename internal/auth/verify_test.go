package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"agentcored/internal/awserr"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var testCred = &Credential{AccessKeyID: "AKIATESTKEY000000001", SecretAccessKey: "test-secret", AccountID: "111122223333"}

// clientRequest is what an SDK client would send.
type clientRequest struct {
	method, url, body string
	header            map[string]string
	secret, token     string
	at                time.Time
	service           string
	// afterSign changes the request once signed (tampering).
	afterSign func(r *http.Request)
}

// serve signs the request as a client does, writes it on the wire and reads
// it back as the server does, so the server sees exactly the wire form.
func (c clientRequest) serve(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	if c.method == "" {
		c.method = "POST"
	}
	if c.secret == "" {
		c.secret = testCred.SecretAccessKey
	}
	if c.at.IsZero() {
		c.at = testNow
	}
	if c.service == "" {
		c.service = SigningName
	}
	req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(c.body))
	creds := aws.Credentials{AccessKeyID: testCred.AccessKeyID, SecretAccessKey: c.secret, SessionToken: c.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), c.service, "us-west-2", c.at); err != nil {
		t.Fatal(err)
	}
	if c.afterSign != nil {
		c.afterSign(req)
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(got.Body)
	return got, body.Bytes()
}

func verifyCode(t *testing.T, r *http.Request, body []byte, cred *Credential) string {
	t.Helper()
	sig, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatalf("parse %q: %v", r.Header.Get("Authorization"), err)
	}
	err = Verify(r, body, sig, cred, testNow)
	if err == nil {
		return ""
	}
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("Verify returned a non-API error: %v", err)
	}
	if ae.Status() != 403 {
		t.Fatalf("%s has status %d, want 403", ae.Code, ae.Status())
	}
	return ae.Code + ": " + ae.Message
}

func TestVerify(t *testing.T) {
	const tagsURL = "http://127.0.0.1:4566/tags/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A111122223333%3Aruntime%2Fagent-abcdefghij"
	withToken := *testCred
	withToken.SessionToken = "session-token-1"
	badSig := awserr.CodeInvalidSignature + ": " + msgBadSignature
	badToken := awserr.CodeUnrecognizedClient + ": " + msgBadToken

	tests := []struct {
		name string
		req  clientRequest
		cred *Credential
		want string // "" = verified; else "Code: message" or a prefix of it
	}{
		{name: "escaped ARN path", req: clientRequest{url: tagsURL, body: `{"tags":{"a":"b"}}`}},
		{name: "GET without body", req: clientRequest{method: "GET", url: tagsURL}},
		{name: "DELETE with query list", req: clientRequest{method: "DELETE", url: tagsURL + "?tagKeys=b%20c&tagKeys=a&tagKeys=%2Fx"}},
		{name: "query order and escaping", req: clientRequest{method: "GET", url: "http://h:1/runtimes/?z=1&a=%3A%2F+x&a=0"}},
		{name: "host with default port", req: clientRequest{method: "GET", url: "http://example.com/runtimes/"}},
		{name: "x-amz-content-sha256 sent and right", req: clientRequest{url: tagsURL, body: `{}`,
			header: map[string]string{"X-Amz-Content-Sha256": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}}},
		{name: "unsigned header added later is ignored", req: clientRequest{url: tagsURL, body: `{}`,
			afterSign: func(r *http.Request) { r.Header.Set("X-Extra", "1"); r.Header.Set("User-Agent", "other") }}},
		{name: "session token", req: clientRequest{url: tagsURL, body: `{}`, token: "session-token-1"}, cred: &withToken},

		{name: "wrong secret", req: clientRequest{url: tagsURL, body: `{}`, secret: "not-the-secret"}, want: badSig},
		{name: "tampered body", req: clientRequest{url: tagsURL, body: `{"tags":{"a":"b"}}`,
			afterSign: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader(`{"tags":{"a":"c"}}`)) }}, want: badSig},
		{name: "tampered path", req: clientRequest{url: tagsURL, body: `{}`,
			afterSign: func(r *http.Request) {
				r.URL.Path = strings.Replace(r.URL.Path, "agent-", "agenz-", 1)
				r.URL.RawPath = strings.Replace(r.URL.RawPath, "agent-", "agenz-", 1)
			}}, want: badSig},
		{name: "tampered query", req: clientRequest{method: "GET", url: "http://h:1/runtimes/?a=1",
			afterSign: func(r *http.Request) { r.URL.RawQuery = "a=2" }}, want: badSig},
		{name: "tampered signed header", req: clientRequest{url: tagsURL, body: `{}`,
			afterSign: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }}, want: badSig},
		{name: "wrong service scope", req: clientRequest{url: tagsURL, service: "s3"},
			want: awserr.CodeInvalidSignature + ": Credential should be scoped to correct service: 'bedrock-agentcore'."},
		{name: "content hash header mismatch", req: clientRequest{url: tagsURL, body: `{}`,
			header: map[string]string{"X-Amz-Content-Sha256": strings.Repeat("0", 64)}},
			want: awserr.CodeInvalidSignature + ": The provided 'x-amz-content-sha256' header"},
		{name: "expired", req: clientRequest{url: tagsURL, at: testNow.Add(-20 * time.Minute)},
			want: awserr.CodeInvalidSignature + ": Signature expired: 20250601T114000Z is now earlier than 20250601T114500Z (20250601T120000Z - 15 min.)"},
		{name: "in the future", req: clientRequest{url: tagsURL, at: testNow.Add(16 * time.Minute)},
			want: awserr.CodeInvalidSignature + ": Signature not yet current: 20250601T121600Z is still later than 20250601T121500Z (20250601T120000Z + 15 min.)"},
		{name: "within the window", req: clientRequest{url: tagsURL, at: testNow.Add(-14 * time.Minute)}},
		{name: "missing X-Amz-Date", req: clientRequest{url: tagsURL, afterSign: func(r *http.Request) { r.Header.Del("X-Amz-Date") }},
			want: awserr.CodeIncompleteSignature + ": Authorization header requires existence"},
		{name: "token required, absent", req: clientRequest{url: tagsURL}, cred: &withToken, want: badToken},
		{name: "token required, wrong", req: clientRequest{url: tagsURL, token: "session-token-2"}, cred: &withToken, want: badToken},
		{name: "token sent to a long-term key", req: clientRequest{url: tagsURL, token: "session-token-1"}, want: badToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := tt.cred
			if cred == nil {
				cred = testCred
			}
			r, body := tt.req.serve(t)
			got := verifyCode(t, r, body, cred)
			if tt.want == "" && got != "" || !strings.HasPrefix(got, tt.want) || got == "" && tt.want != "" {
				t.Fatalf("Verify = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	creds := []Credential{*testCred, {AccessKeyID: "AKIANOACCOUNT", SecretAccessKey: "x"}}
	strict := New(Strict, "123456789012", "us-east-1", creds)
	strict.Now = func() time.Time { return testNow }
	permissive := New(Permissive, "123456789012", "us-east-1", creds)
	const url = "http://127.0.0.1:4566/runtimes/"

	signed, body := clientRequest{method: "GET", url: url}.serve(t)
	unknown, _ := clientRequest{method: "GET", url: url, afterSign: func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testCred.AccessKeyID, "AKIAUNKNOWN", 1))
	}}.serve(t)
	unsigned, _ := http.NewRequest("GET", url, nil)
	malformed, _ := http.NewRequest("GET", url, nil)
	malformed.Header.Set("Authorization", "Basic dXNlcjpwYXNz")

	tests := []struct {
		name        string
		a           *Authenticator
		r           *http.Request
		wantCode    string
		wantAccount string
		wantRegion  string
	}{
		{"strict signed", strict, signed, "", "111122223333", "us-west-2"},
		{"strict unsigned", strict, unsigned, awserr.CodeMissingAuth, "", ""},
		{"strict unknown key", strict, unknown, awserr.CodeUnrecognizedClient, "", ""},
		{"strict malformed", strict, malformed, awserr.CodeIncompleteSignature, "", ""},
		{"permissive signed", permissive, signed, "", "111122223333", "us-west-2"},
		{"permissive unsigned", permissive, unsigned, "", "123456789012", "us-east-1"},
		{"permissive unknown key", permissive, unknown, "", "123456789012", "us-west-2"},
		{"permissive malformed", permissive, malformed, "", "123456789012", "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.a.Authenticate(tt.r, body)
			var ae *awserr.Error
			switch {
			case tt.wantCode != "":
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("err = %v, want %s", err, tt.wantCode)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			case id.Account != tt.wantAccount || id.Region != tt.wantRegion:
				t.Fatalf("identity = %+v, want %s/%s", id, tt.wantAccount, tt.wantRegion)
			}
		})
	}
	if c, _ := strict.Lookup("AKIANOACCOUNT"); c.AccountID != "123456789012" {
		t.Errorf("key without accountId maps to %q, want the default account", c.AccountID)
	}
	if c, _ := strict.Lookup(DefaultAccessKeyID); c.SecretAccessKey != DefaultSecretAccessKey || c.AccountID != "123456789012" {
		t.Errorf("default key = %+v", c)
	}
}
