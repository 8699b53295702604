package protocol

import (
	"net/url"
	"sort"
	"strings"

	"agentcored/internal/model"
)

// Router matches method + raw escaped path against the model's URI templates.
// Labels are matched per segment after unescaping, so a percent-encoded ARN
// (with %2F inside) stays one label. A trailing slash is optional on both
// sides; nothing ever redirects.
type Router struct {
	routes map[routeKey][]route
}

type routeKey struct {
	method   string
	segments int
}

type route struct {
	op       int // index into model.Operations
	segments []segment
	literals int
}

type segment struct {
	literal string
	label   string // member location name when the segment is a label
}

// NewRouter compiles every operation's URI template.
func NewRouter() *Router {
	r := &Router{routes: map[routeKey][]route{}}
	for i := range model.Operations {
		op := &model.Operations[i]
		var rt route
		rt.op = i
		for _, s := range splitPath(op.URI) {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				rt.segments = append(rt.segments, segment{label: strings.TrimSuffix(strings.Trim(s, "{}"), "+")})
			} else {
				rt.segments = append(rt.segments, segment{literal: s})
				rt.literals++
			}
		}
		k := routeKey{op.Method, len(rt.segments)}
		r.routes[k] = append(r.routes[k], rt)
	}
	// Most literal segments first, so /policy-engine-summaries/{id} never
	// loses to a template whose label would also match.
	for k := range r.routes {
		rs := r.routes[k]
		sort.SliceStable(rs, func(a, b int) bool { return rs[a].literals > rs[b].literals })
	}
	return r
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Match returns the operation index and its label values, or ok=false. A
// label that does not unescape cleanly does not match.
func (r *Router) Match(method, escapedPath string) (op int, labels map[string]string, ok bool) {
	raw := splitPath(escapedPath)
	candidates := r.routes[routeKey{method, len(raw)}]
	if len(candidates) == 0 {
		return 0, nil, false
	}
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return 0, nil, false
		}
		segs[i] = u
	}
next:
	for _, rt := range candidates {
		for i, s := range rt.segments {
			if s.label == "" && s.literal != segs[i] {
				continue next
			}
		}
		labels = make(map[string]string, len(rt.segments)-rt.literals)
		for i, s := range rt.segments {
			if s.label != "" {
				labels[s.label] = segs[i]
			}
		}
		return rt.op, labels, true
	}
	return 0, nil, false
}

// PathExists reports whether any method serves the path, to tell an unknown
// path from a known path with the wrong method in error messages.
func (r *Router) PathExists(escapedPath string) bool {
	for _, m := range []string{"GET", "PUT", "POST", "DELETE", "PATCH"} {
		if _, _, ok := r.Match(m, escapedPath); ok {
			return true
		}
	}
	return false
}
