package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dpdoc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/document"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/store"
	"agentcored/internal/testserver"
)

type storeTx = store.Tx

func mevDocument(v any) dpdoc.Interface { return dpdoc.NewLazyDocument(v) }

// Helpers of the memory event tests carry an "mev" prefix.

var mevIDRe = regexp.MustCompile(`^[0-9]{19}#[a-fA-F0-9]+$`)

// mevMemory creates a memory with the given expiry (days) and waits until it
// is ACTIVE.
func mevMemory(t *testing.T, c *acc.Client, name string, expiryDays int32) string {
	t.Helper()
	out, err := c.CreateMemory(context.Background(), &acc.CreateMemoryInput{Name: aws.String(name), EventExpiryDuration: aws.Int32(expiryDays)})
	if err != nil {
		t.Fatalf("CreateMemory %s: %v", name, err)
	}
	id := out.Memory.Id
	eventuallyStatus(t, "memory "+name, func() (types.MemoryStatus, error) {
		m, err := c.GetMemory(context.Background(), &acc.GetMemoryInput{MemoryId: id})
		if err != nil {
			return "", err
		}
		return m.Memory.Status, nil
	}, types.MemoryStatusActive, types.MemoryStatusCreating)
	return aws.ToString(id)
}

func mevText(role dptypes.Role, text string) dptypes.PayloadType {
	return &dptypes.PayloadTypeMemberConversational{Value: dptypes.Conversational{
		Content: &dptypes.ContentMemberText{Value: text}, Role: role}}
}

