// Command soak runs agentcored under mixed load for a while with injected
// faults (admin fault rules) and a kill -9 and restart every minute, then
// checks what a long-running server must keep: open file descriptors and
// resident memory flat (within 1.5x of the first minute after warm-up), no
// 5xx answers other than the injected ones, and every create the server
// acknowledged present at the end. scripts/soak.sh builds and runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
	"github.com/aws/smithy-go"
)

// injectedMessage marks the errors the soak's own fault rules cause.
const injectedMessage = "soak injected fault"

type config struct {
	bin, dataDir, logPath        string
	duration, restartEvery, warm time.Duration
	faultEvery, sampleEvery      time.Duration
	concurrency                  int
	growthLimit                  float64
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "./agentcored", "agentcored binary")
	flag.StringVar(&c.dataDir, "data-dir", "", "data directory (default: a new temporary one)")
	flag.StringVar(&c.logPath, "log", "", "file for agentcored's log (default: <data-dir>/../agentcored.log)")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long to run the load")
	flag.DurationVar(&c.restartEvery, "restart-every", time.Minute, "kill -9 and restart agentcored this often")
	flag.DurationVar(&c.warm, "warm-up", 10*time.Second, "samples this soon after a (re)start are not judged")
	flag.DurationVar(&c.faultEvery, "fault-every", 10*time.Second, "install the next fault rule this often (for half of it)")
	flag.DurationVar(&c.sampleEvery, "sample-every", 5*time.Second, "sample file descriptors and RSS this often")
	flag.IntVar(&c.concurrency, "concurrency", 16, "concurrent clients")
	flag.Float64Var(&c.growthLimit, "growth-limit", 1.5, "largest allowed ratio of a sample to the first process's peak")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}

// target is the process the clients talk to now.
type target struct {
	gen    int
	proc   *proc
	client *acc.Client
	start  time.Time
}

