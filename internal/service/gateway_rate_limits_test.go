package service

import (
	"context"
	"errors"
	"slices"
	"testing"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/lifecycle"
	"agentcored/internal/store"
)

func rateLimitService(t *testing.T, policy lifecycle.Policy) (*Service, store.Store) {
	return testService(t, policy)
}

func rlGateway(t *testing.T, s *Service, name string) string {
	t.Helper()
	gw, err := s.CreateGateway(call("CreateGateway", ""), &api.CreateGatewayRequest{Name: name, AuthorizerType: api.AuthorizerTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	return gw.GatewayId
}

// rlEntry is an entry of rate requests per second for the dimension
// key/value pairs kv.
func rlEntry(rate float64, kv ...string) api.LimitEntry {
	dims := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		dims[kv[i]] = kv[i+1]
	}
	return api.LimitEntry{Dimensions: dims, Requests: []api.RateConfig{{Rate: ptr(rate), Period: api.PeriodSecond}}}
}

func rlCreate(t *testing.T, s *Service, gw, id string, keys []string, entries ...api.LimitEntry) *api.CreateGatewayRateLimitResponse {
	t.Helper()
	out, err := s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: id, DimensionKeys: keys, Entries: entries})
	if err != nil {
		t.Fatalf("create %v: %v", keys, err)
	}
	return out
}

func rlList(t *testing.T, s *Service, gw string) []api.GatewayRateLimitDetail {
	t.Helper()
	out, err := s.ListGatewayRateLimits(call("ListGatewayRateLimits", ""), &api.ListGatewayRateLimitsRequest{GatewayIdentifier: gw, MaxResults: ptr(int64(100))})
	if err != nil {
		t.Fatal(err)
	}
	return out.RateLimits
}

// wantErr checks err's code and, for a validation error, the member it names.
func wantErr(t *testing.T, what string, err error, code, member string) {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	if member != "" && (len(ae.Fields) != 1 || ae.Fields[0].Name != member) {
		t.Fatalf("%s: fields %+v, want %s", what, ae.Fields, member)
	}
}

func TestCheckRateLimit(t *testing.T) {
	two := []string{"targetName", "toolName"}
	tokens := func(p api.Period) api.LimitEntry {
		return api.LimitEntry{Dimensions: map[string]string{"targetName": "*", "toolName": "*"}, Tokens: []api.RateConfig{{Rate: ptr(1000.0), Period: p}}}
	}
	connections := func(p api.Period) api.LimitEntry {
		return api.LimitEntry{Dimensions: map[string]string{"targetName": "t", "toolName": "*"}, Connections: []api.RateConfig{{Rate: ptr(5.0), Period: p}}}
	}
	tests := []struct {
		name    string
		keys    []string
		entries []api.LimitEntry
		member  string // "" when valid
	}{
		{"exact keys, trailing wildcards", two, []api.LimitEntry{
			rlEntry(100, "targetName", "t", "toolName", "t___read"),
			rlEntry(10, "targetName", "t", "toolName", "*"),
			rlEntry(1, "targetName", "*", "toolName", "*"),
			rlEntry(0, "targetName", "blocked", "toolName", "*"),
		}, ""},
		{"tokens per minute, connections per second", two, []api.LimitEntry{tokens(api.PeriodMinute), connections(api.PeriodSecond)}, ""},
		{"dimension missing", two, []api.LimitEntry{rlEntry(1, "targetName", "*", "toolName", "*"), rlEntry(1, "targetName", "t")}, "entries.2.member.dimensions"},
		{"dimension not a key", []string{"targetName"}, []api.LimitEntry{rlEntry(1, "targetName", "t", "toolName", "*")}, "entries.1.member.dimensions"},
		{"other key of the same count", []string{"targetName"}, []api.LimitEntry{rlEntry(1, "toolName", "*")}, "entries.1.member.dimensions"},
		{"wildcard before a value", two, []api.LimitEntry{rlEntry(1, "targetName", "*", "toolName", "t___read")}, "entries.1.member.dimensions"},
		{"no metric", two, []api.LimitEntry{{Dimensions: map[string]string{"targetName": "*", "toolName": "*"}}}, "entries.1.member"},
		{"tokens per second", two, []api.LimitEntry{tokens(api.PeriodSecond)}, "entries.1.member.tokens.1.member.period"},
		{"connections per minute", two, []api.LimitEntry{connections(api.PeriodMinute)}, "entries.1.member.connections.1.member.period"},
		{"repeated dimension key", []string{"targetName", "targetName"}, []api.LimitEntry{rlEntry(1, "targetName", "*")}, "dimensionKeys"},
		{"two entries for the same values", two, []api.LimitEntry{
			rlEntry(1, "targetName", "t", "toolName", "*"), rlEntry(2, "targetName", "u", "toolName", "*"), rlEntry(3, "toolName", "*", "targetName", "t"),
		}, "entries.3.member.dimensions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkRateLimit("", tc.keys, tc.entries)
			if tc.member == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, tc.name, err, awserr.CodeValidation, tc.member)
			// In a batch the member path carries the limit's position.
			wantErr(t, tc.name, checkRateLimit("rateLimits.3.member.", tc.keys, tc.entries), awserr.CodeValidation, "rateLimits.3.member."+tc.member)
		})
	}
}