// mevCreate writes one conversational event and returns it.
func mevCreate(t *testing.T, c *dp.Client, in *dp.CreateEventInput) *dptypes.Event {
	t.Helper()
	out, err := c.CreateEvent(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	return out.Event
}

func mevTextOf(t *testing.T, e dptypes.Event) string {
	t.Helper()
	if len(e.Payload) != 1 {
		t.Fatalf("event %s has %d payload items", aws.ToString(e.EventId), len(e.Payload))
	}
	conv, ok := e.Payload[0].(*dptypes.PayloadTypeMemberConversational)
	if !ok {
		t.Fatalf("event %s payload is %T", aws.ToString(e.EventId), e.Payload[0])
	}
	return conv.Value.Content.(*dptypes.ContentMemberText).Value
}

// mevListAll pages through ListEvents with the given page size.
func mevListAll(t *testing.T, c *dp.Client, in dp.ListEventsInput, size int32) (texts []string, pages int) {
	t.Helper()
	in.MaxResults = aws.Int32(size)
	for {
		out, err := c.ListEvents(context.Background(), &in)
		if err != nil {
			t.Fatalf("ListEvents: %v", err)
		}
		if len(out.Events) > int(size) {
			t.Fatalf("page of %d events, maxResults %d", len(out.Events), size)
		}
		pages++
		for _, e := range out.Events {
			texts = append(texts, mevTextOf(t, e))
		}
		if out.NextToken == nil {
			return texts, pages
		}
		in.NextToken = out.NextToken
	}
}

// TestMemoryEventsConversation: a conversation written with CreateEvent is
// listed back newest first, page by page, stable while events are added;
// includePayloads false omits the payload; GetEvent and DeleteEvent; the
// memory's ARN works as its id.
func TestMemoryEventsConversation(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	mem := mevMemory(t, ctl, "ev_conv", 30)

	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	var ids []string
	for i := range 7 {
		role := dptypes.RoleUser
		if i%2 == 1 {
			role = dptypes.RoleAssistant
		}
		ev := mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"), SessionId: aws.String("s1"),
			EventTimestamp: aws.Time(base.Add(time.Duration(i) * time.Second)), Payload: []dptypes.PayloadType{mevText(role, fmt.Sprintf("m%d", i))}})
		if !mevIDRe.MatchString(aws.ToString(ev.EventId)) {
			t.Fatalf("eventId %q does not match %s", aws.ToString(ev.EventId), mevIDRe)
		}
		if want := fmt.Sprintf("%019d#", base.Add(time.Duration(i)*time.Second).UnixMilli()); !strings.HasPrefix(aws.ToString(ev.EventId), want) {
			t.Errorf("eventId %s does not start with the timestamp %s", aws.ToString(ev.EventId), want)
		}
		if aws.ToString(ev.MemoryId) != mem || aws.ToString(ev.ActorId) != "user/alice" || aws.ToString(ev.SessionId) != "s1" {
			t.Errorf("event scope %s/%s/%s", aws.ToString(ev.MemoryId), aws.ToString(ev.ActorId), aws.ToString(ev.SessionId))
		}
		ids = append(ids, aws.ToString(ev.EventId))
	}
	list := dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"), SessionId: aws.String("s1")}
	texts, pages := mevListAll(t, c, list, 3)
	if want := "[m6 m5 m4 m3 m2 m1 m0]"; fmt.Sprint(texts) != want || pages != 3 {
		t.Fatalf("listed %v in %d pages, want %s in 3", texts, pages, want)
	}

	// A page token stays good while newer events arrive: the rest of the
	// listing neither repeats nor skips.
	in := list
	in.MaxResults = aws.Int32(3)
	first, err := c.ListEvents(ctx, &in)
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"), SessionId: aws.String("s1"),
		EventTimestamp: aws.Time(base.Add(time.Minute)), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "later")}})
	in.NextToken = first.NextToken
	in.MaxResults = aws.Int32(100)
	rest, err := c.ListEvents(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	var restTexts []string
	for _, e := range rest.Events {
		restTexts = append(restTexts, mevTextOf(t, e))
	}
	if fmt.Sprint(restTexts) != "[m3 m2 m1 m0]" || rest.NextToken != nil {
		t.Errorf("after a concurrent insert the rest is %v (next %v), want [m3 m2 m1 m0]", restTexts, rest.NextToken)
	}

	// includePayloads false.
	in = list
	in.IncludePayloads = aws.Bool(false)
	bare, err := c.ListEvents(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	if len(bare.Events) != 8 || bare.Events[0].Payload != nil || aws.ToString(bare.Events[0].EventId) == "" {
		t.Errorf("includePayloads=false: %d events, first payload %v", len(bare.Events), bare.Events[0].Payload)
	}

	// GetEvent, also through the memory's ARN.
	got, err := c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(memArnPrefix + mem), ActorId: aws.String("user/alice"),
		SessionId: aws.String("s1"), EventId: aws.String(ids[2])})
	if err != nil {
		t.Fatal(err)
	}
	if mevTextOf(t, *got.Event) != "m2" || !aws.ToTime(got.Event.EventTimestamp).Equal(base.Add(2*time.Second)) {
		t.Errorf("GetEvent: %s at %v", mevTextOf(t, *got.Event), aws.ToTime(got.Event.EventTimestamp))
	}
	// DeleteEvent answers the id; the event is gone after.
	del, err := c.DeleteEvent(ctx, &dp.DeleteEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"),
		SessionId: aws.String("s1"), EventId: aws.String(ids[2])})
	if err != nil || aws.ToString(del.EventId) != ids[2] {
		t.Fatalf("DeleteEvent: %v %v", del, err)
	}
	_, err = c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"),
		SessionId: aws.String("s1"), EventId: aws.String(ids[2])})
	wantCode(t, "GetEvent after delete", err, "ResourceNotFoundException")
	_, err = c.DeleteEvent(ctx, &dp.DeleteEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"),
		SessionId: aws.String("s1"), EventId: aws.String(ids[2])})
	wantCode(t, "DeleteEvent twice", err, "ResourceNotFoundException")
	texts, _ = mevListAll(t, c, list, 100)
	if fmt.Sprint(texts) != "[later m6 m5 m4 m3 m1 m0]" {
		t.Errorf("after the delete: %v", texts)
	}

	// Blob payloads round-trip.
	blob := mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"), SessionId: aws.String("s2"),
		EventTimestamp: aws.Time(base), Payload: []dptypes.PayloadType{&dptypes.PayloadTypeMemberBlob{Value: mevDocument(map[string]any{"k": "v"})}}})
	got, err = c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user/alice"),
		SessionId: aws.String("s2"), EventId: blob.EventId})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := got.Event.Payload[0].(*dptypes.PayloadTypeMemberBlob)
	if !ok {
		t.Fatalf("blob payload came back as %T", got.Event.Payload[0])
	}
	var v map[string]any
	if err := b.Value.UnmarshalSmithyDocument(&v); err != nil || v["k"] != "v" {
		t.Errorf("blob = %v (%v)", v, err)
	}
}

