package e2e

import (
	"context"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dp "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore"
	dptypes "github.com/aws/aws-sdk-go-v2/service/bedrockagentcore/types"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// Helpers of the memory record tests carry an "mrec" prefix.

var mrecIDRe = regexp.MustCompile(`^mem-[a-zA-Z0-9_-]{36,46}$`)

// mrecMemory creates a memory with a semantic, a user-preference and a
// summary strategy and answers its id and the strategies' ids by type. It
// waits for ACTIVE (advancing it under the manual policy).
func mrecMemory(t *testing.T, srv *testserver.Server, c *acc.Client, name string, manual bool) (string, map[types.MemoryStrategyType]string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateMemory(ctx, &acc.CreateMemoryInput{Name: aws.String(name), EventExpiryDuration: aws.Int32(30),
		MemoryStrategies: []types.MemoryStrategyInput{
			&types.MemoryStrategyInputMemberSemanticMemoryStrategy{Value: types.SemanticMemoryStrategyInput{
				Name: aws.String("facts"), Namespaces: []string{"/facts/{actorId}/{sessionId}"}}},
			&types.MemoryStrategyInputMemberUserPreferenceMemoryStrategy{Value: types.UserPreferenceMemoryStrategyInput{
				Name: aws.String("prefs"), Namespaces: []string{"/prefs/{actorId}"}}},
			&types.MemoryStrategyInputMemberSummaryMemoryStrategy{Value: types.SummaryMemoryStrategyInput{
				Name: aws.String("summaries"), Namespaces: []string{"/summaries/{actorId}/{sessionId}/{memoryStrategyId}"}}},
		}})
	if err != nil {
		t.Fatalf("CreateMemory %s: %v", name, err)
	}
	id := aws.ToString(out.Memory.Id)
	if manual {
		advanceOne(t, srv.URL, "memory", id)
	}
	m, err := c.GetMemory(ctx, &acc.GetMemoryInput{MemoryId: aws.String(id)})
	if err != nil || m.Memory.Status != types.MemoryStatusActive {
		t.Fatalf("GetMemory %s: %v %v", id, err, m)
	}
	ids := map[types.MemoryStrategyType]string{}
	for _, s := range m.Memory.Strategies {
		ids[s.Type] = aws.ToString(s.StrategyId)
	}
	return id, ids
}

func mrecConversation(t *testing.T, c *dp.Client, mem, actor, session string, turns ...string) {
	t.Helper()
	base := time.Now().Add(-time.Hour)
	for i, text := range turns {
		role := dptypes.RoleUser
		if i%2 == 1 {
			role = dptypes.RoleAssistant
		}
		mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String(actor), SessionId: aws.String(session),
			EventTimestamp: aws.Time(base.Add(time.Duration(i) * time.Second)), Payload: []dptypes.PayloadType{mevText(role, text)}})
	}
}

func mrecText(r dptypes.MemoryRecordSummary) string {
	if t, ok := r.Content.(*dptypes.MemoryContentMemberText); ok {
		return t.Value
	}
	return ""
}

// mrecList pages through ListMemoryRecords.
func mrecList(t *testing.T, c *dp.Client, in dp.ListMemoryRecordsInput) []dptypes.MemoryRecordSummary {
	t.Helper()
	var all []dptypes.MemoryRecordSummary
	for {
		out, err := c.ListMemoryRecords(context.Background(), &in)
		if err != nil {
			t.Fatalf("ListMemoryRecords: %v", err)
		}
		all = append(all, out.MemoryRecordSummaries...)
		if out.NextToken == nil {
			return all
		}
		in.NextToken = out.NextToken
	}
}

var mrecTurns = []string{
	"Hi, I need to book a trip to Lisbon next month.",
	"Sure, I can help with the Lisbon trip. Any preferences?",
	"I prefer window seats on flights. I like hotels near the old town.",
	"Noted: a window seat and a hotel in Alfama.",
	"Also the quarterly budget meeting moved to Tuesday.",
}

