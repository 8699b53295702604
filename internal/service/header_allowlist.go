package service

import (
	"fmt"
	"strings"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
)

// Rules for a runtime's requestHeaderConfiguration.requestHeaderAllowlist
// that the model cannot say, from the developer guide's "Pass custom
// headers to Amazon Bedrock AgentCore Runtime"
// (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-header-allowlist.html,
// current text): at most 20 names; names are valid HTTP header names
// (letters, digits, '-' and '_'), case-insensitive and unique; never
// x-amz-* (SigV4); x-amzn-* only with the legacy
// X-Amzn-Bedrock-AgentCore-Runtime-Custom- prefix; Authorization only on a
// runtime with a customJWTAuthorizer; none of the restricted headers.
const (
	maxAllowlistedHeaders = 20
	customHeaderPrefix    = "x-amzn-bedrock-agentcore-runtime-custom-"
)

// restrictedHeaders is the devguide's restricted-headers table (same URL
// as above), by its categories, lower-cased, plus the headers of the
// runtime service contract that the platform itself sets for the agent
// (runtime-service-contract; the SDK's models.py names the same ones).
var restrictedHeaders = func() map[string]bool {
	groups := [][]string{
		// Authentication & Authorization
		{"Proxy-Authorization", "WWW-Authenticate"},
		// Content negotiation
		{"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Content-Type", "Content-Length",
			"Content-Encoding", "Content-Language", "Content-Location", "Content-Range"},
		// Caching
		{"Cache-Control", "ETag", "Expires", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range",
			"If-Unmodified-Since", "Last-Modified", "Pragma", "Vary"},
		// Connection management
		{"Connection", "Keep-Alive", "Proxy-Connection", "Upgrade"},
		// Request context
		{"Host", "User-Agent", "Referer", "From"},
		// Range / transfer
		{"Range", "Accept-Ranges", "Transfer-Encoding", "TE", "Trailer"},
		// Server information
		{"Server", "Date", "Location", "Retry-After"},
		// Cookies
		{"Cookie", "Set-Cookie"},
		// Security
		{"Content-Security-Policy", "Content-Security-Policy-Report-Only", "Strict-Transport-Security",
			"X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection", "Referrer-Policy", "Permissions-Policy",
			"Cross-Origin-Embedder-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy"},
		// CORS
		{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
			"Access-Control-Allow-Credentials", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
			"Access-Control-Request-Method", "Access-Control-Request-Headers", "Origin"},
		// Client hints
		{"Accept-CH", "Accept-CH-Lifetime", "DPR", "Width", "Viewport-Width", "Downlink", "ECT", "RTT", "Save-Data"},
		// Experimental / proposed
		{"Clear-Site-Data", "Feature-Policy", "Expect-CT", "Public-Key-Pins", "Public-Key-Pins-Report-Only"},
		// Proxy / forwarding
		{"Via", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP",
			"X-Requested-With", "X-CSRF-Token"},
		// IP spoofing / URL manipulation
		{"True-Client-IP", "X-Client-IP", "X-Cluster-Client-IP", "X-Originating-IP", "X-Source-IP",
			"X-Original-URL", "X-Original-Host", "X-Rewrite-URL"},
		// CDN
		{"CF-Ray", "CF-Connecting-IP", "X-Cache", "X-Served-By"},
		// Server push
		{"Link"},
		// WebSocket handshake
		{"Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
			"Sec-WebSocket-Extensions"},
		// The runtime service contract's own headers, set by the platform.
		{"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id",
			"X-Amzn-Bedrock-AgentCore-Runtime-User-Id", "WorkloadAccessToken", "OAuth2CallbackUrl"},
	}
	m := map[string]bool{}
	for _, g := range groups {
		for _, h := range g {
			m[strings.ToLower(h)] = true
		}
	}
	return m
}()

// checkHeaderAllowlist enforces the allowlist rules on the configuration a
// CreateAgentRuntime or UpdateAgentRuntime sets (both replace it whole).
// A broken rule is a ValidationException naming the entry.
func checkHeaderAllowlist(config *api.RequestHeaderConfiguration, authorizer *api.AuthorizerConfiguration) error {
	if config == nil {
		return nil
	}
	names := config.RequestHeaderAllowlist
	if len(names) > maxAllowlistedHeaders {
		return awserr.Validation("1 validation error detected: Value at 'requestHeaderConfiguration.requestHeaderAllowlist' failed to satisfy constraint: Member must have length less than or equal to %d", maxAllowlistedHeaders)
	}
	jwt := authorizer != nil && authorizer.CustomJWTAuthorizer != nil
	seen := map[string]int{}
	for i, name := range names {
		if reason := headerNameRule(name, jwt); reason != "" {
			return allowlistError(i, name, reason)
		}
		lower := strings.ToLower(name)
		if j, dup := seen[lower]; dup {
			return allowlistError(i, name, fmt.Sprintf("Header names are case-insensitive and must be unique; it repeats requestHeaderAllowlist[%d]", j))
		}
		seen[lower] = i
	}
	return nil
}

// headerNameRule is the rule name breaks, or "".
func headerNameRule(name string, jwt bool) string {
	if name == "" {
		return "Header name must not be empty"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "Header name must be a valid HTTP header name (letters, digits, hyphens and underscores)"
		}
	}
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "x-amz-"):
		return "Headers starting with X-Amz- are reserved for SigV4 signing"
	case strings.HasPrefix(lower, "x-amzn-") && !strings.HasPrefix(lower, customHeaderPrefix):
		return "Headers starting with X-Amzn- are not allowed, except those with the prefix X-Amzn-Bedrock-AgentCore-Runtime-Custom-"
	case strings.HasPrefix(lower, customHeaderPrefix) && len(lower) == len(customHeaderPrefix):
		return "Header name must continue after the prefix X-Amzn-Bedrock-AgentCore-Runtime-Custom-"
	case lower == "authorization" && !jwt:
		return "The Authorization header requires the agent runtime to be configured with authorizerConfiguration.customJWTAuthorizer"
	case restrictedHeaders[lower]:
		return "Header is restricted and cannot be configured for propagation"
	}
	return ""
}

func allowlistError(i int, name, reason string) error {
	return awserr.Validation("1 validation error detected: Value '%s' at 'requestHeaderConfiguration.requestHeaderAllowlist[%d]' failed to satisfy constraint: %s", name, i, reason)
}
