package main

import (
	"context"
	"strings"
	"testing"

	"agentcored/internal/testserver"
)

// TestExample runs the example against a real server, so it keeps working.
func TestExample(t *testing.T) {
	srv := testserver.Start(t)
	var out strings.Builder
	if err := run(context.Background(), srv.URL, &out); err != nil {
		t.Fatalf("example failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{"created go_example_", "status READY", "tags example=go, stage=demo", "listed ", "deleted "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