// TestMemoryRecordsExtractionAndRetrieval: a conversation written with
// CreateEvent is extracted (immediate policy) by every strategy under its
// resolved namespace; RetrieveMemoryRecords ranks the relevant record first
// for a query that shares no exact substring with it.
func TestMemoryRecordsExtractionAndRetrieval(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	c := srv.DataClient(t)
	mem, strat := mrecMemory(t, srv, srv.Client(t), "rec_extract", false)
	mrecConversation(t, c, mem, "user-1", "trip-1", mrecTurns...)
	// A SKIP event is stored, not extracted.
	mevCreate(t, c, &dp.CreateEventInput{MemoryId: aws.String(mem), ActorId: aws.String("user-1"), SessionId: aws.String("trip-1"),
		EventTimestamp: aws.Time(time.Now()), ExtractionMode: dptypes.ExtractionModeSkip,
		Payload: []dptypes.PayloadType{mevText(dptypes.RoleUser, "I love secret durian smoothies.")}})

	facts := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/facts/user-1/trip-1")})
	if len(facts) != len(mrecTurns) {
		t.Fatalf("semantic records: %d, want %d: %+v", len(facts), len(mrecTurns), facts)
	}
	for _, r := range facts {
		if !mrecIDRe.MatchString(aws.ToString(r.MemoryRecordId)) || aws.ToString(r.MemoryStrategyId) != strat[types.MemoryStrategyTypeSemantic] ||
			len(r.Namespaces) != 1 || r.Namespaces[0] != "/facts/user-1/trip-1" {
			t.Errorf("semantic record %+v", r)
		}
		if strings.Contains(mrecText(r), "durian") {
			t.Errorf("a SKIP event was extracted: %q", mrecText(r))
		}
	}
	prefs := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), NamespacePath: aws.String("/prefs/user-1")})
	var ptexts []string
	for _, r := range prefs {
		ptexts = append(ptexts, mrecText(r))
	}
	if want := "The user prefers window seats on flights.|The user likes hotels near the old town."; strings.Join(ptexts, "|") != want {
		t.Errorf("preference records %q, want %q", ptexts, want)
	}
	sumNS := "/summaries/user-1/trip-1/" + strat[types.MemoryStrategyTypeSummarization]
	sums := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String(sumNS)})
	if len(sums) != 1 || !strings.Contains(mrecText(sums[0]), "quarterly budget") || !strings.HasPrefix(mrecText(sums[0]), "Session summary:") {
		t.Errorf("summary records under %s: %+v", sumNS, sums)
	}
	// Strategy filter.
	if got := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), MemoryStrategyId: aws.String(strat[types.MemoryStrategyTypeUserPreference])}); len(got) != 2 {
		t.Errorf("records of the preference strategy: %d, want 2", len(got))
	}

	// Retrieval: stemmed words, not substrings ("flight seat preference"
	// vs "prefers window seats on flights").
	out, err := c.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/prefs/"),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("flight seat preference"), TopK: aws.Int32(5)}})
	if err != nil {
		t.Fatalf("RetrieveMemoryRecords: %v", err)
	}
	if len(out.MemoryRecordSummaries) == 0 || mrecText(out.MemoryRecordSummaries[0]) != "The user prefers window seats on flights." {
		t.Fatalf("retrieve: %+v", out.MemoryRecordSummaries)
	}
	if s := out.MemoryRecordSummaries[0].Score; s == nil || *s <= 0 || *s >= 1 {
		t.Errorf("score %v, want in (0,1)", s)
	}
	// Across all namespaces the preference still ranks first over the
	// semantic turns that mention the same words less.
	out, err = c.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/facts/"),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("budget meetings"), TopK: aws.Int32(1)}})
	if err != nil || len(out.MemoryRecordSummaries) != 1 || !strings.Contains(mrecText(out.MemoryRecordSummaries[0]), "budget meeting moved") {
		t.Fatalf("retrieve budget: %v %+v", err, out)
	}
	// Nothing relevant: nothing answered.
	out, err = c.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("zebra giraffe")}})
	if err != nil || len(out.MemoryRecordSummaries) != 0 {
		t.Fatalf("retrieve unrelated: %v %+v", err, out)
	}
	// No failed extraction jobs.
	jobs, err := c.ListMemoryExtractionJobs(ctx, &dp.ListMemoryExtractionJobsInput{MemoryId: aws.String(mem)})
	if err != nil || len(jobs.Jobs) != 0 {
		t.Fatalf("ListMemoryExtractionJobs: %v %+v", err, jobs)
	}
	_, err = c.StartMemoryExtractionJob(ctx, &dp.StartMemoryExtractionJobInput{MemoryId: aws.String(mem),
		ExtractionJob: &dptypes.ExtractionJob{JobId: aws.String("no-such-job")}})
	if errCode(err) != "ResourceNotFoundException" {
		t.Errorf("StartMemoryExtractionJob of an unknown job: %v", err)
	}

	// Deleting the memory removes its records.
	if _, err := srv.Client(t).DeleteMemory(ctx, &acc.DeleteMemoryInput{MemoryId: aws.String(mem)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListMemoryRecords(ctx, &dp.ListMemoryRecordsInput{MemoryId: aws.String(mem)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("ListMemoryRecords of a deleted memory: %v", err)
	}
}

// TestMemoryRecordsManualExtraction: under the manual policy extraction
// waits for an explicit advance of the session's extraction job.
func TestMemoryRecordsManualExtraction(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "manual" })
	c := srv.DataClient(t)
	mem, _ := mrecMemory(t, srv, srv.Client(t), "rec_manual", true)
	mrecConversation(t, c, mem, "user-2", "s-1", "I hate early morning meetings.", "Understood.")
	if got := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem)}); len(got) != 0 {
		t.Fatalf("records before the advance: %+v", got)
	}
	advanceOne(t, srv.URL, "memory-extraction", mem+"|user-2|s-1")
	got := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/prefs/user-2")})
	if len(got) != 1 || mrecText(got[0]) != "The user hates early morning meetings." {
		t.Fatalf("preference after the advance: %+v", got)
	}
}