// TestMemoryEventsBranchesAndMetadata: branch filters, with and without
// parent branches, and metadata filters.
func TestMemoryEventsBranchesAndMetadata(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	mem := mevMemory(t, ctl, "ev_branch", 30)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	at := func(i int) *time.Time { return aws.Time(base.Add(time.Duration(i) * time.Second)) }
	write := func(i int, text string, branch *dptypes.Branch, md map[string]dptypes.MetadataValue) *dptypes.Event {
		return mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a1"), SessionId: aws.String("s"),
			EventTimestamp: at(i), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, text)}, Branch: branch, Metadata: md})
	}
	mdv := func(v string) dptypes.MetadataValue { return &dptypes.MetadataValueMemberStringValue{Value: v} }
	write(0, "main0", nil, map[string]dptypes.MetadataValue{"topic": mdv("food")})
	fork := write(1, "main1", nil, map[string]dptypes.MetadataValue{"topic": mdv("travel")})
	write(2, "main2", nil, nil)
	write(3, "alt0", &dptypes.Branch{Name: aws.String("alt"), RootEventId: fork.EventId}, map[string]dptypes.MetadataValue{"topic": mdv("food")})
	write(4, "alt1", &dptypes.Branch{Name: aws.String("alt"), RootEventId: fork.EventId}, nil)

	list := func(f *dptypes.FilterInput) []string {
		t.Helper()
		texts, _ := mevListAll(t, c, dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a1"), SessionId: aws.String("s"), Filter: f}, 2)
		return texts
	}
	cases := []struct {
		name   string
		filter *dptypes.FilterInput
		want   string
	}{
		{"no filter", nil, "[alt1 alt0 main2 main1 main0]"},
		{"branch alt", &dptypes.FilterInput{Branch: &dptypes.BranchFilter{Name: aws.String("alt")}}, "[alt1 alt0]"},
		{"branch main", &dptypes.FilterInput{Branch: &dptypes.BranchFilter{Name: aws.String("main")}}, "[main2 main1 main0]"},
		{"alt with parents", &dptypes.FilterInput{Branch: &dptypes.BranchFilter{Name: aws.String("alt"), IncludeParentBranches: aws.Bool(true)}}, "[alt1 alt0 main1 main0]"},
		{"topic = food", &dptypes.FilterInput{EventMetadata: []dptypes.EventMetadataFilterExpression{{
			Left: &dptypes.LeftExpressionMemberMetadataKey{Value: "topic"}, Operator: dptypes.OperatorTypeEqualsTo,
			Right: &dptypes.RightExpressionMemberMetadataValue{Value: mdv("food")}}}}, "[alt0 main0]"},
		{"topic exists", &dptypes.FilterInput{EventMetadata: []dptypes.EventMetadataFilterExpression{{
			Left: &dptypes.LeftExpressionMemberMetadataKey{Value: "topic"}, Operator: dptypes.OperatorTypeExists}}}, "[alt0 main1 main0]"},
		{"topic missing on main", &dptypes.FilterInput{Branch: &dptypes.BranchFilter{Name: aws.String("main")}, EventMetadata: []dptypes.EventMetadataFilterExpression{{
			Left: &dptypes.LeftExpressionMemberMetadataKey{Value: "topic"}, Operator: dptypes.OperatorTypeNotExists}}}, "[main2]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(list(tc.filter)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// A branch must fork from an event of the session.
	_, err := c.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a1"), SessionId: aws.String("other"),
		EventTimestamp: at(5), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "x")},
		Branch: &dptypes.Branch{Name: aws.String("alt"), RootEventId: fork.EventId}})
	wantCode(t, "branch rooted in another session", err, "ResourceNotFoundException")
}