func TestGatewayRateLimitCRUD(t *testing.T) {
	s, st := rateLimitService(t, lifecycle.PolicyImmediate)
	gw := rlGateway(t, s, "limits")
	other := rlGateway(t, s, "other")

	_, err := s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: "missing-abcdefghij", DimensionKeys: []string{"targetName"}, Entries: []api.LimitEntry{rlEntry(1, "targetName", "*")}})
	wantErr(t, "create under a missing gateway", err, awserr.CodeNotFound, "")

	keys := []string{"targetName", "toolName"}
	created := rlCreate(t, s, gw, "", keys, rlEntry(10, "targetName", "*", "toolName", "*"))
	if created.Status != api.GatewayRateLimitStatusCreating || created.GatewayIdentifier != gw || len(created.RateLimitId) != 36 ||
		created.CreatedAt.IsZero() || created.UpdatedAt.IsZero() {
		t.Fatalf("create answered %+v", created)
	}
	got, err := s.GetGatewayRateLimit(call("GetGatewayRateLimit", ""), &api.GetGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: created.RateLimitId})
	if err != nil || got.Status != api.GatewayRateLimitStatusActive || !slices.Equal(got.DimensionKeys, keys) {
		t.Fatalf("get = %+v, %v", got, err)
	}

	// The dimension keys are unique per gateway as a set.
	_, err = s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: gw, DimensionKeys: []string{"toolName", "targetName"}, Entries: []api.LimitEntry{rlEntry(1, "toolName", "*", "targetName", "*")}})
	wantErr(t, "same keys in another order", err, awserr.CodeConflict, "")
	rlCreate(t, s, other, "", keys, rlEntry(10, "targetName", "*", "toolName", "*")) // another gateway's are its own

	custom := rlCreate(t, s, gw, "per-target.rps", []string{"targetName"}, rlEntry(5, "targetName", "*"))
	if custom.RateLimitId != "per-target.rps" {
		t.Fatalf("custom id answered %q", custom.RateLimitId)
	}
	_, err = s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: "per-target.rps", DimensionKeys: []string{"toolName"}, Entries: []api.LimitEntry{rlEntry(1, "toolName", "*")}})
	wantErr(t, "taken id", err, awserr.CodeConflict, "")
	rlCreate(t, s, other, "per-target.rps", []string{"targetName"}, rlEntry(5, "targetName", "*"))

	// Update is a patch of entries and description, checked against the
	// stored keys.
	_, err = s.UpdateGatewayRateLimit(call("UpdateGatewayRateLimit", ""), &api.UpdateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: custom.RateLimitId, Entries: []api.LimitEntry{rlEntry(1, "toolName", "*")}})
	wantErr(t, "update with entries of other keys", err, awserr.CodeValidation, "entries.1.member.dimensions")
	upd, err := s.UpdateGatewayRateLimit(call("UpdateGatewayRateLimit", ""), &api.UpdateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: custom.RateLimitId, Description: "per target", Entries: []api.LimitEntry{rlEntry(50, "targetName", "*")}})
	if err != nil || upd.Status != api.GatewayRateLimitStatusUpdating || upd.Description != "per target" {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	upd, err = s.UpdateGatewayRateLimit(call("UpdateGatewayRateLimit", ""), &api.UpdateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: custom.RateLimitId, Entries: []api.LimitEntry{rlEntry(60, "targetName", "*")}})
	if err != nil || upd.Description != "per target" || *upd.Entries[0].Requests[0].Rate != 60 || upd.CreatedAt.UnixMilli() != custom.CreatedAt.UnixMilli() {
		t.Fatalf("second update = %+v, %v", upd, err)
	}
	_, err = s.UpdateGatewayRateLimit(call("UpdateGatewayRateLimit", ""), &api.UpdateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: "nope", Entries: []api.LimitEntry{rlEntry(60, "targetName", "*")}})
	wantErr(t, "update a missing limit", err, awserr.CodeNotFound, "")

	if got := rlList(t, s, gw); len(got) != 2 || got[0].RateLimitId != created.RateLimitId || got[1].Status != api.GatewayRateLimitStatusActive {
		t.Fatalf("list = %+v", got)
	}
	_, err = s.ListGatewayRateLimits(call("ListGatewayRateLimits", ""), &api.ListGatewayRateLimitsRequest{GatewayIdentifier: "missing-abcdefghij"})
	wantErr(t, "list under a missing gateway", err, awserr.CodeNotFound, "")

	del, err := s.DeleteGatewayRateLimit(call("DeleteGatewayRateLimit", ""), &api.DeleteGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: custom.RateLimitId})
	if err != nil || del.Status != api.GatewayRateLimitStatusDeleting || del.RateLimitId != custom.RateLimitId {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	_, err = s.GetGatewayRateLimit(call("GetGatewayRateLimit", ""), &api.GetGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: custom.RateLimitId})
	wantErr(t, "get after delete", err, awserr.CodeNotFound, "")
	rlCreate(t, s, gw, "per-target.rps", []string{"targetName"}, rlEntry(5, "targetName", "*")) // id and keys free again

	// Deleting the gateway takes its rate limits, not the other gateway's.
	if _, err := s.DeleteGateway(call("DeleteGateway", ""), &api.DeleteGatewayRequest{GatewayIdentifier: gw}); err != nil {
		t.Fatal(err)
	}
	count := func(parent string) int {
		t.Helper()
		var n int
		if err := st.Read(context.Background(), func(tx store.Tx) error {
			var err error
			n, err = tx.Count(context.Background(), "123456789012", "us-east-1", kindGatewayRateLimit, parent)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(gw); n != 0 {
		t.Errorf("%d rate limits left after their gateway's deletion", n)
	}
	if n := count(other); n != 2 {
		t.Errorf("other gateway has %d rate limits, want 2", n)
	}
}

func TestGatewayRateLimitQuota(t *testing.T) {
	s, _ := rateLimitService(t, lifecycle.PolicyImmediate)
	gw := rlGateway(t, s, "full")
	jwtKey := func(i int) string { return "$.context.jwt.c" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }
	for i := range maxRateLimitsPerGateway {
		rlCreate(t, s, gw, "", []string{jwtKey(i)}, rlEntry(1, jwtKey(i), "*"))
	}
	_, err := s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: gw, DimensionKeys: []string{"targetName"}, Entries: []api.LimitEntry{rlEntry(1, "targetName", "*")}})
	wantErr(t, "one over the quota", err, awserr.CodeQuota, "")
}