// TestMemoryRecordsBatchAndPaging: batch create/update/delete with partial
// failures, get, delete, pagination, metadata filters, idempotency.
func TestMemoryRecordsBatchAndPaging(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	c := srv.DataClient(t)
	mem, _ := mrecMemory(t, srv, srv.Client(t), "rec_batch", false)
	now := time.Now()
	var recs []dptypes.MemoryRecordCreateInput
	for i := 0; i < 7; i++ {
		recs = append(recs, dptypes.MemoryRecordCreateInput{RequestIdentifier: aws.String("r" + string(rune('a'+i))),
			Namespaces: []string{"/self/user-1"}, Content: &dptypes.MemoryContentMemberText{Value: "fact number " + string(rune('a'+i))},
			Timestamp: aws.Time(now), MemoryStrategyId: aws.String("mine"),
			Metadata: map[string]dptypes.MemoryRecordMetadataValue{"topic": &dptypes.MemoryRecordMetadataValueMemberStringValue{Value: map[bool]string{true: "even", false: "odd"}[i%2 == 0]}}})
	}
	// A duplicate request identifier and a record without a namespace fail.
	recs = append(recs,
		dptypes.MemoryRecordCreateInput{RequestIdentifier: aws.String("ra"), Namespaces: []string{"/self/user-1"},
			Content: &dptypes.MemoryContentMemberText{Value: "dup"}, Timestamp: aws.Time(now)},
		dptypes.MemoryRecordCreateInput{RequestIdentifier: aws.String("nons"), Namespaces: []string{},
			Content: &dptypes.MemoryContentMemberText{Value: "no namespace"}, Timestamp: aws.Time(now)})
	created, err := c.BatchCreateMemoryRecords(ctx, &dp.BatchCreateMemoryRecordsInput{MemoryId: aws.String(mem), Records: recs, ClientToken: aws.String("batch-token-1")})
	if err != nil {
		t.Fatalf("BatchCreateMemoryRecords: %v", err)
	}
	if len(created.SuccessfulRecords) != 7 || len(created.FailedRecords) != 2 {
		t.Fatalf("batch create: %d ok, %d failed", len(created.SuccessfulRecords), len(created.FailedRecords))
	}
	for _, f := range created.FailedRecords {
		if f.Status != dptypes.MemoryRecordStatusFailed || aws.ToInt32(f.ErrorCode) != 400 {
			t.Errorf("failed record %+v", f)
		}
	}
	// The same token replays the answer (no second set of records).
	again, err := c.BatchCreateMemoryRecords(ctx, &dp.BatchCreateMemoryRecordsInput{MemoryId: aws.String(mem), Records: recs, ClientToken: aws.String("batch-token-1")})
	if err != nil || aws.ToString(again.SuccessfulRecords[0].MemoryRecordId) != aws.ToString(created.SuccessfulRecords[0].MemoryRecordId) {
		t.Fatalf("replay: %v %+v", err, again)
	}

	// Pages of 3 list the 7 in creation order.
	var pages int
	in := dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/self/"), MaxResults: aws.Int32(3)}
	var listed []string
	for {
		out, err := c.ListMemoryRecords(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.MemoryRecordSummaries {
			listed = append(listed, mrecText(r))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if pages != 3 || len(listed) != 7 || listed[0] != "fact number a" || listed[6] != "fact number g" {
		t.Fatalf("pages %d: %q", pages, listed)
	}
	even := mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), MetadataFilters: []dptypes.MemoryMetadataFilterExpression{{
		Left: &dptypes.MemoryRecordLeftExpressionMemberMetadataKey{Value: "topic"}, Operator: dptypes.MemoryRecordOperatorTypeEqualsTo,
		Right: &dptypes.MemoryRecordRightExpressionMemberMetadataValue{Value: &dptypes.MemoryRecordMetadataValueMemberStringValue{Value: "even"}}}}})
	if len(even) != 4 {
		t.Errorf("metadata EQUALS_TO even: %d, want 4", len(even))
	}

	first := aws.ToString(created.SuccessfulRecords[0].MemoryRecordId)
	second := aws.ToString(created.SuccessfulRecords[1].MemoryRecordId)
	upd, err := c.BatchUpdateMemoryRecords(ctx, &dp.BatchUpdateMemoryRecordsInput{MemoryId: aws.String(mem), Records: []dptypes.MemoryRecordUpdateInput{
		{MemoryRecordId: aws.String(first), Timestamp: aws.Time(now), Content: &dptypes.MemoryContentMemberText{Value: "The user drives an electric car"}},
		{MemoryRecordId: aws.String("mem-00000000000000000000000000000000000000"), Timestamp: aws.Time(now)},
	}})
	if err != nil || len(upd.SuccessfulRecords) != 1 || len(upd.FailedRecords) != 1 || aws.ToInt32(upd.FailedRecords[0].ErrorCode) != 404 {
		t.Fatalf("batch update: %v %+v", err, upd)
	}
	got, err := c.GetMemoryRecord(ctx, &dp.GetMemoryRecordInput{MemoryId: aws.String(mem), MemoryRecordId: aws.String(first)})
	if err != nil || got.MemoryRecord.Content.(*dptypes.MemoryContentMemberText).Value != "The user drives an electric car" {
		t.Fatalf("GetMemoryRecord after update: %v %+v", err, got)
	}
	// The index follows the update.
	ret, err := c.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem), Namespace: aws.String("/self/"),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("electric cars driving"), MemoryStrategyId: aws.String("mine")}})
	if err != nil || len(ret.MemoryRecordSummaries) != 1 || aws.ToString(ret.MemoryRecordSummaries[0].MemoryRecordId) != first {
		t.Fatalf("retrieve updated: %v %+v", err, ret)
	}

	del, err := c.BatchDeleteMemoryRecords(ctx, &dp.BatchDeleteMemoryRecordsInput{MemoryId: aws.String(mem), Records: []dptypes.MemoryRecordDeleteInput{
		{MemoryRecordId: aws.String(first)}, {MemoryRecordId: aws.String("mem-00000000000000000000000000000000000000")}}})
	if err != nil || len(del.SuccessfulRecords) != 1 || len(del.FailedRecords) != 1 {
		t.Fatalf("batch delete: %v %+v", err, del)
	}
	if _, err := c.DeleteMemoryRecord(ctx, &dp.DeleteMemoryRecordInput{MemoryId: aws.String(mem), MemoryRecordId: aws.String(second)}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{first, second} {
		if _, err := c.GetMemoryRecord(ctx, &dp.GetMemoryRecordInput{MemoryId: aws.String(mem), MemoryRecordId: aws.String(id)}); errCode(err) != "ResourceNotFoundException" {
			t.Errorf("GetMemoryRecord of deleted %s: %v", id, err)
		}
	}
	if _, err := c.DeleteMemoryRecord(ctx, &dp.DeleteMemoryRecordInput{MemoryId: aws.String(mem), MemoryRecordId: aws.String(second)}); errCode(err) != "ResourceNotFoundException" {
		t.Errorf("second DeleteMemoryRecord: %v", err)
	}
	ret, err = c.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("electric car")}})
	if err != nil || len(ret.MemoryRecordSummaries) != 0 {
		t.Fatalf("retrieve deleted: %v %+v", err, ret)
	}
	if n := len(mrecList(t, c, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem)})); n != 5 {
		t.Errorf("records left: %d, want 5", n)
	}
	// Validation.
	_, err = c.ListMemoryRecords(ctx, &dp.ListMemoryRecordsInput{MemoryId: aws.String(mem), MaxResults: aws.Int32(101)})
	dpWantValidation(t, "ListMemoryRecords maxResults 101", err, "'maxResults'")
	_, err = c.GetMemoryRecord(ctx, &dp.GetMemoryRecordInput{MemoryId: aws.String(mem), MemoryRecordId: aws.String("mem-short")})
	dpWantValidation(t, "GetMemoryRecord short id", err, "'memoryRecordId'")
}