// TestMemoryEventsIdempotency: the same clientToken with the same input
// answers the first event; with other input it is refused.
func TestMemoryEventsIdempotency(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	mem := mevMemory(t, ctl, "ev_idem", 30)
	ts := time.Now().Truncate(time.Millisecond)
	in := func(text string) *dp.CreateEventInput {
		return &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
			EventTimestamp: aws.Time(ts), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, text)}, ClientToken: aws.String(clientToken("ev-idem"))}
	}
	first := mevCreate(t, c, in("hello"))
	again := mevCreate(t, c, in("hello"))
	if aws.ToString(first.EventId) != aws.ToString(again.EventId) {
		t.Errorf("retry made event %s, first was %s", aws.ToString(again.EventId), aws.ToString(first.EventId))
	}
	_, err := c.CreateEvent(context.Background(), in("other"))
	wantCode(t, "same token, other input", err, "ValidationException")
	texts, _ := mevListAll(t, c, dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s")}, 10)
	if fmt.Sprint(texts) != "[hello]" {
		t.Errorf("stored %v, want one event", texts)
	}
}

// TestMemoryEventsSessionsAndActors: ListSessions and ListActors derive
// from events, page by page; a session whose last event is deleted goes.
func TestMemoryEventsSessionsAndActors(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	mem := mevMemory(t, ctl, "ev_sessions", 30)
	ts := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	var last *dptypes.Event
	for _, actor := range []string{"a1", "a2", "a3"} {
		for _, session := range []string{"s1", "s2", "s3"} {
			for range 2 {
				last = mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String(actor), SessionId: aws.String(session),
					EventTimestamp: aws.Time(ts), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "hi")}})
			}
		}
	}
	var actors []string
	in := &dp.ListActorsInput{MemoryId: aws.String(mem), MaxResults: aws.Int32(2)}
	for {
		out, err := c.ListActors(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.ActorSummaries {
			actors = append(actors, aws.ToString(a.ActorId))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if fmt.Sprint(actors) != "[a1 a2 a3]" {
		t.Errorf("actors %v", actors)
	}
	sessions := func(actor string) []string {
		t.Helper()
		var got []string
		in := &dp.ListSessionsInput{MemoryId: aws.String(mem), ActorId: aws.String(actor), MaxResults: aws.Int32(2)}
		for {
			out, err := c.ListSessions(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.SessionSummaries {
				if aws.ToString(s.ActorId) != actor || !aws.ToTime(s.CreatedAt).Equal(ts) {
					t.Errorf("session summary %+v", s)
				}
				got = append(got, aws.ToString(s.SessionId))
			}
			if out.NextToken == nil {
				return got
			}
			in.NextToken = out.NextToken
		}
	}
	if got := sessions("a3"); fmt.Sprint(got) != "[s1 s2 s3]" {
		t.Errorf("sessions of a3: %v", got)
	}
	// Delete both events of a3/s3: the session goes.
	out, err := c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a3"), SessionId: aws.String("s3")})
	if err != nil || len(out.Events) != 2 || aws.ToString(out.Events[0].EventId) != aws.ToString(last.EventId) {
		t.Fatalf("events of a3/s3: %v", err)
	}
	for _, e := range out.Events {
		if _, err := c.DeleteEvent(ctx, &dp.DeleteEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a3"), SessionId: aws.String("s3"), EventId: e.EventId}); err != nil {
			t.Fatal(err)
		}
	}
	if got := sessions("a3"); fmt.Sprint(got) != "[s1 s2]" {
		t.Errorf("sessions of a3 after deleting s3's events: %v", got)
	}
	if got := sessions("nobody"); len(got) != 0 {
		t.Errorf("sessions of an unknown actor: %v", got)
	}
}

// TestMemoryEventsValidation: maxResults above 100, malformed and unknown
// ids, a memory of another account.
func TestMemoryEventsValidation(t *testing.T) {
	srv := azStrict(t, azCredB())
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	mem := mevMemory(t, ctl, "ev_valid", 30)
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(time.Now()), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "secret")}})

	_, err := c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"), MaxResults: aws.Int32(101)})
	wantCode(t, "maxResults 101", err, "ValidationException")
	_, err = c.ListActors(ctx, &dp.ListActorsInput{MemoryId: aws.String(mem), MaxResults: aws.Int32(101)})
	wantCode(t, "ListActors maxResults 101", err, "ValidationException")
	_, err = c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String("bad id!"), ActorId: aws.String("a"), SessionId: aws.String("s")})
	wantCode(t, "malformed memory id", err, "ValidationException")
	_, err = c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String("nomem-abcdefghij"), ActorId: aws.String("a"), SessionId: aws.String("s")})
	wantCode(t, "unknown memory", err, "ResourceNotFoundException")
	_, err = c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"), EventId: aws.String("not-an-id")})
	wantCode(t, "malformed event id", err, "ValidationException")
	_, err = c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"), EventId: aws.String("0000001700000000000#abcd")})
	wantCode(t, "unknown event", err, "ResourceNotFoundException")
	_, err = c.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(time.Now()), Payload: []dptypes.PayloadType{}})
	wantCode(t, "empty payload", err, "ValidationException")
	_, err = c.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(time.Now()), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "x")},
		Branch: &dptypes.Branch{Name: aws.String("fork")}})
	wantCode(t, "branch without rootEventId", err, "ValidationException")
	_, err = c.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"), NextToken: aws.String("forged")})
	wantCode(t, "forged token", err, "ValidationException")

	// Account B sees nothing of A's memory, by id or ARN.
	b := dp.New(dp.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(azKeyB, azSecretB, ""), Retryer: aws.NopRetryer{},
		HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	for _, id := range []string{mem, memArnPrefix + mem} {
		_, err = b.ListEvents(ctx, &dp.ListEventsInput{MemoryId: aws.String(id), ActorId: aws.String("a"), SessionId: aws.String("s")})
		wantCode(t, "account B ListEvents", err, "ResourceNotFoundException")
		_, err = b.ListActors(ctx, &dp.ListActorsInput{MemoryId: aws.String(id)})
		wantCode(t, "account B ListActors", err, "ResourceNotFoundException")
		_, err = b.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(id), ActorId: aws.String("a"), SessionId: aws.String("s"),
			EventTimestamp: aws.Time(time.Now()), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "intrusion")}})
		wantCode(t, "account B CreateEvent", err, "ResourceNotFoundException")
	}
}