func newClient(url string) *acc.Client {
	return acc.New(acc.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Retryer:      aws.NopRetryer{}, // every answer counts as given
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

// counts are the outcomes of the load.
type counts struct {
	ok, injected5xx, injected4xx, cutByKill atomic.Int64
	mu                                      sync.Mutex
	failures                                []string // unexpected outcomes (the first 20 are kept)
	failed                                  int
}

func (c *counts) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failed++
	if len(c.failures) < 20 {
		c.failures = append(c.failures, fmt.Sprintf(format, args...))
	}
}

type sample struct {
	at, sinceStart time.Duration
	gen, fds       int
	rssKB          int64
}

func run(c config) error {
	if c.dataDir == "" {
		d, err := os.MkdirTemp("", "agentcored-soak-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		c.dataDir = filepath.Join(d, "data")
	}
	if c.logPath == "" {
		c.logPath = filepath.Join(filepath.Dir(c.dataDir), "agentcored.log")
	}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	var logMu sync.Mutex
	logW := writerFunc(func(b []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logFile.Write(b) })

	var cur atomic.Pointer[target]
	restarting := atomic.Bool{}
	begin := time.Now()
	start := func(gen int) error {
		p, err := startProc(c.bin, c.dataDir, logW)
		if err != nil {
			return err
		}
		cur.Store(&target{gen: gen, proc: p, client: newClient(p.url), start: time.Now()})
		return nil
	}
	if err := start(0); err != nil {
		return err
	}
	fmt.Printf("soak: %v of load at concurrency %d, kill -9 every %v, data in %s, log in %s\n",
		c.duration, c.concurrency, c.restartEvery, c.dataDir, c.logPath)

	var (
		res     counts
		ackMu   sync.Mutex
		acked   []string
		ctx     = context.Background()
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		nextID  atomic.Int64
		created atomic.Int64
	)
	// acked holds the live runtimes (acknowledged creates not yet picked
	// for deletion); deleted those whose DeleteAgentRuntime was
	// acknowledged. The account's quota is 1000 runtimes: above
	// maxLive, creates give way to deletes.
	const maxLive = 700
	deleted := map[string]bool{}
	isLive := map[string]bool{}
	pickAcked := func(remove bool) string {
		ackMu.Lock()
		defer ackMu.Unlock()
		if len(acked) == 0 {
			return ""
		}
		i := rand.IntN(len(acked))
		id := acked[i]
		if remove {
			acked[i] = acked[len(acked)-1]
			acked = acked[:len(acked)-1]
			delete(isLive, id)
		}
		return id
	}
	live := func() int { ackMu.Lock(); defer ackMu.Unlock(); return len(acked) }
	stillLive := func(id string) bool { ackMu.Lock(); defer ackMu.Unlock(); return isLive[id] }
	// judge classifies one answer; killed reports whether a kill overlapped it.
	judge := func(op string, err error, killed bool) {
		if err == nil {
			res.ok.Add(1)
			return
		}
		var ae smithy.APIError
		var re *awshttp.ResponseError
		if errors.As(err, &ae) && errors.As(err, &re) {
			status := re.HTTPStatusCode()
			switch {
			case ae.ErrorMessage() == injectedMessage && status >= 500:
				res.injected5xx.Add(1)
			case ae.ErrorMessage() == injectedMessage:
				res.injected4xx.Add(1)
			case killed && status >= 500:
				res.cutByKill.Add(1)
			default:
				res.fail("%s: %d %s: %s", op, status, ae.ErrorCode(), ae.ErrorMessage())
			}
			return
		}
		if killed || restarting.Load() {
			res.cutByKill.Add(1)
			return
		}
		res.fail("%s: %v", op, err)
	}
	for w := range c.concurrency {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := cur.Load()
				var op string
				var err error
				switch r := rand.IntN(10); {
				case r < 4 && live() >= maxLive:
					id := pickAcked(true)
					op = "DeleteAgentRuntime"
					_, err = t.client.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
					if err == nil {
						ackMu.Lock()
						deleted[id] = true
						ackMu.Unlock()
					}
				case r < 4:
					op = "CreateAgentRuntime"
					var out *acc.CreateAgentRuntimeOutput
					out, err = t.client.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
						AgentRuntimeName:     aws.String(fmt.Sprintf("soak_w%d_%d", w, nextID.Add(1))),
						AgentRuntimeArtifact: &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{ContainerUri: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/soak:latest")}},
						RoleArn:              aws.String("arn:aws:iam::123456789012:role/soak"),
						NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic},
					})
					if err == nil {
						ackMu.Lock()
						id := aws.ToString(out.AgentRuntimeId)
						acked = append(acked, id)
						isLive[id] = true
						created.Add(1)
						ackMu.Unlock()
					}
				case r < 8:
					id := pickAcked(false)
					if id == "" {
						continue
					}
					op = "GetAgentRuntime"
					_, err = t.client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
					var nf *types.ResourceNotFoundException
					if errors.As(err, &nf) && !stillLive(id) {
						err = nil // picked for deletion meanwhile
					}
				default:
					op = "ListAgentRuntimes"
					_, err = t.client.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(20)})
				}
				killed := cur.Load().gen != t.gen
				judge(op, err, killed)
				if err != nil && (killed || restarting.Load()) {
					time.Sleep(50 * time.Millisecond) // wait for the restart
				}
			}
		})
	}

	// Faults: one rule at a time, for half of each period.
	rules := []string{
		`{"operation":"GetAgentRuntime","action":"error","errorCode":"InternalServerException","message":"` + injectedMessage + `","probability":0.2}`,
		`{"operation":"ListAgentRuntimes","action":"latency","latencyMillis":300}`,
		`{"operation":"CreateAgentRuntime","action":"error","errorCode":"ThrottlingException","message":"` + injectedMessage + `","probability":0.3}`,
		`{"operation":"CreateAgentRuntime","action":"fail","failureReason":"soak: image pull failed","count":5}`,
		`{"operation":"ListAgentRuntimes","action":"error","errorCode":"ServiceUnavailableException","message":"` + injectedMessage + `","probability":0.3}`,
	}
	admin := func(method, body string) {
		t := cur.Load()
		req, _ := http.NewRequest(method, t.proc.url+"/_agentcored/faults", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}

	var samples []sample
	deadline := time.After(c.duration)
	restartT := time.NewTicker(c.restartEvery)
	faultT := time.NewTicker(c.faultEvery)
	sampleT := time.NewTicker(c.sampleEvery)
	clearFault := time.NewTimer(time.Hour)
	defer restartT.Stop()
	defer faultT.Stop()
	defer sampleT.Stop()
	faults, kills := 0, 0
	var runErr error
loop:
	for {
		select {
		case <-deadline:
			break loop
		case <-faultT.C:
			admin(http.MethodPost, rules[faults%len(rules)])
			faults++
			clearFault.Reset(c.faultEvery / 2)
		case <-clearFault.C:
			admin(http.MethodDelete, "")
		case <-sampleT.C:
			t := cur.Load()
			fds, rss, err := t.proc.sample()
			if err == nil {
				s := sample{at: time.Since(begin), sinceStart: time.Since(t.start), gen: t.gen, fds: fds, rssKB: rss}
				samples = append(samples, s)
				fmt.Printf("soak: t=%4.0fs process %d (up %3.0fs): %3d fds, RSS %6.1f MB, %d ok, %d creates acknowledged, %d live\n",
					s.at.Seconds(), s.gen, s.sinceStart.Seconds(), fds, float64(rss)/1024, res.ok.Load(), created.Load(), live())
			}
		case <-restartT.C:
			t := cur.Load()
			restarting.Store(true)
			t.proc.kill()
			kills++
			err := start(t.gen + 1)
			restarting.Store(false)
			if err != nil {
				runErr = fmt.Errorf("restart after kill -9: %w", err)
				break loop
			}
		}
	}
	close(stop)
	wg.Wait()
	if runErr != nil {
		cur.Load().proc.kill()
		return runErr
	}

	// The end: one more kill -9, then every acknowledged create must be there.
	t := cur.Load()
	t.proc.kill()
	kills++
	if err := start(t.gen + 1); err != nil {
		return fmt.Errorf("final restart: %w", err)
	}
	final := cur.Load()
	defer final.proc.kill()
	missing, undeleted := 0, 0
	for id := range deleted {
		out, err := final.client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)})
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) && (err != nil || out.Status != types.AgentRuntimeStatusDeleting) {
			undeleted++
			if undeleted <= 5 {
				res.fail("acknowledged delete of %s: still there (%v)", id, err)
			}
		}
	}
	for _, id := range acked {
		if _, err := final.client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: aws.String(id)}); err != nil {
			missing++
			if missing <= 5 {
				res.fail("acknowledged runtime %s: %v", id, err)
			}
		}
	}

	fdsOK, rssOK, summary := judgeSamples(samples, c.warm, c.growthLimit)
	fmt.Printf("soak: %d requests ok, %d injected 5xx, %d injected 4xx, %d cut by kill -9, %d unexpected\n",
		res.ok.Load(), res.injected5xx.Load(), res.injected4xx.Load(), res.cutByKill.Load(), res.failed)
	fmt.Printf("soak: %d kill -9 restarts, %d fault rules; %d creates and %d deletes acknowledged; at the end %d of %d live runtimes missing, %d deleted ones back\n",
		kills, faults, created.Load(), len(deleted), missing, len(acked), undeleted)
	fmt.Println("soak:", summary)
	var problems []string
	for _, f := range res.failures {
		problems = append(problems, "unexpected: "+f)
	}
	if !fdsOK {
		problems = append(problems, "open file descriptors grew")
	}
	if !rssOK {
		problems = append(problems, "RSS grew")
	}
	if missing > 0 {
		problems = append(problems, fmt.Sprintf("%d acknowledged creates missing", missing))
	}
	if len(acked) == 0 || kills < 2 {
		problems = append(problems, "too little load or too few restarts to judge")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// judgeSamples compares every sample taken after warm-up with the peak of
// the first process's samples after warm-up.
func judgeSamples(samples []sample, warm time.Duration, limit float64) (fdsOK, rssOK bool, summary string) {
	var baseFds int
	var baseRSS int64
	firstGen := -1
	for _, s := range samples {
		if s.sinceStart < warm {
			continue
		}
		if firstGen == -1 {
			firstGen = s.gen
		}
		if s.gen == firstGen {
			baseFds, baseRSS = max(baseFds, s.fds), max(baseRSS, s.rssKB)
		}
	}
	if firstGen == -1 {
		return false, false, "no sample after warm-up"
	}
	maxFds, maxRSS := 0, int64(0)
	for _, s := range samples {
		if s.sinceStart >= warm {
			maxFds, maxRSS = max(maxFds, s.fds), max(maxRSS, s.rssKB)
		}
	}
	fdsOK = float64(maxFds) <= limit*float64(baseFds)
	rssOK = float64(maxRSS) <= limit*float64(baseRSS)
	summary = fmt.Sprintf("after warm-up: fds peak %d vs first-minute peak %d (%.2fx), RSS peak %.1f MB vs %.1f MB (%.2fx), limit %.1fx",
		maxFds, baseFds, float64(maxFds)/float64(baseFds), float64(maxRSS)/1024, float64(baseRSS)/1024,
		float64(maxRSS)/float64(baseRSS), limit)
	return fdsOK, rssOK, summary
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
