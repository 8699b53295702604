package auth

import (
	"strings"
	"testing"
)

// FuzzParseAuthorization: the parser never panics, and whatever it accepts
// is complete enough for Verify to use.
func FuzzParseAuthorization(f *testing.F) {
	seeds := []string{
		// aws-sdk-go-v2
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250601/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=accept-encoding;amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date, Signature=0f6a3c5e1b4f0d1e2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382716050",
		// botocore
		"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250601/eu-west-1/bedrock-agentcore/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=abcdef",
		// no spaces after commas
		"AWS4-HMAC-SHA256 Credential=A/20250601/r/s/aws4_request,SignedHeaders=host,Signature=00",
		"AWS4-HMAC-SHA256 Credential=/20250601/r/s/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 SignedHeaders=;, Signature=",
		"AWS4-HMAC-SHA256 ",
		"AWS4-HMAC-SHA256",
		"Basic dXNlcjpwYXNz",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		sig, err := ParseAuthorization(header)
		if err != nil {
			if sig != nil {
				t.Fatalf("both a signature and an error for %q", header)
			}
			return
		}
		if sig.AccessKeyID == "" || sig.Signature == "" || len(sig.SignedHeaders) == 0 {
			t.Fatalf("accepted an incomplete header %q: %+v", header, sig)
		}
		if strings.Contains(sig.AccessKeyID, "/") {
			t.Fatalf("access key %q contains the scope separator", sig.AccessKeyID)
		}
		for _, h := range sig.SignedHeaders {
			if h == "" {
				t.Fatalf("empty signed header name in %q", header)
			}
		}
	})
}