func TestBatchPutGatewayRateLimits(t *testing.T) {
	s, _ := rateLimitService(t, lifecycle.PolicyImmediate)
	gw := rlGateway(t, s, "batch")
	byID := rlCreate(t, s, gw, "by-id", []string{"targetName"}, rlEntry(1, "targetName", "*"))
	byKeys := rlCreate(t, s, gw, "", []string{"toolName"}, rlEntry(1, "toolName", "*"))
	dropped := rlCreate(t, s, gw, "dropped", []string{"$.context.jwt.sub"}, rlEntry(1, "$.context.jwt.sub", "*"))
	reordered := rlCreate(t, s, gw, "reordered", []string{"targetName", "qualifiedModelId"}, rlEntry(1, "targetName", "*", "qualifiedModelId", "*"))
	before := rlList(t, s, gw)

	put := func(limits ...api.BatchPutLimitEntry) (*api.BatchPutGatewayRateLimitsResponse, error) {
		return s.BatchPutGatewayRateLimits(call("BatchPutGatewayRateLimits", ""), &api.BatchPutGatewayRateLimitsRequest{GatewayIdentifier: gw, RateLimits: limits})
	}
	limit := func(id string, keys []string, entries ...api.LimitEntry) api.BatchPutLimitEntry {
		return api.BatchPutLimitEntry{RateLimitId: id, DimensionKeys: keys, Entries: entries}
	}
	unchanged := func(what string) {
		t.Helper()
		if after := rlList(t, s, gw); len(after) != len(before) || !slices.EqualFunc(after, before, func(a, b api.GatewayRateLimitDetail) bool {
			return a.RateLimitId == b.RateLimitId && a.UpdatedAt.Equal(b.UpdatedAt.Time) && *a.Entries[0].Requests[0].Rate == *b.Entries[0].Requests[0].Rate
		}) {
			t.Fatalf("%s changed the rate limits: %+v", what, after)
		}
	}

	// Refused batches change nothing, whichever entry is wrong.
	valid := limit("by-id", []string{"targetName"}, rlEntry(99, "targetName", "*"))
	for _, tc := range []struct {
		name, code, member string
		limits             []api.BatchPutLimitEntry
	}{
		{"entry of other keys", awserr.CodeValidation, "rateLimits.2.member.entries.1.member.dimensions",
			[]api.BatchPutLimitEntry{valid, limit("", []string{"toolName"}, rlEntry(1, "targetName", "*"))}},
		{"an id twice", awserr.CodeValidation, "rateLimits.2.member.rateLimitId",
			[]api.BatchPutLimitEntry{valid, limit("by-id", []string{"toolName"}, rlEntry(1, "toolName", "*"))}},
		{"a key set twice", awserr.CodeValidation, "rateLimits.2.member.dimensionKeys",
			[]api.BatchPutLimitEntry{limit("", []string{"toolName", "targetName"}, rlEntry(1, "toolName", "*", "targetName", "*")), limit("x1", []string{"targetName", "toolName"}, rlEntry(1, "targetName", "*", "toolName", "*"))}},
		{"new keys for an existing id", awserr.CodeValidation, "rateLimits.2.member.dimensionKeys",
			[]api.BatchPutLimitEntry{limit("", []string{"toolName"}, rlEntry(1, "toolName", "*")), limit("by-id", []string{"qualifiedModelId"}, rlEntry(1, "qualifiedModelId", "*"))}},
	} {
		_, err := put(tc.limits...)
		wantErr(t, tc.name, err, tc.code, tc.member)
		unchanged(tc.name)
	}
	_, err := s.BatchPutGatewayRateLimits(call("BatchPutGatewayRateLimits", ""), &api.BatchPutGatewayRateLimitsRequest{GatewayIdentifier: "missing-abcdefghij", RateLimits: []api.BatchPutLimitEntry{valid}})
	wantErr(t, "missing gateway", err, awserr.CodeNotFound, "")

	out, err := put(
		limit("by-id", []string{"targetName"}, rlEntry(99, "targetName", "*")),
		api.BatchPutLimitEntry{Description: "tools", DimensionKeys: []string{"toolName"}, Entries: []api.LimitEntry{rlEntry(7, "toolName", "*")}},
		limit("", []string{"qualifiedModelId", "targetName"}, rlEntry(3, "qualifiedModelId", "*", "targetName", "*")),
		limit("fresh", []string{"$.context.iam.principal"}, rlEntry(2, "$.context.iam.principal", "*")),
	)
	if err != nil {
		t.Fatal(err)
	}
	res := out.RateLimits
	if len(res) != 4 {
		t.Fatalf("batch answered %+v", res)
	}
	if res[0].RateLimitId != "by-id" || res[0].Status != api.GatewayRateLimitStatusUpdating || res[0].CreatedAt.UnixMilli() != byID.CreatedAt.UnixMilli() || *res[0].Entries[0].Requests[0].Rate != 99 {
		t.Errorf("matched by id: %+v", res[0])
	}
	if res[1].RateLimitId != byKeys.RateLimitId || res[1].Status != api.GatewayRateLimitStatusUpdating || res[1].Description != "tools" {
		t.Errorf("matched by keys: %+v", res[1])
	}
	// The same set in another order is another limit: the old one goes.
	if res[2].RateLimitId == reordered.RateLimitId || res[2].Status != api.GatewayRateLimitStatusCreating || len(res[2].RateLimitId) != 36 {
		t.Errorf("reordered keys: %+v", res[2])
	}
	if res[3].RateLimitId != "fresh" || res[3].Status != api.GatewayRateLimitStatusCreating || res[3].GatewayIdentifier != gw {
		t.Errorf("new with an id: %+v", res[3])
	}
	listed := rlList(t, s, gw)
	var ids []string
	for _, l := range listed {
		if l.Status != api.GatewayRateLimitStatusActive {
			t.Errorf("listed %s is %s", l.RateLimitId, l.Status)
		}
		ids = append(ids, l.RateLimitId)
	}
	slices.Sort(ids)
	want := []string{byID.RateLimitId, byKeys.RateLimitId, res[2].RateLimitId, "fresh"}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("after the batch the gateway has %v, want %v (not %s, %s)", ids, want, dropped.RateLimitId, reordered.RateLimitId)
	}

	// A put replaces: a description left out is cleared.
	out, err = put(limit("", []string{"toolName"}, rlEntry(7, "toolName", "*")))
	if err != nil || len(out.RateLimits) != 1 || out.RateLimits[0].RateLimitId != byKeys.RateLimitId || out.RateLimits[0].Description != "" {
		t.Fatalf("second batch = %+v, %v", out, err)
	}
	if listed := rlList(t, s, gw); len(listed) != 1 {
		t.Errorf("after a batch of one the gateway has %d rate limits", len(listed))
	}
}

