package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

// Several instances on one PostgreSQL database behave as one service.

// miConfig is a server config on the shared database url.
func miConfig(t *testing.T, dbURL string, opts ...testserver.Options) server.Config {
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = dbURL
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// jobTally records which instance's engine leased which lifecycle job.
type jobTally struct {
	mu     sync.Mutex
	leases map[string][]string // "kind/id" -> instances, one entry per lease
}

// tallyStore is a store that reports the jobs DueJobs hands out.
type tallyStore struct {
	store.Store
	instance string
	tally    *jobTally
}

func (s *tallyStore) DueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Job, error) {
	jobs, err := s.Store.DueJobs(ctx, now, limit, lease)
	s.tally.mu.Lock()
	for _, j := range jobs {
		k := j.Kind + "/" + j.ResourceID
		s.tally.leases[k] = append(s.tally.leases[k], s.instance)
	}
	s.tally.mu.Unlock()
	return jobs, err
}

// startTallied starts an in-process instance whose job leases are tallied.
func startTallied(t *testing.T, cfg server.Config, instance string, tally *jobTally) *testserver.Server {
	t.Helper()
	st, err := server.OpenStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return testserver.StartWith(t, cfg, &tallyStore{Store: st, instance: instance, tally: tally})
}

func TestMultiInstance(t *testing.T) {
	dbURL := testserver.PostgresDatabaseURL(t)
	a := testserver.StartWith(t, miConfig(t, dbURL), nil)
	b := testserver.StartWith(t, miConfig(t, dbURL), nil)
	ca, cb := a.Client(t), b.Client(t)
	clients := []*acc.Client{ca, cb}
	ctx := context.Background()

	t.Run("CrossInstanceReads", func(t *testing.T) {
		rt := rtCreate(t, ca, "shared_one")
		got, err := cb.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: rt.AgentRuntimeId})
		if err != nil || aws.ToString(got.AgentRuntimeArn) != aws.ToString(rt.AgentRuntimeArn) {
			t.Fatalf("Get on B of A's runtime: %v %v", got, err)
		}
		if _, err := cb.TagResource(ctx, &acc.TagResourceInput{
			ResourceArn: rt.AgentRuntimeArn, Tags: map[string]string{"written-on": "b"},
		}); err != nil {
			t.Fatal(err)
		}
		tags, err := ca.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: rt.AgentRuntimeArn})
		if err != nil || tags.Tags["written-on"] != "b" {
			t.Fatalf("tags on A after tagging on B: %v %v", tags, err)
		}
		// A page token from one instance works on the other: the token key
		// lives in the shared meta table.
		rtCreate(t, cb, "shared_two")
		rtCreate(t, ca, "shared_three")
		page1, err := ca.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(2)})
		if err != nil || page1.NextToken == nil {
			t.Fatalf("page 1 on A: %v %v", page1, err)
		}
		page2, err := cb.ListAgentRuntimes(ctx, &acc.ListAgentRuntimesInput{MaxResults: aws.Int32(2), NextToken: page1.NextToken})
		if err != nil {
			t.Fatalf("page 2 on B with A's token: %v", err)
		}
		var names []string
		for _, r := range append(page1.AgentRuntimes, page2.AgentRuntimes...) {
			names = append(names, aws.ToString(r.AgentRuntimeName))
		}
		if fmt.Sprint(names) != "[shared_one shared_two shared_three]" || page2.NextToken != nil {
			t.Fatalf("pages across instances: %v (next %v)", names, page2.NextToken)
		}
	})

	t.Run("ClientTokenRace", func(t *testing.T) {
		const n = 16
		token := "token-multi-instance-0123456789-012345"
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				out, err := clients[i%2].CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
					AgentRuntimeName: aws.String("token_race"), AgentRuntimeArtifact: rtContainer(rtImage),
					RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(), ClientToken: aws.String(token),
				})
				if err != nil {
					t.Errorf("request %d (instance %c): %v", i, "AB"[i%2], err)
					return
				}
				ids[i] = aws.ToString(out.AgentRuntimeId)
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("one token, several ids: %v", ids)
			}
		}
		if got := miCountNamed(t, ca, "token_race"); got != 1 {
			t.Fatalf("%d runtimes named token_race, want 1", got)
		}
	})

	t.Run("NameRace", func(t *testing.T) {
		const n = 16
		var mu sync.Mutex
		codes := map[string]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := clients[i%2].CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
					AgentRuntimeName: aws.String("name_race"), AgentRuntimeArtifact: rtContainer(rtImage),
					RoleArn: aws.String(rtRole), NetworkConfiguration: rtPublic(),
					ClientToken: aws.String(fmt.Sprintf("token-name-race-%02d-0123456789-0123456789", i)),
				})
				mu.Lock()
				codes[errCode(err)]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[""] != 1 || codes["ConflictException"] != n-1 {
			t.Fatalf("answers by error code: %v; want 1 success and %d ConflictException", codes, n-1)
		}
		if got := miCountNamed(t, cb, "name_race"); got != 1 {
			t.Fatalf("%d runtimes named name_race, want 1", got)
		}
	})
}

