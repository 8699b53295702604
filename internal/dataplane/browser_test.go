package dataplane

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"agentcored/internal/awserr"
)

func TestReadDevToolsActivePort(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		port          int
		path          string
		ok            bool
	}{
		{"written", "37405\n/devtools/browser/8445c5ce\n", 37405, "/devtools/browser/8445c5ce", true},
		{"half written", "37405\n", 0, "", false},
		{"not a port", "x\n/devtools/browser/1\n", 0, "", false},
		{"absent", "", 0, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.content != "" {
				os.WriteFile(filepath.Join(dir, "DevToolsActivePort"), []byte(tc.content), 0o600)
			}
			port, path, ok := readDevToolsActivePort(dir)
			if port != tc.port || path != tc.path || ok != tc.ok {
				t.Errorf("got %d %q %v, want %d %q %v", port, path, ok, tc.port, tc.path, tc.ok)
			}
		})
	}
}

func TestAutomationEndpoint(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"http://127.0.0.1:4566", "ws://127.0.0.1:4566/browser-streams/aws.browser.v1/sessions/ABC/automation"},
		{"https://agentcore.example", "wss://agentcore.example/browser-streams/aws.browser.v1/sessions/ABC/automation"},
		{"", "ws://127.0.0.1/browser-streams/aws.browser.v1/sessions/ABC/automation"},
	} {
		ctx := context.Background()
		if tc.base != "" {
			ctx = WithBaseURL(ctx, tc.base)
		}
		if got := automationEndpoint(ctx, "aws.browser.v1", "ABC"); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.base, got, tc.want)
		}
	}
}

func TestLookupKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		want keyInfo
	}{
		{"Enter", keyInfo{"Enter", "Enter", 13, "\r"}},
		{"a", keyInfo{"a", "KeyA", 'A', "a"}},
		{"7", keyInfo{"7", "Digit7", '7', "7"}},
		{"F5", keyInfo{"F5", "F5", 0, ""}},
	} {
		if got := lookupKey(tc.name); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestNewBrowserSessionID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newBrowserSessionID()
		if len(id) != 26 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		for _, r := range id {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				t.Fatalf("id %q has %q", id, r)
			}
		}
		seen[id] = true
	}
}

func TestStartWithoutChromium(t *testing.T) {
	m := newBrowserManager(nil, nil)
	m.chromium = func() (string, error) { return "", os.ErrNotExist }
	defer liveInstances.Delete(m.instance)
	_, err := m.start(context.Background(), nil, "aws.browser.v1")
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != awserr.CodeNotImplemented || !strings.Contains(ae.Message, "Chromium") {
		t.Fatalf("got %v, want NotImplementedException naming Chromium", err)
	}
}
