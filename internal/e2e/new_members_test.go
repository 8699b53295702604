package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"agentcored/internal/testserver"
)

// nmExceptions are the members that cannot come back from the Get*
// answer by design, with the reason. The script checks secrets against
// their output counterparts itself (xSource, xArn.secretArn, xJsonKey), so
// they are not listed here; nor is HarnessManagedMemoryConfiguration.arn
// (read-only on Get, ignored on input: the script's NOT_SENT leaves it out
// of generated values). Case names: "Shape.member via Operation".
var nmExceptions = map[string]string{}

// nmKnownFailing are members known not to round-trip yet, each with what
// came back (a tracked bug). Empty: every case passes. An entry that passes
// fails the test, so that it gets removed.
var nmKnownFailing = map[string]string{}

// nmResult is one line of the script.
type nmResult struct {
	Case   string `json:"case"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// TestNewMembersRoundTrip runs testdata/new_members.py: boto3, with the
// repository's model, sets every member botocore 1.43.67 added to an input
// shape a Create* (or Update*) operation reaches, and reads it back with the
// matching Get*. Every case must pass unless listed above.
func TestNewMembersRoundTrip(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	script, err := filepath.Abs(filepath.Join("testdata", "new_members.py"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script, srv.URL)
	cmd.Env = cleanAWSEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout.String(), stderr.String())
	}
	if skip, ok := strings.CutPrefix(strings.TrimSpace(stdout.String()), "SKIP "); ok {
		t.Skip(skip)
	}
	var results []nmResult
	done := false
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			var r nmResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				t.Fatalf("bad result line %q: %v", line, err)
			}
			results = append(results, r)
		}
		done = done || strings.HasPrefix(line, "DONE ")
	}
	if !done {
		t.Fatalf("the script did not finish:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	// 68 members of 1.43.67 reach a Create*/Update* input, some through
	// several Create* operations.
	if len(results) < 68 {
		t.Errorf("%d cases, want at least 68", len(results))
	}
	sort.Slice(results, func(i, j int) bool { return results[i].Case < results[j].Case })
	seen := map[string]bool{}
	var pass, known, excepted int
	for _, r := range results {
		seen[r.Case] = true
		_, isException := nmExceptions[r.Case]
		_, isKnown := nmKnownFailing[r.Case]
		switch {
		case r.OK && isKnown:
			t.Errorf("PASS %s, listed in nmKnownFailing: remove it", r.Case)
		case r.OK:
			pass++
			t.Logf("PASS %s", r.Case)
		case isException:
			excepted++
			t.Logf("EXCEPTION %s (%s): %s", r.Case, nmExceptions[r.Case], r.Detail)
		case isKnown:
			known++
			t.Logf("KNOWN FAILING %s: %s", r.Case, r.Detail)
		default:
			t.Errorf("FAIL %s: %s", r.Case, r.Detail)
		}
	}
	for name := range nmKnownFailing {
		if !seen[name] {
			t.Errorf("nmKnownFailing lists %s, which is no case of the script", name)
		}
	}
	for name := range nmExceptions {
		if !seen[name] {
			t.Errorf("nmExceptions lists %s, which is no case of the script", name)
		}
	}
	t.Logf("%d cases: %d passed, %d documented exceptions, %d known failing, %d failed",
		len(results), pass, excepted, known, len(results)-pass-excepted-known)
}