// With a manual lifecycle: transitions wait, a batch does not touch a limit
// in transition, and a deleting limit frees its keys.
func TestGatewayRateLimitTransitions(t *testing.T) {
	s, _ := rateLimitService(t, lifecycle.PolicyManual)
	gw := rlGateway(t, s, "slow")
	status := func(id string) api.GatewayRateLimitStatus {
		t.Helper()
		got, err := s.GetGatewayRateLimit(call("GetGatewayRateLimit", ""), &api.GetGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: id})
		if err != nil {
			var ae *awserr.Error
			if errors.As(err, &ae) && ae.Code == awserr.CodeNotFound {
				return "gone"
			}
			t.Fatal(err)
		}
		return got.Status
	}
	advanceLimit := func(id string) { t.Helper(); advanceRow(t, s, kindGatewayRateLimit, gw+"/"+id) }
	failNext(t, s, "boom", "CreateGatewayRateLimit", "UpdateGatewayRateLimit", "DeleteGatewayRateLimit")

	rlCreate(t, s, gw, "a", []string{"targetName"}, rlEntry(1, "targetName", "*"))
	if got := status("a"); got != api.GatewayRateLimitStatusCreating {
		t.Fatalf("before advancing: %s", got)
	}
	batch := &api.BatchPutGatewayRateLimitsRequest{GatewayIdentifier: gw, RateLimits: []api.BatchPutLimitEntry{
		{DimensionKeys: []string{"targetName"}, Entries: []api.LimitEntry{rlEntry(2, "targetName", "*")}}}}
	_, err := s.BatchPutGatewayRateLimits(call("BatchPutGatewayRateLimits", ""), batch)
	wantErr(t, "batch over a creating limit", err, awserr.CodeConflict, "")
	_, err = s.UpdateGatewayRateLimit(call("UpdateGatewayRateLimit", ""), &api.UpdateGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: "a", Entries: []api.LimitEntry{rlEntry(2, "targetName", "*")}})
	wantErr(t, "update of a creating limit", err, awserr.CodeConflict, "")
	advanceLimit("a")
	if got := status("a"); got != api.GatewayRateLimitStatusActive {
		t.Fatalf("after advancing: %s", got)
	}

	if _, err := s.DeleteGatewayRateLimit(call("DeleteGatewayRateLimit", ""), &api.DeleteGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: "a"}); err != nil {
		t.Fatal(err)
	}
	again, err := s.DeleteGatewayRateLimit(call("DeleteGatewayRateLimit", ""), &api.DeleteGatewayRateLimitRequest{GatewayIdentifier: gw, RateLimitId: "a"})
	if err != nil || again.Status != api.GatewayRateLimitStatusDeleting {
		t.Fatalf("second delete = %+v, %v", again, err)
	}
	// The deleting limit's keys are free; its id is not.
	rlCreate(t, s, gw, "b", []string{"targetName"}, rlEntry(1, "targetName", "*"))
	_, err = s.CreateGatewayRateLimit(call("CreateGatewayRateLimit", ""), &api.CreateGatewayRateLimitRequest{
		GatewayIdentifier: gw, RateLimitId: "a", DimensionKeys: []string{"toolName"}, Entries: []api.LimitEntry{rlEntry(1, "toolName", "*")}})
	wantErr(t, "the id of a deleting limit", err, awserr.CodeConflict, "")
	advanceLimit("a")
	advanceLimit("b")
	if got := status("a"); got != "gone" {
		t.Fatalf("deleted limit is %s", got)
	}

	// A batch dropping b and taking its keys under another id.
	out, err := s.BatchPutGatewayRateLimits(call("BatchPutGatewayRateLimits", ""), &api.BatchPutGatewayRateLimitsRequest{GatewayIdentifier: gw, RateLimits: []api.BatchPutLimitEntry{
		{RateLimitId: "c", DimensionKeys: []string{"targetName"}, Entries: []api.LimitEntry{rlEntry(3, "targetName", "*")}}}})
	if err != nil || out.RateLimits[0].Status != api.GatewayRateLimitStatusCreating {
		t.Fatalf("batch = %+v, %v", out, err)
	}
	if b, c := status("b"), status("c"); b != api.GatewayRateLimitStatusDeleting || c != api.GatewayRateLimitStatusCreating {
		t.Fatalf("after the batch: b %s, c %s", b, c)
	}
	advanceLimit("b")
	advanceLimit("c")
	if b, c := status("b"), status("c"); b != "gone" || c != api.GatewayRateLimitStatusActive {
		t.Fatalf("after advancing: b %s, c %s", b, c)
	}

	// Rate limits have no failed status: no fail rule was taken.
	for _, op := range []string{"CreateGatewayRateLimit", "UpdateGatewayRateLimit", "DeleteGatewayRateLimit"} {
		if reason, ok := s.faults.TakeFailure(op); !ok || reason != "boom" {
			t.Errorf("%s: fail rule taken by a rate-limit operation", op)
		}
	}
}
