package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/testserver"
)

// Helpers of the self-managed strategy tests carry an "msm" prefix.

type msmPayload struct {
	JobID          string   `json:"jobId"`
	MemoryID       string   `json:"memoryId"`
	StrategyID     string   `json:"strategyId"`
	ActorID        string   `json:"actorId"`
	SessionID      string   `json:"sessionId"`
	Namespaces     []string `json:"namespaces"`
	Trigger        string   `json:"trigger"`
	EventIDs       []string `json:"eventIds"`
	CurrentContext []struct {
		Role    string `json:"role"`
		Content struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"currentContext"`
	HistoricalContext []json.RawMessage `json:"historicalContext"`
}

type msmDelivery struct {
	JobID             string      `json:"jobId"`
	MemoryID          string      `json:"memoryId"`
	StrategyID        string      `json:"strategyId"`
	Trigger           string      `json:"trigger"`
	TopicArn          string      `json:"topicArn"`
	Bucket            string      `json:"bucket"`
	Key               string      `json:"key"`
	S3PayloadLocation string      `json:"s3PayloadLocation"`
	File              string      `json:"file"`
	Payload           *msmPayload `json:"payload"`
}

// msmMemory creates a memory with one self-managed strategy with the given
// triggers and answers the memory's and the strategy's ids.
func msmMemory(t *testing.T, c *acc.Client, name string, history int32, triggers ...types.TriggerConditionInput) (string, string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String(name), EventExpiryDuration: aws.Int32(30),
		MemoryStrategies: []types.MemoryStrategyInput{&types.MemoryStrategyInputMemberCustomMemoryStrategy{Value: types.CustomMemoryStrategyInput{
			Name: aws.String("pipeline"), Namespaces: []string{"/mine/{actorId}"},
			Configuration: &types.CustomConfigurationInputMemberSelfManagedConfiguration{Value: types.SelfManagedConfigurationInput{
				HistoricalContextWindowSize: aws.Int32(history), TriggerConditions: triggers,
				InvocationConfiguration: &types.InvocationConfigurationInput{PayloadDeliveryBucketName: aws.String("my-deliveries"),
					TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:memory-jobs")}}}}}}})
	if err != nil {
		t.Fatalf("CreateMemory %s: %v", name, err)
	}
	id := out.Memory.Id
	eventuallyStatus(t, "memory "+name, func() (types.MemoryStatus, error) {
		m, err := c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: id})
		if err != nil {
			return "", err
		}
		return m.Memory.Status, nil
	}, types.MemoryStatusActive, types.MemoryStatusCreating)
	m, err := c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: id})
	if err != nil || len(m.Memory.Strategies) != 1 {
		t.Fatalf("GetMemory: %v %+v", err, m)
	}
	return aws.ToString(id), aws.ToString(m.Memory.Strategies[0].StrategyId)
}

func msmDeliveries(t *testing.T, base, memoryID string) []msmDelivery {
	t.Helper()
	body := adminOK(t, http.MethodGet, base+"/_agentcored/memory/deliveries?memoryId="+url.QueryEscape(memoryID), "")
	var out struct {
		Deliveries []msmDelivery `json:"deliveries"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("deliveries: %v: %s", err, body)
	}
	return out.Deliveries
}

// msmRead answers a delivery's payload: the file when there is one (it
// must be under <data-dir>/memory-deliveries/<bucket>/), else the stored.
func msmRead(t *testing.T, dataDir string, d msmDelivery) msmPayload {
	t.Helper()
	if d.File == "" {
		if d.Payload == nil {
			t.Fatalf("delivery %s has neither a file nor a payload", d.JobID)
		}
		return *d.Payload
	}
	want := filepath.Join(dataDir, "memory-deliveries", d.Bucket) + string(filepath.Separator)
	if !strings.HasPrefix(d.File, want) {
		t.Fatalf("payload file %s is not under %s", d.File, want)
	}
	b, err := os.ReadFile(d.File)
	if err != nil {
		t.Fatal(err)
	}
	var p msmPayload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("payload %s: %v", d.File, err)
	}
	return p
}

func msmEvent(t *testing.T, c *dp.Client, mem, actor, session string, at time.Time, text string) string {
	t.Helper()
	ev := mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String(actor), SessionId: aws.String(session),
		EventTimestamp: aws.Time(at), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, text)}})
	return aws.ToString(ev.EventId)
}

