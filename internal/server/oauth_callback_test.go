package server

import (
	"strings"
	"testing"

	"agentcored/internal/dpmodel"
	"agentcored/internal/model"
)

// TestOAuth2CallbackRouteCollidesWithNoOperation: the callback route sits
// before the API planes, so no GET operation of either plane may have a
// path under it.
func TestOAuth2CallbackRouteCollidesWithNoOperation(t *testing.T) {
	prefix := strings.TrimSuffix(strings.TrimPrefix(oauth2CallbackRoute, "GET "), "{id}")
	for _, svc := range []*model.Service{model.Control, dpmodel.Service} {
		for _, op := range svc.Operations {
			path, _, _ := strings.Cut(op.URI, "?")
			if op.Method == "GET" && (strings.HasPrefix(path, prefix) || strings.HasPrefix(prefix, strings.Split(path, "{")[0]) && strings.Contains(path, "{")) {
				t.Errorf("%s: GET %s may collide with %s", op.Name, op.URI, oauth2CallbackRoute)
			}
		}
	}
}