// miCountNamed counts the runtimes with a name, over every page.
func miCountNamed(t *testing.T, c *acc.Client, name string) int {
	t.Helper()
	n := 0
	pages := acc.NewListAgentRuntimesPaginator(c, &acc.ListAgentRuntimesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.AgentRuntimes {
			if aws.ToString(r.AgentRuntimeName) == name {
				n++
			}
		}
	}
	return n
}

// Two engines on one database: every job is leased, so run, exactly once.
func TestMultiInstanceLifecycleRunsEachJobOnce(t *testing.T) {
	dbURL := testserver.PostgresDatabaseURL(t)
	timed := func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 300 * time.Millisecond }
	tally := &jobTally{leases: map[string][]string{}}
	a := startTallied(t, miConfig(t, dbURL, timed), "A", tally)
	b := startTallied(t, miConfig(t, dbURL, timed), "B", tally)
	clients := []*acc.Client{a.Client(t), b.Client(t)}

	const n = 12
	var ids []*string
	for i := range n {
		ids = append(ids, rtCreate(t, clients[i%2], fmt.Sprintf("engines_%d", i)).AgentRuntimeId)
	}
	for i, id := range ids {
		rtWaitReady(t, clients[(i+1)%2], id)
	}
	miWantLeasedOnce(t, tally, ids, "")
}

// miWantLeasedOnce checks that the runtime and DEFAULT endpoint jobs of ids
// were each leased exactly once, by instance when it is not "".
func miWantLeasedOnce(t *testing.T, tally *jobTally, ids []*string, instance string) {
	t.Helper()
	tally.mu.Lock()
	defer tally.mu.Unlock()
	by := map[string]int{}
	for _, id := range ids {
		for _, k := range []string{"runtime/" + *id, "runtime-endpoint/" + *id + "/DEFAULT"} {
			leases := tally.leases[k]
			if len(leases) != 1 || (instance != "" && leases[0] != instance) {
				t.Errorf("job %s leased by %v, want exactly one lease (by %q if set)", k, leases, instance)
				continue
			}
			by[leases[0]]++
		}
	}
	t.Logf("%d jobs leased once each, by instance: %v", 2*len(ids), by)
}

// An instance dies (kill -9) with its resources still CREATING; another
// instance's engine completes them.
func TestMultiInstanceKilledInstanceJobsCompleteElsewhere(t *testing.T) {
	dbURL := testserver.PostgresDatabaseURL(t)
	bin := buildAgentcored(t)
	tally := &jobTally{leases: map[string][]string{}}
	// B runs in this process with its engine on; its own delay does not
	// matter: A's jobs carry the due time A gave them.
	b := startTallied(t, miConfig(t, dbURL, func(c *server.Config) {
		c.Lifecycle = "timed"
		c.LifecycleDelay = 50 * time.Millisecond
	}), "B", tally)
	const aDelay = 3 * time.Second
	a := startAgentProc(t, bin, "--database-url", dbURL, "--lifecycle", "timed", "--lifecycle-delay", aDelay.String())
	ca, cb := a.client(t), b.Client(t)

	start := time.Now() // every job A schedules is due at start+aDelay or later
	var ids []*string
	for i := range 4 {
		rt := rtCreate(t, ca, fmt.Sprintf("orphan_%d", i))
		if rt.Status != types.AgentRuntimeStatusCreating {
			t.Fatalf("create on A answered %s, want CREATING", rt.Status)
		}
		ids = append(ids, rt.AgentRuntimeId)
	}
	a.kill()
	// Killed before any of its jobs was due: A cannot have run one.
	killedEarly := time.Since(start) < aDelay

	for _, id := range ids {
		rtWaitReady(t, cb, id)
	}
	_, err := ca.GetAgentRuntime(context.Background(), &acc.GetAgentRuntimeInput{AgentRuntimeId: ids[0]})
	if err == nil {
		t.Fatal("A still answers after kill -9")
	}
	if killedEarly {
		miWantLeasedOnce(t, tally, ids, "B")
	} else {
		t.Logf("A was killed after its jobs fell due (slow machine): only READY is checked")
	}
}