// TestMemoryEventsExpiry: events older than the memory's
// eventExpiryDuration (by eventTimestamp) are not answered and the sweep
// purges them; deleting the memory removes its events.
func TestMemoryEventsExpiry(t *testing.T) {
	srv := testserver.Start(t)
	ctl, c := srv.Client(t), srv.DataClient(t)
	ctx := context.Background()
	mem := mevMemory(t, ctl, "ev_expiry", 7)
	// An event stamped 7 days ago minus 3 seconds expires 3 seconds from now.
	soon := time.Now().Add(-7*24*time.Hour + 3*time.Second)
	old := mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(soon), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "old")}})
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(time.Now()), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "new")}})
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("b"), SessionId: aws.String("only-old"),
		EventTimestamp: aws.Time(soon), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "old")}})
	_, err := c.CreateEvent(ctx, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
		EventTimestamp: aws.Time(time.Now().Add(-8 * 24 * time.Hour)), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "too old")}})
	wantCode(t, "event already expired", err, "ValidationException")

	list := dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s")}
	eventually(t, "the old event expires", func() (bool, error) {
		texts, _ := mevListAll(t, c, list, 10)
		return fmt.Sprint(texts) == "[new]", nil
	})
	_, err = c.GetEvent(ctx, &dp.GetEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"), EventId: old.EventId})
	wantCode(t, "GetEvent of an expired event", err, "ResourceNotFoundException")
	// The sweep purges the stored rows: b's only session and b go.
	eventually(t, "the sweep purges actor b", func() (bool, error) {
		out, err := c.ListActors(ctx, &dp.ListActorsInput{MemoryId: aws.String(mem)})
		if err != nil {
			return false, err
		}
		n := 0
		if err := srv.Store.Read(ctx, func(tx storeTx) error {
			var err error
			n, err = tx.Count(ctx, "123456789012", "us-east-1", "memory-event", mem)
			return err
		}); err != nil {
			return false, err
		}
		return len(out.ActorSummaries) == 1 && aws.ToString(out.ActorSummaries[0].ActorId) == "a" && n == 1, nil
	})

	// Deleting the memory removes its events.
	if _, err := ctl.DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: aws.String(mem)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the memory's events go with it", func() (bool, error) {
		n := -1
		err := srv.Store.Read(ctx, func(tx storeTx) error {
			var err error
			n, err = tx.Count(ctx, "123456789012", "us-east-1", "memory-event", mem)
			return err
		})
		return n == 0, err
	})
}