// TestMemorySelfManagedMessageTrigger: with messageBasedTrigger 3 the third
// CreateEvent delivers the three events (payload file + notification), the
// next two wait for the next three; tokenBasedTrigger counts words.
func TestMemorySelfManagedMessageTrigger(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	mem, strat := msmMemory(t, srv.Client(t), "selfmanaged_msgs", 2,
		&types.TriggerConditionInputMemberMessageBasedTrigger{Value: types.MessageBasedTriggerInput{MessageCount: aws.Int32(3)}})
	base := time.Now().Add(-time.Hour)
	var ids []string
	for i, text := range []string{"first message", "second message", "third message"} {
		if got := msmDeliveries(t, srv.URL, mem); len(got) != 0 {
			t.Fatalf("delivered after %d events: %+v", i, got)
		}
		ids = append(ids, msmEvent(t, c, mem, "user-1", "s-1", base.Add(time.Duration(i)*time.Second), text))
	}
	got := msmDeliveries(t, srv.URL, mem)
	if len(got) != 1 {
		t.Fatalf("want 1 delivery after 3 events, got %+v", got)
	}
	d := got[0]
	if d.Trigger != "MESSAGE_COUNT" || d.StrategyID != strat || d.Bucket != "my-deliveries" ||
		d.TopicArn != "arn:aws:sns:us-east-1:123456789012:memory-jobs" || d.S3PayloadLocation != "s3://my-deliveries/"+d.Key {
		t.Fatalf("notification: %+v", d)
	}
	p := msmRead(t, srv.Config.DataDir, d)
	if p.JobID != d.JobID || p.MemoryID != mem || p.StrategyID != strat || p.ActorID != "user-1" || p.SessionID != "s-1" ||
		strings.Join(p.Namespaces, ",") != "/mine/user-1" || strings.Join(p.EventIDs, ",") != strings.Join(ids, ",") ||
		len(p.CurrentContext) != 3 || p.CurrentContext[2].Content.Text != "third message" || p.CurrentContext[0].Role != "USER" ||
		len(p.HistoricalContext) != 0 {
		t.Fatalf("payload: %+v", p)
	}

	// Two more wait; the third of the next batch delivers with the last
	// two earlier messages as history.
	msmEvent(t, c, mem, "user-1", "s-1", base.Add(10*time.Second), "fourth")
	msmEvent(t, c, mem, "user-1", "s-1", base.Add(11*time.Second), "fifth")
	if got := msmDeliveries(t, srv.URL, mem); len(got) != 1 {
		t.Fatalf("want still 1 delivery, got %d", len(got))
	}
	msmEvent(t, c, mem, "user-1", "s-1", base.Add(12*time.Second), "sixth")
	got = msmDeliveries(t, srv.URL, mem)
	if len(got) != 2 {
		t.Fatalf("want 2 deliveries, got %+v", got)
	}
	p = msmRead(t, srv.Config.DataDir, got[1])
	if len(p.CurrentContext) != 3 || p.CurrentContext[0].Content.Text != "fourth" || len(p.HistoricalContext) != 2 {
		t.Fatalf("second payload: %+v", p)
	}

	// Token trigger: 100 words over two events.
	mem2, _ := msmMemory(t, srv.Client(t), "selfmanaged_tokens", 0,
		&types.TriggerConditionInputMemberTokenBasedTrigger{Value: types.TokenBasedTriggerInput{TokenCount: aws.Int32(100)}})
	msmEvent(t, c, mem2, "user-2", "s-2", base, strings.Repeat("word ", 60))
	if got := msmDeliveries(t, srv.URL, mem2); len(got) != 0 {
		t.Fatalf("delivered at 60 tokens: %+v", got)
	}
	msmEvent(t, c, mem2, "user-2", "s-2", base.Add(time.Second), strings.Repeat("more ", 40))
	if got := msmDeliveries(t, srv.URL, mem2); len(got) != 1 || got[0].Trigger != "TOKEN_COUNT" {
		t.Fatalf("want one TOKEN_COUNT delivery at 100 tokens, got %+v", got)
	}
	// SKIP events are not counted.
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem2), ActorId: aws.String("user-2"), SessionId: aws.String("s-2"),
		EventTimestamp: aws.Time(base.Add(2 * time.Second)), ExtractionMode: dptypes.ExtractionModeSkip,
		Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, strings.Repeat("skip ", 200))}})
	if got := msmDeliveries(t, srv.URL, mem2); len(got) != 1 {
		t.Fatalf("a SKIP event delivered: %+v", got)
	}
}

// TestMemorySelfManagedIdleTrigger: the session's idle job delivers the
// pending events once idleSessionTimeout passes (or on an explicit
// advance), and not before.
func TestMemorySelfManagedIdleTrigger(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.DataClient(t)
	mem, _ := msmMemory(t, srv.Client(t), "selfmanaged_idle", 0,
		&types.TriggerConditionInputMemberMessageBasedTrigger{Value: types.MessageBasedTriggerInput{MessageCount: aws.Int32(50)}},
		&types.TriggerConditionInputMemberTimeBasedTrigger{Value: types.TimeBasedTriggerInput{IdleSessionTimeout: aws.Int32(10)}})
	base := time.Now().Add(-time.Hour)
	msmEvent(t, c, mem, "user-1", "s-1", base, "hello")
	msmEvent(t, c, mem, "user-1", "s-1", base.Add(time.Second), "still there?")
	if got := msmDeliveries(t, srv.URL, mem); len(got) != 0 {
		t.Fatalf("delivered before idle: %+v", got)
	}
	// An explicit advance of the session's idle job counts as the timeout.
	advanceOne(t, srv.URL, "memory-selfmanaged", mem+"|user-1|s-1")
	got := msmDeliveries(t, srv.URL, mem)
	if len(got) != 1 || got[0].Trigger != "IDLE_SESSION_TIMEOUT" {
		t.Fatalf("want one idle delivery, got %+v", got)
	}
	if p := msmRead(t, srv.Config.DataDir, got[0]); len(p.EventIDs) != 2 || p.CurrentContext[1].Content.Text != "still there?" {
		t.Fatalf("idle payload: %+v", p)
	}

	// The real timeout: one more event is delivered about 10 s later.
	msmEvent(t, c, mem, "user-1", "s-1", base.Add(2*time.Second), "bye")
	deadline := time.Now().Add(90 * time.Second)
	for len(msmDeliveries(t, srv.URL, mem)) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no idle delivery within 90 s of a 10 s idleSessionTimeout")
		}
		time.Sleep(200 * time.Millisecond)
	}
	got = msmDeliveries(t, srv.URL, mem)
	if p := msmRead(t, srv.Config.DataDir, got[1]); got[1].Trigger != "IDLE_SESSION_TIMEOUT" || len(p.EventIDs) != 1 || p.CurrentContext[0].Content.Text != "bye" {
		t.Fatalf("timed idle delivery: %+v %+v", got[1], p)
	}
}