// TestMemoryRecordsIsolation: another account sees nothing of a memory's
// records, by list, get or search.
func TestMemoryRecordsIsolation(t *testing.T) {
	ctx := context.Background()
	srv := azStrict(t, azCredB())
	a := srv.DataClient(t)
	b := dp.New(dp.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(azKeyB, azSecretB, ""), Retryer: aws.NopRetryer{},
		HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	mem, _ := mrecMemory(t, srv, srv.Client(t), "rec_iso", false)
	mrecConversation(t, a, mem, "user-1", "s-1", "I prefer window seats on flights.")
	if n := len(mrecList(t, a, dp.ListMemoryRecordsInput{MemoryId: aws.String(mem)})); n == 0 {
		t.Fatal("account A has no records")
	}
	_, err := b.ListMemoryRecords(ctx, &dp.ListMemoryRecordsInput{MemoryId: aws.String(mem)})
	if errCode(err) != "ResourceNotFoundException" {
		t.Errorf("B ListMemoryRecords: %v", err)
	}
	_, err = b.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(mem),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("window seat")}})
	if errCode(err) != "ResourceNotFoundException" {
		t.Errorf("B RetrieveMemoryRecords: %v", err)
	}
	// B's own memory of the same name finds nothing of A's.
	memB, _ := mrecMemory(t, srv, srv.ClientAs(t, azKeyB, azSecretB, "us-east-1"), "rec_iso", false)
	out, err := b.RetrieveMemoryRecords(ctx, &dp.RetrieveMemoryRecordsInput{MemoryId: aws.String(memB),
		SearchCriteria: &dptypes.SearchCriteria{SearchQuery: aws.String("window seat")}})
	if err != nil || len(out.MemoryRecordSummaries) != 0 {
		t.Errorf("B's own memory: %v %+v", err, out)
	}
}