// TestMemoryEventsSurviveRestart: events written before a restart on the
// same data are listed after it.
func TestMemoryEventsSurviveRestart(t *testing.T) {
	srv := testserver.Start(t)
	mem := mevMemory(t, srv.Client(t), "ev_restart", 30)
	ts := time.Now().Truncate(time.Millisecond)
	for i := range 3 {
		mevCreate(t, srv.DataClient(t), &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s"),
			EventTimestamp: aws.Time(ts.Add(time.Duration(i) * time.Millisecond)), Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, fmt.Sprint("r", i))}})
	}
	srv.Stop()
	if err := srv.Store.Close(); err != nil {
		t.Fatal(err)
	}
	again := testserver.StartWith(t, srv.Config, nil)
	texts, _ := mevListAll(t, again.DataClient(t), dp.ListEventsInput{MemoryId: aws.String(mem), ActorId: aws.String("a"), SessionId: aws.String("s")}, 2)
	if fmt.Sprint(texts) != "[r2 r1 r0]" {
		t.Errorf("after the restart: %v", texts)
	}
}

// TestMemoryEventsBoto3: boto3 writes a conversation and reads it back
// page by page, newest first.
func TestMemoryEventsBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	mem := mevMemory(t, srv.Client(t), "ev_boto3", 30)
	script := `import boto3, botocore.config, datetime
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=botocore.config.Config(retries={"max_attempts": 1}))
base = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
for i in range(5):
    c.create_event(memoryId="` + mem + `", actorId="user-1", sessionId="chat-1",
        eventTimestamp=base + datetime.timedelta(seconds=i),
        payload=[{"conversational": {"content": {"text": "turn %d" % i}, "role": "USER" if i % 2 == 0 else "ASSISTANT"}}],
        metadata={"n": {"stringValue": str(i)}})
token, texts, pages = None, [], 0
while True:
    kw = {"maxResults": 2}
    if token:
        kw["nextToken"] = token
    out = c.list_events(memoryId="` + mem + `", actorId="user-1", sessionId="chat-1", **kw)
    pages += 1
    texts += [e["payload"][0]["conversational"]["content"]["text"] for e in out["events"]]
    token = out.get("nextToken")
    if not token:
        break
print(pages, "|".join(texts))
print(len(c.list_events(memoryId="` + mem + `", actorId="user-1", sessionId="chat-1", includePayloads=False)["events"][0].get("payload", [])))
print(c.list_sessions(memoryId="` + mem + `", actorId="user-1")["sessionSummaries"][0]["sessionId"])
print(c.list_actors(memoryId="` + mem + `")["actorSummaries"][0]["actorId"])
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	want := "3 turn 4|turn 3|turn 2|turn 1|turn 0\n0\nchat-1\nuser-1"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("boto3 printed:\n%s\nwant:\n%s", got, want)
	}
}
