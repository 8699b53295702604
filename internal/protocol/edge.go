package protocol

import (
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"agentcored/internal/awserr"
)

// The edge: what a request target must be before anything routes it. SDKs
// send one canonical form (every path segment percent-encoded except the
// RFC 3986 unreserved characters, a well-formed query string); anything else
// is refused with 400 ValidationException (reason CannotParse) and changes
// nothing. ValidationException is modeled on every operation of both planes,
// so every SDK decodes it as a typed error. See docs/ARCHITECTURE.md, "The
// edge: what a request must be".

// CheckPath refuses an escaped request path that is not canonical: it must
// start with "/", have no empty segment (a trailing slash is fine), no "."
// or ".." segment (encoded or not), only well-formed percent escapes, no
// escaped unreserved character (%41 for "A": SDKs never send one, and it
// would make two spellings of one route), and decode to valid UTF-8. A
// percent-encoded "/" (%2F) is fine: ARN labels carry it inside one segment.
func CheckPath(escaped string) *awserr.Error {
	if !strings.HasPrefix(escaped, "/") {
		return cannotParse("The request path must start with '/'.")
	}
	segs := strings.Split(escaped[1:], "/")
	for i, seg := range segs {
		if seg == "" {
			if i == len(segs)-1 {
				continue // trailing slash (or the root "/")
			}
			return cannotParse("The request path has an empty segment ('//').")
		}
		u, err := url.PathUnescape(seg)
		if err != nil {
			return cannotParse("The request path has a malformed percent-encoding in segment '" + printable(seg) + "'.")
		}
		if u == "." || u == ".." {
			return cannotParse("The request path has a '" + u + "' segment; send the path without dot segments.")
		}
		if !utf8.ValidString(u) {
			return cannotParse("The request path segment '" + printable(seg) + "' does not decode to valid UTF-8.")
		}
		if hasEscapedUnreserved(seg) {
			return cannotParse("The request path segment '" + printable(seg) + "' percent-encodes an unreserved character (A-Z a-z 0-9 - . _ ~); send it as is.")
		}
	}
	return nil
}

// hasEscapedUnreserved reports a %XX escape of an RFC 3986 unreserved
// character in an escaped segment (already checked well-formed).
func hasEscapedUnreserved(seg string) bool {
	for i := 0; i+2 < len(seg); i++ {
		if seg[i] != '%' {
			continue
		}
		c := unhex(seg[i+1])<<4 | unhex(seg[i+2])
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			return true
		}
		i += 2
	}
	return false
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

// ParseQuery parses a raw query string strictly, where url.ParseQuery (and
// r.URL.Query(), which ignores its error) drop what they cannot parse: a
// malformed percent-encoding, a ';' separator, an empty parameter name or a
// name or value that is not UTF-8 is an error naming the parameter. Empty
// pieces ("a=1&&b=2", a trailing '&') are skipped. A name without '=' has
// the empty value.
func ParseQuery(raw string) (url.Values, *awserr.Error) {
	v := url.Values{}
	if raw == "" {
		return v, nil
	}
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		if strings.Contains(piece, ";") {
			return nil, cannotParse("The query string parameter '" + printable(piece) + "' contains ';': separate parameters with '&' and percent-encode ';' as %3B.")
		}
		rawKey, rawValue, _ := strings.Cut(piece, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil || !utf8.ValidString(key) {
			return nil, cannotParse("The query string parameter name '" + printable(rawKey) + "' has a malformed percent-encoding.")
		}
		if key == "" {
			return nil, cannotParse("The query string has a parameter without a name ('" + printable(piece) + "').")
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil || !utf8.ValidString(value) {
			return nil, cannotParse("The value of query string parameter '" + printable(key) + "' has a malformed percent-encoding.")
		}
		v[key] = append(v[key], value)
	}
	return v, nil
}

// CheckJSONContentType refuses a Content-Type that does not say JSON for a
// body the model says is JSON: application/json, any application/*+json
// and the AWS application/x-amz-json-1.0 and -1.1, with at most a UTF-8
// charset. A missing Content-Type is accepted (curl and hand-written
// clients), the body must still parse as JSON.
func CheckJSONContentType(ct string) *awserr.Error {
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return cannotParse("The Content-Type header '" + printable(ct) + "' could not be parsed.")
	}
	switch {
	case mt == "application/json", mt == "application/x-amz-json-1.0", mt == "application/x-amz-json-1.1",
		strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"):
	default:
		return cannotParse("The Content-Type '" + printable(mt) + "' is not supported: this operation's body is JSON (application/json).")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return cannotParse("The charset '" + printable(cs) + "' is not supported: JSON bodies are UTF-8.")
	}
	return nil
}

// printable bounds text echoed in an error message and keeps it valid
// UTF-8 (the message itself is JSON).
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
