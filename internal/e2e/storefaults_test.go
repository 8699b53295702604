package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/smithy-go"

	"agentcored/internal/store"
)

// Store faults of the SQLite store, on the real binary: a full disk, a
// damaged database file, a WAL deleted or cut after kill -9. (A PostgreSQL
// server stopped under load is in storefaults_postgres_test.go.)

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts
// it when t ends (after the processes registered later are killed). It
// skips t when mounting is refused (not root, no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root or CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a ballast file in dir until the file system is full.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "ballast")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			// The last bytes: smaller than a page.
			for n := 2048; n > 0; n /= 2 {
				f.Write(buf[:n])
			}
			return name
		}
	}
}

// getText GETs url and returns the status and body.
func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func createRuntime(ctx context.Context, c *acc.Client, name string) (string, error) {
	out, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String(name), AgentRuntimeArtifact: rtContainer(rtImage),
		RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.AgentRuntimeId), nil
}

// TestStoreDiskFull fills the file system under the data dir: writes must
// answer 503 ServiceUnavailableException saying the disk is full, reads go
// on, /readyz says degraded, the metric is 1 and the log has one line;
// once space returns, writes work again without a restart.
func TestStoreDiskFull(t *testing.T) {
	dir := mountTmpfs(t, 16<<20)
	bin := buildAgentcored(t)
	p := startAgentProc(t, bin, "--data-dir", dir)
	c := p.client(t)
	ctx := context.Background()

	var acked []string
	for i := range 5 {
		id, err := createRuntime(ctx, c, fmt.Sprintf("before_full_%d", i))
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, id)
	}
	ballast := fillDisk(t, dir)

	// The WAL may still have room for a few commits; the disk is full
	// once a create fails.
	var werr error
	for i := 0; i < 200 && werr == nil; i++ {
		var id string
		id, werr = createRuntime(ctx, c, fmt.Sprintf("while_full_%d", i))
		if werr == nil {
			acked = append(acked, id)
		}
	}
	var ae smithy.APIError
	if !errors.As(werr, &ae) || ae.ErrorCode() != "ServiceUnavailableException" || errStatus(werr) != http.StatusServiceUnavailable ||
		ae.ErrorMessage() != "agentcored cannot write: the disk holding "+dir+" is full" {
		t.Fatalf("create on a full disk: %v (status %d), want 503 ServiceUnavailableException naming %s\n%s",
			werr, errStatus(werr), dir, p.stderr())
	}
	// More failing writes: still one log line.
	for i := range 5 {
		if _, err := createRuntime(ctx, c, fmt.Sprintf("still_full_%d", i)); errCode(err) != "ServiceUnavailableException" {
			t.Fatalf("create %d on a full disk: %v", i, err)
		}
	}
	// Reads go on.
	for _, id := range acked {
		if _, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)}); err != nil {
			t.Fatalf("read on a full disk: %v", err)
		}
	}
	if _, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{}); err != nil {
		t.Fatalf("list on a full disk: %v", err)
	}
	status, body := getText(t, p.URL+"/readyz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "degraded") || !strings.Contains(body, "is full") {
		t.Fatalf("/readyz on a full disk: %d %s", status, body)
	}
	if _, m := getText(t, p.URL+"/metrics"); !strings.Contains(m, `agentcored_store_write_failing{reason="disk_full"} 1`) {
		t.Fatalf("metrics on a full disk lack agentcored_store_write_failing 1:\n%s", grepLines(m, "agentcored_store"))
	}
	if n := strings.Count(p.stderr(), "store condition began: disk_full"); n != 1 {
		t.Fatalf("%d log lines for the disk filling up, want 1:\n%s", n, p.stderr())
	}

	// Space returns: without any client write, /readyz sees it (a probe).
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/readyz ready after space returned", func() (bool, error) {
		status, _ := getText(t, p.URL+"/readyz")
		return status == http.StatusOK, nil
	})
	id, err := createRuntime(ctx, c, "after_full")
	if err != nil {
		t.Fatalf("create after space returned: %v", err)
	}
	acked = append(acked, id)
	if _, m := getText(t, p.URL+"/metrics"); !strings.Contains(m, `agentcored_store_write_failing{reason="disk_full"} 0`) {
		t.Fatalf("metrics after recovery:\n%s", grepLines(m, "agentcored_store"))
	}
	log := p.stderr()
	if strings.Count(log, "store condition began: disk_full") != 1 || strings.Count(log, "store condition ended: disk_full") != 1 {
		t.Fatalf("want one line when the disk filled and one when space returned:\n%s", log)
	}
	// Nothing acknowledged is lost, across a restart too.
	p.kill()
	p2 := startAgentProc(t, bin, "--data-dir", dir)
	c2 := p2.client(t)
	for _, id := range acked {
		if _, err := c2.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)}); err != nil {
			t.Errorf("acknowledged runtime %s lost: %v", id, err)
		}
	}
	t.Logf("%d creates acknowledged around the full disk, all present after kill -9 and restart", len(acked))
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// stopProc sends SIGTERM (a clean shutdown: the WAL is checkpointed and
// removed) and waits.
func stopProc(t *testing.T, p *agentProc) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("agentcored did not stop on SIGTERM:\n%s", p.stderr())
	}
}

