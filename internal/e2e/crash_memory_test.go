package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"

	"agentcored/internal/testserver"
)

// TestCrashMemoryEvents kill -9s the real binary while sessions write
// events and checks that every event it acknowledged is listed after a
// restart on the same data dir (AgentCore Memory is durable like the rest).
func TestCrashMemoryEvents(t *testing.T) {
	const workers, target = 4, 120
	dir := t.TempDir()
	bin := buildAgentcored(t)
	first := startAgentProc(t, bin, "--data-dir", dir)
	mem := mevMemory(t, first.client(t), "crash_events", 30)
	data := (&testserver.Server{URL: first.URL}).DataClient(t)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)

	var (
		mu     sync.Mutex
		acked  = map[string][]string{} // session -> event ids acknowledged
		total  int
		stop   = make(chan struct{})
		enough = make(chan struct{})
		once   sync.Once
		wg     sync.WaitGroup
	)
	for w := range workers {
		session := fmt.Sprintf("session-%d", w)
		wg.Go(func() {
			for i := 0; ; i++ {
				out, err := data.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("actor"),
					SessionId: aws.String(session), EventTimestamp: aws.Time(base.Add(time.Duration(i) * time.Millisecond)),
					Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, fmt.Sprintf("%s turn %d", session, i))}})
				if err != nil {
					select {
					case <-stop: // cut by the kill
					default:
						t.Errorf("%s event %d before the kill: %v", session, i, err)
					}
					return
				}
				mu.Lock()
				acked[session] = append(acked[session], aws.ToString(out.Event.EventId))
				total++
				if total >= target {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Error("too few events acknowledged in 2 minutes")
	}
	close(stop)
	first.kill()
	wg.Wait()
	if t.Failed() {
		t.Fatalf("agentcored log:\n%s", first.stderr())
	}

	second := startAgentProc(t, bin, "--data-dir", dir)
	data2 := (&testserver.Server{URL: second.URL}).DataClient(t)
	missing := 0
	for session, ids := range acked {
		stored := map[string]bool{}
		in := &dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("actor"), SessionId: aws.String(session), MaxResults: aws.Int32(100)}
		for {
			page, err := data2.ListEvents(ctx, in)
			if err != nil {
				t.Fatalf("ListEvents %s after the restart: %v", session, err)
			}
			for _, e := range page.Events {
				stored[aws.ToString(e.EventId)] = true
			}
			if page.NextToken == nil {
				break
			}
			in.NextToken = page.NextToken
		}
		for _, id := range ids {
			if !stored[id] {
				missing++
				t.Errorf("acknowledged event %s of %s lost", id, session)
			}
		}
	}
	t.Logf("%d events acknowledged before kill -9, %d missing after the restart", total, missing)
}