// TestMemoryRecordsBoto3: batch create and retrieve through boto3.
func TestMemoryRecordsBoto3(t *testing.T) {
	py := admPython(t, "boto3")
	srv := testserver.Start(t)
	mem, _ := mrecMemory(t, srv, srv.Client(t), "rec_boto3", false)
	script := `import boto3, botocore.config, datetime
c = boto3.client("bedrock-agentcore", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    config=botocore.config.Config(retries={"max_attempts": 1}))
now = datetime.datetime.now(datetime.timezone.utc)
texts = ["The user prefers window seats on flights", "The user likes pizza with extra cheese", "Quarterly budget meeting moved to Tuesday"]
out = c.batch_create_memory_records(memoryId="` + mem + `", records=[
    {"requestIdentifier": "r%d" % i, "namespaces": ["/users/u1"], "content": {"text": t}, "timestamp": now} for i, t in enumerate(texts)])
print(len(out["successfulRecords"]), len(out["failedRecords"]))
r = c.retrieve_memory_records(memoryId="` + mem + `", namespace="/users/", searchCriteria={"searchQuery": "flight seat preference", "topK": 2})
print(r["memoryRecordSummaries"][0]["content"]["text"], r["memoryRecordSummaries"][0]["score"] > 0)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = append(cleanAWSEnv(), "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE="+srv.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	want := "3 0\nThe user prefers window seats on flights True"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("boto3 printed:\n%s\nwant:\n%s", got, want)
	}
}