// copyDir copies the regular files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestStoreCorruptFileRefused damages one page of a copy of a database:
// the server must refuse to start, naming the file, rather than serve
// errors or an empty store. The undamaged original still starts.
func TestStoreCorruptFileRefused(t *testing.T) {
	bin := buildAgentcored(t)
	dir := t.TempDir()
	p := startAgentProc(t, bin, "--data-dir", dir)
	c := p.client(t)
	ctx := context.Background()
	for i := range 150 {
		if _, err := createRuntime(ctx, c, fmt.Sprintf("corrupt_%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	stopProc(t, p)

	damaged := copyDir(t, dir)
	file := filepath.Join(damaged, store.SQLiteFile)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	page := fi.Size() / pageSize / 2
	if _, err := f.WriteAt([]byte(strings.Repeat("\xba\xad\xf0\x0d", pageSize/4)), page*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", damaged)
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("agentcored started on a damaged file:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), file) || !strings.Contains(string(out), "corrupt") {
		t.Fatalf("start on a damaged file: %v, want a refusal naming %s:\n%s", err, file, out)
	}
	t.Logf("refused: %s", strings.TrimSpace(string(out)))

	p2 := startAgentProc(t, bin, "--data-dir", dir)
	list, err := p2.client(t).ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(1)})
	if err != nil || len(list.AgentRuntimes) != 1 {
		t.Fatalf("the undamaged original: %v", err)
	}
}

// TestStoreWALAfterKill kills the binary in the middle of creates, then
// starts copies of its data dir: as left (nothing acknowledged lost), with
// the WAL deleted, and with the WAL cut mid-frame. In the last two the
// acknowledged commits still in the WAL are gone; the server cannot bring
// them back, but it must say so in its log.
func TestStoreWALAfterKill(t *testing.T) {
	bin := buildAgentcored(t)
	dir := t.TempDir()
	p := startAgentProc(t, bin, "--data-dir", dir)
	c := p.client(t)
	ctx := context.Background()
	var acked []string
	for i := range 200 {
		id, err := createRuntime(ctx, c, fmt.Sprintf("wal_%d", i))
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, id)
	}
	p.kill()
	wal := filepath.Join(dir, store.SQLiteFile) + "-wal"
	fi, err := os.Stat(wal)
	if err != nil {
		t.Fatalf("no WAL after kill -9: %v", err)
	}
	db, _ := os.Stat(filepath.Join(dir, store.SQLiteFile))
	t.Logf("after kill -9: WAL %d bytes, database file %d bytes", fi.Size(), db.Size())

	cases := []struct {
		name   string
		damage func(dir string)
		intact bool
		warn   string
	}{
		{name: "intact", damage: func(string) {}, intact: true},
		{name: "wal deleted", damage: func(d string) {
			os.Remove(filepath.Join(d, store.SQLiteFile+"-wal"))
		}, warn: "is missing"},
		{name: "wal cut mid-frame", damage: func(d string) {
			// Past the header and 5 frames of 4 KiB pages, mid-frame.
			os.Truncate(filepath.Join(d, store.SQLiteFile+"-wal"), 32+5*(24+4096)+100)
		}, warn: "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := copyDir(t, dir)
			tc.damage(d)
			p := startAgentProc(t, bin, "--data-dir", d)
			c := p.client(t)
			lost := 0
			for _, id := range acked {
				if _, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)}); err != nil {
					lost++
				}
			}
			log := p.stderr()
			t.Logf("%s: %d of %d acknowledged creates lost", tc.name, lost, len(acked))
			if w := grepLines(log, "possible data loss"); w != "" {
				t.Log(w)
			}
			if tc.intact && lost != 0 {
				t.Fatalf("%d acknowledged creates lost with the WAL intact", lost)
			}
			if tc.warn == "" && strings.Contains(log, "possible data loss") {
				t.Fatalf("a warning with the WAL intact:\n%s", log)
			}
			// Whatever was lost must be reported (if the WAL held nothing
			// uncopied, nothing is lost and nothing is said).
			if lost > 0 && (!strings.Contains(log, "possible data loss") || !strings.Contains(log, tc.warn)) {
				t.Fatalf("%d acknowledged creates lost without a warning in the log:\n%s", lost, log)
			}
		})
	}
}
