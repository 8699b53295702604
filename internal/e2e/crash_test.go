package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// buildAgentcored builds the real binary into a temp dir of t.
func buildAgentcored(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agentcored")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/agentcored").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// agentProc is the binary running as a child process.
type agentProc struct {
	URL    string
	cmd    *exec.Cmd
	exited chan struct{}

	mu  sync.Mutex
	log strings.Builder // its stderr, for failure messages
}

// startAgentProc runs `agentcored serve --listen 127.0.0.1:0 args...` and
// waits until it reports the address it listens on. The process is killed
// when t ends if it is still running.
func startAgentProc(t *testing.T, bin string, args ...string) *agentProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--throttle-rate", "-1"}, args...)...)
	// Only what the test passes configures the child, not the developer's
	// AGENTCORED_* variables.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTCORED_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &agentProc{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			var entry struct{ Msg, Address string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "agentcored serving" {
				select {
				case addr <- entry.Address:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	select {
	case a := <-addr:
		p.URL = "http://" + a
	case <-p.exited:
		t.Fatalf("agentcored exited before serving:\n%s", p.stderr())
	case <-time.After(60 * time.Second):
		p.kill()
		t.Fatalf("agentcored did not report its address:\n%s", p.stderr())
	}
	return p
}

func (p *agentProc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (p *agentProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// client is an SDK client for the process, without retries.
func (p *agentProc) client(t *testing.T) *acc.Client {
	srv := &testserver.Server{URL: p.URL}
	return srv.Client(t)
}

// TestCrashSQLite and TestCrashPostgres kill -9 the real binary in the middle
// of concurrent creates and check that every create it acknowledged is still
// there after a restart on the same data.
func TestCrashSQLite(t *testing.T) {
	dir := t.TempDir()
	crashTest(t, "--data-dir", dir)
}

func TestCrashPostgres(t *testing.T) {
	crashTest(t, "--database-url", testserver.PostgresDatabaseURL(t))
}

func crashTest(t *testing.T, storeArgs ...string) {
	const (
		workers = 4
		target  = 200 // acknowledged creates before the kill
	)
	bin := buildAgentcored(t)
	first := startAgentProc(t, bin, storeArgs...)
	c := first.client(t)
	ctx := context.Background()

	var (
		mu      sync.Mutex
		acked   []string // ids of runtimes the server answered 2xx for
		sent    atomic.Int64
		reached = make(chan struct{})
		once    sync.Once
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sent.Add(1)
				out, err := c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
					AgentRuntimeName: aws.String(fmt.Sprintf("crash_w%d_%d", w, i)), AgentRuntimeArtifact: rtContainer(rtImage),
					RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
				})
				if err != nil {
					select {
					case <-stop: // the kill: the answer never came
					default:
						t.Errorf("worker %d create %d before the kill: %v", w, i, err)
					}
					return
				}
				mu.Lock()
				acked = append(acked, aws.ToString(out.AgentRuntimeId))
				n := len(acked)
				mu.Unlock()
				if n >= target {
					once.Do(func() { close(reached) })
				}
			}
		})
	}
	select {
	case <-reached:
	case <-time.After(2 * time.Minute):
		close(stop)
		first.kill()
		wg.Wait()
		t.Fatalf("only %d creates acknowledged", len(acked))
	}
	// Workers still have requests in flight: the kill cuts them off.
	close(stop)
	first.kill()
	wg.Wait()
	if t.Failed() {
		t.Fatalf("agentcored log:\n%s", first.stderr())
	}

	second := startAgentProc(t, bin, storeArgs...)
	c2 := second.client(t)
	missing := 0
	for _, id := range acked {
		rt, err := c2.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
		if err != nil {
			missing++
			t.Errorf("acknowledged runtime %s lost: %v", id, err)
			continue
		}
		if rt.Status != types.AgentRuntimeStatusReady {
			t.Errorf("runtime %s is %s after the restart, want READY (immediate lifecycle, same transaction)", id, rt.Status)
		}
		// The DEFAULT endpoint was written in the same transaction.
		if _, err := c2.GetAgentRuntimeEndpoint(ctx, &acc.GetAgentRuntimeEndpointInput{
			AgentRuntimeId: aws.String(id), EndpointName: aws.String("DEFAULT"),
		}); err != nil {
			t.Errorf("runtime %s has no DEFAULT endpoint after the restart: %v", id, err)
		}
	}
	stored := 0
	pages := acc.NewListAgentRuntimesPaginator(c2, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored += len(page.AgentRuntimes)
	}
	// Unacknowledged creates (in flight at the kill) may or may not have
	// committed; acknowledged ones must all be there.
	t.Logf("%d creates sent, %d acknowledged before kill -9, %d missing after restart, %d runtimes stored",
		sent.Load(), len(acked), missing, stored)
	if stored < len(acked) || int64(stored) > sent.Load() {
		t.Errorf("%d runtimes stored, want between %d acknowledged and %d sent", stored, len(acked), sent.Load())
	}
}

