package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// pgCluster is a private PostgreSQL cluster the test starts with initdb
// and pg_ctl, so that it can stop and start the server itself.
type pgCluster struct {
	bin, data, log string
	port           int
	asUser         *user.User // nil: run as ourselves
}

// startPGCluster initdbs and starts a cluster on a free port; skips t when
// PostgreSQL's binaries are not installed.
func startPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			bins = []string{p}
		} else {
			t.Skip("no initdb (PostgreSQL server binaries) installed")
		}
	}
	slices.Sort(bins)
	c := &pgCluster{bin: filepath.Dir(bins[len(bins)-1])}
	// initdb refuses to run as root: run the cluster as postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user for initdb")
		}
		c.asUser = u
	}
	// Not t.TempDir: its parents are private to root.
	root, err := os.MkdirTemp("", "agentcored-pg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(root, 0o755)
	t.Cleanup(func() { os.RemoveAll(root) })
	c.data, c.log = filepath.Join(root, "data"), filepath.Join(root, "server.log")
	if c.asUser != nil {
		uid, _ := strconv.Atoi(c.asUser.Uid)
		gid, _ := strconv.Atoi(c.asUser.Gid)
		os.Chown(root, uid, gid)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.run(t, "initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.start(t)
	t.Cleanup(func() { c.ctl("stop", "-m", "immediate") })
	return c
}

func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	if c.asUser != nil {
		uid, _ := strconv.Atoi(c.asUser.Uid)
		gid, _ := strconv.Atoi(c.asUser.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	cmd.Dir = filepath.Dir(c.data)
	return cmd
}

func (c *pgCluster) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(c.log)
		t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, log)
	}
}

func (c *pgCluster) ctl(args ...string) ([]byte, error) {
	return c.command("pg_ctl", append([]string{"-D", c.data, "-l", c.log}, args...)...).CombinedOutput()
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=on", c.port, filepath.Dir(c.data))
	if out, err := c.ctl("-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(c.log)
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=1&statement_timeout=2000", c.port)
}

// TestStorePostgresRestartUnderLoad stops a private PostgreSQL (immediate
// mode: as a crash) while goroutines create runtimes through the SDK:
// requests must fail fast with 503 ServiceUnavailableException, /readyz
// must say 503, and after the restart the same agentcored must recover
// by itself with every acknowledged create present.
func TestStorePostgresRestartUnderLoad(t *testing.T) {
	pg := startPGCluster(t)
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = pg.url()
	cfg.ThrottleRate = -1
	srv := testserver.StartWith(t, cfg, nil)
	c := srv.Client(t)
	ctx := context.Background()

	const workers = 8
	var (
		mu       sync.Mutex
		acked    []string
		failures = map[string]int{}
		slowest  time.Duration
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		n        atomic.Int64
	)
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				id, err := createRuntime(ctx, c, fmt.Sprintf("pg_w%d_%d", w, i))
				d := time.Since(start)
				mu.Lock()
				if err == nil {
					acked = append(acked, id)
					n.Add(1)
				} else {
					failures[errCode(err)]++
					slowest = max(slowest, d)
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond) // a client backing off
				}
			}
		})
	}
	waitAcked := func(what string, target int64) {
		t.Helper()
		eventually(t, what, func() (bool, error) { return n.Load() >= target, nil })
	}
	waitAcked("creates before the stop", 100)

	if out, err := pg.ctl("-m", "immediate", "stop"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
	stoppedAt := n.Load()
	// While it is down: 503s, and /readyz 503.
	start := time.Now()
	_, err := createRuntime(ctx, c, "while_down")
	if code := errCode(err); code != "ServiceUnavailableException" || errStatus(err) != http.StatusServiceUnavailable {
		t.Fatalf("create while PostgreSQL is down: %v", err)
	}
	t.Logf("a create while PostgreSQL is down failed in %v", time.Since(start).Round(time.Millisecond))
	wantReady(t, srv.URL, http.StatusServiceUnavailable)
	time.Sleep(2 * time.Second) // the load keeps hitting the dead database

	pg.start(t)
	restartedAt := time.Now()
	eventually(t, "/readyz after the restart", func() (bool, error) {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	recovered := time.Since(restartedAt)
	waitAcked("creates after the restart", n.Load()+100)
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d creates acknowledged (%d before the stop); failures by code %v; slowest failure %v; /readyz ready %v after the restart",
		len(acked), stoppedAt, failures, slowest.Round(time.Millisecond), recovered.Round(time.Millisecond))
	for code := range failures {
		if code != "ServiceUnavailableException" {
			t.Errorf("failures with code %q, want only ServiceUnavailableException", code)
		}
	}
	// No hang beyond the request timeout: each failure ended within the
	// statement timeout plus the connect timeout, with room to spare.
	if slowest > 15*time.Second {
		t.Errorf("a failing request took %v", slowest)
	}
	missing := 0
	for _, id := range acked {
		if _, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)}); err != nil {
			missing++
			t.Errorf("acknowledged runtime %s lost: %v", id, err)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged creates lost", missing, len(acked))
	}
}
