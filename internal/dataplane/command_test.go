package dataplane

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
	"agentcored/internal/service"
)

// collect runs a command and returns its events folded into stdout,
// stderr, the stop event and the order in which kinds arrived.
func collect(t *testing.T, tg *service.RuntimeTarget, session, command string, timeout time.Duration) (stdout, stderr string, stop *dpapi.ContentStopEvent, kinds []string) {
	t.Helper()
	err := runCommand(context.Background(), tg, session, command, timeout, func(c *dpapi.ResponseChunk) bool {
		switch {
		case c.ContentStart != nil:
			kinds = append(kinds, "start")
		case c.ContentDelta != nil:
			stdout += c.ContentDelta.Stdout
			stderr += c.ContentDelta.Stderr
			kinds = append(kinds, "delta")
		case c.ContentStop != nil:
			stop = c.ContentStop
			kinds = append(kinds, "stop")
		}
		return true
	})
	if err != nil {
		t.Fatalf("runCommand %q: %v", command, err)
	}
	if stop == nil || kinds[0] != "start" || kinds[len(kinds)-1] != "stop" {
		t.Fatalf("%q: events %v", command, kinds)
	}
	return
}

func TestRunCommand(t *testing.T) {
	commandRoot = t.TempDir()
	tg := &service.RuntimeTarget{RuntimeID: "rt-abcdefghij", Config: api.GetAgentRuntimeResponse{
		EnvironmentVariables: map[string]string{"GREETING": "hello"}}}
	for _, c := range []struct {
		command, stdout, stderr string
		exit                    int64
		status                  dpapi.CommandExecutionStatus
		timeout                 time.Duration
	}{
		{"echo hi; echo err >&2; exit 3", "hi\n", "err\n", 3, dpapi.CommandExecutionStatusCompleted, time.Minute},
		{`echo "$GREETING"`, "hello\n", "", 0, dpapi.CommandExecutionStatusCompleted, time.Minute},
		{`printf 'caf\303\251'`, "café", "", 0, dpapi.CommandExecutionStatusCompleted, time.Minute},
		{"kill -TERM $$", "", "", 128 + 15, dpapi.CommandExecutionStatusCompleted, time.Minute},
		{"echo before; sleep 30; echo after", "before\n", "", timedOutExitCode, dpapi.CommandExecutionStatusTimedOut, time.Second},
	} {
		stdout, stderr, stop, _ := collect(t, tg, "0123456789abcdef0123456789abcdef-s", c.command, c.timeout)
		if stdout != c.stdout || stderr != c.stderr || *stop.ExitCode != c.exit || stop.Status != c.status {
			t.Errorf("%q: stdout %q stderr %q exit %d %s, want %q %q %d %s", c.command, stdout, stderr, *stop.ExitCode, stop.Status,
				c.stdout, c.stderr, c.exit, c.status)
		}
	}
	// The session's directory persists between commands; another session has its own.
	collect(t, tg, "0123456789abcdef0123456789abcdef-s", "echo kept > f.txt", time.Minute)
	if out, _, _, _ := collect(t, tg, "0123456789abcdef0123456789abcdef-s", "cat f.txt; pwd", time.Minute); !strings.HasPrefix(out, "kept\n"+commandRoot) {
		t.Errorf("same session: %q", out)
	}
	if out, _, _, _ := collect(t, tg, "another/../session-0123456789abcdef0123", "cat f.txt 2>/dev/null || echo none", time.Minute); out != "none\n" {
		t.Errorf("other session: %q", out)
	}
	// Agentcored's own environment does not leak.
	os.Setenv("AGENTCORED_SECRET_FOR_TEST", "leak")
	defer os.Unsetenv("AGENTCORED_SECRET_FOR_TEST")
	if out, _, _, _ := collect(t, tg, "0123456789abcdef0123456789abcdef-s", `echo "[$AGENTCORED_SECRET_FOR_TEST]"`, time.Minute); out != "[]\n" {
		t.Errorf("agentcored's environment reached the command: %q", out)
	}
	// Every directory stays under the root.
	filepath.WalkDir(commandRoot, func(path string, d os.DirEntry, err error) error {
		if strings.Contains(path, "..") {
			t.Errorf("directory %s", path)
		}
		return nil
	})
}

// TestRunCommandCallerGone: emit returning false kills the command.
func TestRunCommandCallerGone(t *testing.T) {
	commandRoot = t.TempDir()
	tg := &service.RuntimeTarget{RuntimeID: "rt-abcdefghij"}
	marker := filepath.Join(t.TempDir(), "done")
	err := runCommand(context.Background(), tg, "0123456789abcdef0123456789abcdef-s", "echo x; sleep 20; touch "+marker, time.Minute,
		func(c *dpapi.ResponseChunk) bool { return c.ContentStart != nil })
	if err != nil {
		t.Fatal(err)
	}
	// Had it not been killed, runCommand would have waited for it to touch the marker.
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the command ran on after the caller went away")
	}
}

func TestSplitUTF8(t *testing.T) {
	for in, want := range map[string][2]string{"abc": {"abc", ""}, "caf\xc3": {"caf", "\xc3"}, "\xe2\x82": {"", "\xe2\x82"}, "é": {"é", ""}, "": {"", ""}} {
		a, b := splitUTF8([]byte(in))
		if string(a) != want[0] || string(b) != want[1] {
			t.Errorf("%q: %q %q", in, a, b)
		}
	}
}
