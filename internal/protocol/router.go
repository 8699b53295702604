package protocol

import (
	"net/url"
	"slices"
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
	op       int // index into the plane's operations
	segments []segment
	literals int
	// queryInBody: the members the model puts in the query string come in
	// the JSON body instead (an extra route, see extraRoutes).
	queryInBody bool
}

// extraRoute serves an operation on a route its model does not have.
type extraRoute struct {
	method, uri, op string
	queryInBody     bool
}

// extraRoutes are the routes newer SDKs use for operations whose model
// route changed. The Go SDK v1.81.0 lists datasets, their versions and
// their examples with POST .../list and sends maxResults, nextToken and
// datasetVersion in the JSON body; botocore 1.43.67 (the model) and the JS
// SDK use GET with the query string. Both are served.
var extraRoutes = []extraRoute{
	{"POST", "/datasets/list", "ListDatasets", true},
	{"POST", "/datasets/{datasetId}/versions/list", "ListDatasetVersions", true},
	{"POST", "/datasets/{datasetId}/examples/list", "ListDatasetExamples", true},
}

type segment struct {
	literal string
	label   string // member location name when the segment is a label
}

// NewRouter compiles every control-plane operation's URI template, and the
// extra routes.
func NewRouter() *Router { return newRouter(model.Operations[:], extraRoutes) }

// newRouter compiles a plane's URI templates and extra routes; route.op
// indexes ops.
func newRouter(ops []model.Operation, extra []extraRoute) *Router {
	r := &Router{routes: map[routeKey][]route{}}
	for i := range ops {
		r.add(ops[i].Method, ops[i].URI, route{op: i})
	}
	for _, x := range extra {
		i := slices.IndexFunc(ops, func(o model.Operation) bool { return o.Name == x.op })
		if i < 0 {
			panic("extra route for unknown operation " + x.op)
		}
		r.add(x.method, x.uri, route{op: i, queryInBody: x.queryInBody})
	}
	// Most literal segments first, so /policy-engine-summaries/{id} never
	// loses to a template whose label would also match.
	for k := range r.routes {
		rs := r.routes[k]
		sort.SliceStable(rs, func(a, b int) bool { return rs[a].literals > rs[b].literals })
	}
	return r
}

func (r *Router) add(method, uri string, rt route) {
	for _, s := range splitPath(uri) {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			rt.segments = append(rt.segments, segment{label: strings.TrimSuffix(strings.Trim(s, "{}"), "+")})
		} else {
			rt.segments = append(rt.segments, segment{literal: s})
			rt.literals++
		}
	}
	k := routeKey{method, len(rt.segments)}
	r.routes[k] = append(r.routes[k], rt)
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
	rt, labels, ok := r.match(method, escapedPath)
	return rt.op, labels, ok
}

// match is Match answering the route itself.
func (r *Router) match(method, escapedPath string) (route, map[string]string, bool) {
	raw := splitPath(escapedPath)
	candidates := r.routes[routeKey{method, len(raw)}]
	if len(candidates) == 0 {
		return route{}, nil, false
	}
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return route{}, nil, false
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
		labels := make(map[string]string, len(rt.segments)-rt.literals)
		for i, s := range rt.segments {
			if s.label != "" {
				labels[s.label] = segs[i]
			}
		}
		return rt, labels, true
	}
	return route{}, nil, false
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