// tcpProxy forwards loopback connections to target. It can partition the
// network (connections stay open, bytes are dropped, new connections are
// accepted and hang) or go down (connections close, new ones are refused),
// and come back on the same port.
type tcpProxy struct {
	target      string
	addr        string
	partitioned atomic.Bool

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]bool{}}
	p.listen(t, "127.0.0.1:0")
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("proxy listen %s: %v", addr, err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil { // went down meanwhile
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *tcpProxy) serve(c net.Conn) {
	if p.partitioned.Load() {
		// Accept, then let nothing through: the client's connect hangs.
		if p.track(c) {
			io.Copy(io.Discard, c)
			c.Close()
		}
		return
	}
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		return
	}
	go p.pipe(up, c)
	p.pipe(c, up)
}

// pipe copies src to dst, dropping what it reads while partitioned.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.partitioned.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	src.Close()
	dst.Close()
}

// down closes the listener and every connection.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// up listens again on the same address.
func (p *tcpProxy) up(t *testing.T) { p.listen(t, p.addr) }

// TestPostgresOutage runs a server on PostgreSQL through a proxy, then
// partitions and cuts the network: requests must end in a clean 503
// ServiceUnavailableException (never a hang or a 500), /readyz must fail,
// and the server must recover by itself when the database is back.
func TestPostgresOutage(t *testing.T) {
	base := testserver.PostgresURL(t)
	schema := testserver.NewSchema(t, base)
	u, err := url.Parse(testserver.SchemaURL(t, base, schema))
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	proxy := startTCPProxy(t, target)
	u.Host = proxy.addr
	q := u.Query()
	// Short timeouts keep the test quick: an attempt gives up after the
	// statement timeout plus the connect timeout.
	q.Set("statement_timeout", "1000")
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()

	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = u.String()
	srv := testserver.StartWith(t, cfg, nil)
	c := srv.Client(t)
	ctx := context.Background()
	rt := rtCreate(t, c, "outage")
	id := aws.ToString(rt.AgentRuntimeId)
	wantReady(t, srv.URL, http.StatusOK)

	// wantUnavailable checks the SDK's view and the raw wire answer.
	wantUnavailable := func(when string) {
		t.Helper()
		_, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
		if code := errCode(err); code != "ServiceUnavailableException" {
			t.Fatalf("%s: GetAgentRuntime error %q (%v), want ServiceUnavailableException", when, code, err)
		}
		if errStatus(err) != http.StatusServiceUnavailable {
			t.Fatalf("%s: GetAgentRuntime status not 503: %v", when, err)
		}
		_, err = c.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
			AgentRuntimeName: aws.String("outage_write"), AgentRuntimeArtifact: rtContainer(rtImage),
			RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
		})
		if code := errCode(err); code != "ServiceUnavailableException" {
			t.Fatalf("%s: CreateAgentRuntime error %q (%v), want ServiceUnavailableException", when, code, err)
		}
		// Unsigned raw request (permissive auth): the AWS error shape.
		resp, err := http.Get(srv.URL + "/runtimes/" + id + "/")
		if err != nil {
			t.Fatalf("%s: raw GET: %v", when, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var shape struct {
			Message *string `json:"message"`
		}
		if resp.StatusCode != http.StatusServiceUnavailable ||
			resp.Header.Get("X-Amzn-ErrorType") != "ServiceUnavailableException" ||
			resp.Header.Get("x-amzn-RequestId") == "" ||
			json.Unmarshal(body, &shape) != nil || shape.Message == nil || *shape.Message == "" {
			t.Fatalf("%s: raw answer %d %v %s", when, resp.StatusCode, resp.Header, body)
		}
		wantReady(t, srv.URL, http.StatusServiceUnavailable)
	}
	// waitRecovered polls until reads and writes work again; the deadline
	// is generous, not a timing claim.
	waitRecovered := func(when, name string) {
		t.Helper()
		eventually(t, when+": GetAgentRuntime succeeds", func() (bool, error) {
			_, err := c.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
			if code := errCode(err); code != "" && code != "ServiceUnavailableException" {
				return false, fmt.Errorf("GetAgentRuntime error %q (%v), want success or ServiceUnavailableException", code, err)
			}
			return err == nil, nil
		})
		rtCreate(t, c, name)
		wantReady(t, srv.URL, http.StatusOK)
	}

	// 1. A partition: packets vanish, so only the store's own deadline ends
	// the wait.
	proxy.partitioned.Store(true)
	wantUnavailable("partitioned")
	proxy.partitioned.Store(false)
	waitRecovered("after the partition", "after_partition")

	// 2. The database goes away: connections reset, new ones refused.
	proxy.down()
	wantUnavailable("down")
	proxy.up(t)
	waitRecovered("after the restart", "after_restart")

	// Nothing that answered 503 was half-written.
	list, err := c.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range list.AgentRuntimes {
		names = append(names, aws.ToString(r.AgentRuntimeName))
	}
	if fmt.Sprint(names) != "[outage after_partition after_restart]" {
		t.Fatalf("runtimes after the outages: %v", names)
	}
}

// wantReady checks GET /readyz.
func wantReady(t *testing.T, base string, status int) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("/readyz = %d %s, want %d", resp.StatusCode, body, status)
	}
}
