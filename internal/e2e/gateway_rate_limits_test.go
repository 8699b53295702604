package e2e

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctl "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"

	"agentcored/internal/server"
	"agentcored/internal/testserver"
)

// gwLimitEntry is an entry of rate requests per second for the dimension
// key/value pairs kv.
func gwLimitEntry(rate float64, kv ...string) types.LimitEntry {
	dims := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		dims[kv[i]] = kv[i+1]
	}
	return types.LimitEntry{Dimensions: dims, Requests: []types.RateConfig{{Rate: aws.Float64(rate), Period: types.PeriodSecond}}}
}

// gwFieldName is the one member a ValidationException names.
func gwFieldName(err error) string {
	var ve *types.ValidationException
	if !errors.As(err, &ve) || len(ve.FieldList) != 1 {
		return ""
	}
	return aws.ToString(ve.FieldList[0].Name)
}

func TestGatewayRateLimits(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "limited")

	entries := []types.LimitEntry{
		gwLimitEntry(100, "targetName", "hot-target", "$.context.jwt.sub", "*"),
		{Dimensions: map[string]string{"targetName": "*", "$.context.jwt.sub": "*"},
			Requests:    []types.RateConfig{{Rate: aws.Float64(600), Period: types.PeriodMinute}},
			Tokens:      []types.RateConfig{{Rate: aws.Float64(50000), Period: types.PeriodMinute}},
			Connections: []types.RateConfig{{Rate: aws.Float64(5), Period: types.PeriodSecond}}},
	}
	created, err := c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId,
		DimensionKeys: []string{"targetName", "$.context.jwt.sub"}, Entries: entries, Description: aws.String("per caller")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.RateLimitId)
	if httpStatus(t, created.ResultMetadata) != http.StatusCreated || created.Status != types.GatewayRateLimitStatusCreating ||
		!regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,62}[a-zA-Z0-9]$`).MatchString(id) ||
		aws.ToString(created.GatewayIdentifier) != aws.ToString(gw.GatewayId) || created.CreatedAt == nil || created.UpdatedAt == nil {
		t.Fatalf("create answered %+v", created)
	}
	got, err := c.GetGatewayRateLimit(ctx, &ctl.GetGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.GatewayRateLimitStatusActive || !reflect.DeepEqual(got.Entries, entries) || aws.ToString(got.Description) != "per caller" ||
		time.Since(*got.CreatedAt) > time.Hour || !got.CreatedAt.Equal(*created.CreatedAt) {
		t.Errorf("get = %+v", got)
	}

	// Rules of the prose, with the member they concern.
	for _, tc := range []struct {
		name, member string
		keys         []string
		entries      []types.LimitEntry
	}{
		{"dimensions not the keys", "entries.2.member.dimensions", []string{"toolName"},
			[]types.LimitEntry{gwLimitEntry(1, "toolName", "*"), gwLimitEntry(1, "targetName", "*")}},
		{"wildcard before a value", "entries.1.member.dimensions", []string{"targetName", "toolName"},
			[]types.LimitEntry{gwLimitEntry(1, "targetName", "*", "toolName", "t___read")}},
		{"tokens per second", "entries.1.member.tokens.1.member.period", []string{"toolName"},
			[]types.LimitEntry{{Dimensions: map[string]string{"toolName": "*"}, Tokens: []types.RateConfig{{Rate: aws.Float64(1), Period: types.PeriodSecond}}}}},
	} {
		_, err := c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, DimensionKeys: tc.keys, Entries: tc.entries})
		wantCode(t, tc.name, err, "ValidationException")
		if got := gwFieldName(err); got != tc.member {
			t.Errorf("%s: field %q, want %q", tc.name, got, tc.member)
		}
	}
	_, err = c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("-bad"),
		DimensionKeys: []string{"toolName"}, Entries: []types.LimitEntry{gwLimitEntry(1, "toolName", "*")}})
	wantCode(t, "id off the pattern", err, "ValidationException")
	_, err = c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId,
		DimensionKeys: []string{"$.context.jwt.sub", "targetName"}, Entries: []types.LimitEntry{gwLimitEntry(1, "targetName", "*", "$.context.jwt.sub", "*")}})
	wantCode(t, "same key set", err, "ConflictException")
	_, err = c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: aws.String("missing-abcdefghij"),
		DimensionKeys: []string{"toolName"}, Entries: []types.LimitEntry{gwLimitEntry(1, "toolName", "*")}})
	wantCode(t, "unknown gateway", err, "ResourceNotFoundException")

	// Create retries replay.
	retry := &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-tool"), ClientToken: aws.String(clientToken("rate-limit-token")),
		DimensionKeys: []string{"toolName"}, Entries: []types.LimitEntry{gwLimitEntry(10, "toolName", "*")}}
	first, err := c.CreateGatewayRateLimit(ctx, retry)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateGatewayRateLimit(ctx, retry)
	if err != nil || aws.ToString(again.RateLimitId) != "per-tool" || !again.CreatedAt.Equal(*first.CreatedAt) {
		t.Errorf("replay = %+v, %v", again, err)
	}

	upd, err := c.UpdateGatewayRateLimit(ctx, &ctl.UpdateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-tool"),
		Entries: []types.LimitEntry{gwLimitEntry(20, "toolName", "*"), gwLimitEntry(0, "toolName", "blocked___tool")}})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, upd.ResultMetadata) != http.StatusOK || upd.Status != types.GatewayRateLimitStatusUpdating || len(upd.Entries) != 2 ||
		!reflect.DeepEqual(upd.DimensionKeys, []string{"toolName"}) {
		t.Errorf("update answered %+v", upd)
	}
	_, err = c.UpdateGatewayRateLimit(ctx, &ctl.UpdateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-tool"),
		Entries: []types.LimitEntry{gwLimitEntry(20, "targetName", "*")}})
	wantCode(t, "update with other keys", err, "ValidationException")
	if got := gwFieldName(err); got != "entries.1.member.dimensions" {
		t.Errorf("update with other keys: field %q", got)
	}

	ids := gwPage(t, "rate limits", func(token *string) ([]string, *string, error) {
		out, err := c.ListGatewayRateLimits(ctx, &ctl.ListGatewayRateLimitsInput{GatewayIdentifier: gw.GatewayId, MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		var ids []string
		for _, l := range out.RateLimits {
			ids = append(ids, aws.ToString(l.RateLimitId))
		}
		return ids, out.NextToken, nil
	})
	if !reflect.DeepEqual(ids, []string{id, "per-tool"}) {
		t.Errorf("listed %v", ids)
	}

	// The batch is the whole set: per-tool is replaced, id dropped, one added.
	batch, err := c.BatchPutGatewayRateLimits(ctx, &ctl.BatchPutGatewayRateLimitsInput{GatewayIdentifier: gw.GatewayId, RateLimits: []types.BatchPutLimitEntry{
		{DimensionKeys: []string{"toolName"}, Entries: []types.LimitEntry{gwLimitEntry(30, "toolName", "*")}},
		{RateLimitId: aws.String("per-principal"), DimensionKeys: []string{"$.context.iam.principal"}, Entries: []types.LimitEntry{gwLimitEntry(5, "$.context.iam.principal", "*")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, batch.ResultMetadata) != http.StatusOK || len(batch.RateLimits) != 2 ||
		aws.ToString(batch.RateLimits[0].RateLimitId) != "per-tool" || batch.RateLimits[0].Status != types.GatewayRateLimitStatusUpdating ||
		aws.ToString(batch.RateLimits[1].RateLimitId) != "per-principal" || batch.RateLimits[1].Status != types.GatewayRateLimitStatusCreating {
		t.Fatalf("batch answered %+v", batch.RateLimits)
	}
	_, err = c.GetGatewayRateLimit(ctx, &ctl.GetGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String(id)})
	wantCode(t, "limit the batch left out", err, "ResourceNotFoundException")
	// An invalid batch changes nothing.
	_, err = c.BatchPutGatewayRateLimits(ctx, &ctl.BatchPutGatewayRateLimitsInput{GatewayIdentifier: gw.GatewayId, RateLimits: []types.BatchPutLimitEntry{
		{DimensionKeys: []string{"targetName"}, Entries: []types.LimitEntry{gwLimitEntry(1, "targetName", "*")}},
		{RateLimitId: aws.String("per-tool"), DimensionKeys: []string{"qualifiedModelId"}, Entries: []types.LimitEntry{gwLimitEntry(1, "qualifiedModelId", "*")}},
	}})
	wantCode(t, "batch changing immutable keys", err, "ValidationException")
	if got := gwFieldName(err); got != "rateLimits.2.member.dimensionKeys" {
		t.Errorf("batch changing immutable keys: field %q", got)
	}
	list, err := c.ListGatewayRateLimits(ctx, &ctl.ListGatewayRateLimitsInput{GatewayIdentifier: gw.GatewayId})
	if err != nil || len(list.RateLimits) != 2 || aws.ToFloat64(list.RateLimits[0].Entries[0].Requests[0].Rate) != 30 {
		t.Fatalf("after a refused batch: %+v, %v", list, err)
	}

	del, err := c.DeleteGatewayRateLimit(ctx, &ctl.DeleteGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-principal")})
	if err != nil {
		t.Fatal(err)
	}
	if httpStatus(t, del.ResultMetadata) != http.StatusOK || del.Status != types.GatewayRateLimitStatusDeleting || aws.ToString(del.RateLimitId) != "per-principal" {
		t.Errorf("delete answered %+v", del)
	}
	_, err = c.DeleteGatewayRateLimit(ctx, &ctl.DeleteGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-principal")})
	wantCode(t, "second delete", err, "ResourceNotFoundException")

	// Rate limits go with their gateway.
	if _, err := c.DeleteGateway(ctx, &ctl.DeleteGatewayInput{GatewayIdentifier: gw.GatewayId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetGatewayRateLimit(ctx, &ctl.GetGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("per-tool")})
	wantCode(t, "limit of a deleted gateway", err, "ResourceNotFoundException")
	_, err = c.ListGatewayRateLimits(ctx, &ctl.ListGatewayRateLimitsInput{GatewayIdentifier: gw.GatewayId})
	wantCode(t, "limits of a deleted gateway", err, "ResourceNotFoundException")
}

func TestGatewayRateLimitsTimedLifecycle(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Lifecycle = "timed"; c.LifecycleDelay = 50 * time.Millisecond })
	c := srv.Client(t)
	ctx := context.Background()
	gw := gwCreate(t, c, "slow-limits")
	status := func(id string) func() (types.GatewayRateLimitStatus, error) {
		return func() (types.GatewayRateLimitStatus, error) {
			got, err := c.GetGatewayRateLimit(ctx, &ctl.GetGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String(id)})
			if err != nil {
				return "", err
			}
			return got.Status, nil
		}
	}
	if _, err := c.CreateGatewayRateLimit(ctx, &ctl.CreateGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("rl-1"),
		DimensionKeys: []string{"targetName"}, Entries: []types.LimitEntry{gwLimitEntry(1, "targetName", "*")}}); err != nil {
		t.Fatal(err)
	}
	eventuallyStatus(t, "rate limit ACTIVE", status("rl-1"), types.GatewayRateLimitStatusActive, types.GatewayRateLimitStatusCreating)
	if _, err := c.DeleteGatewayRateLimit(ctx, &ctl.DeleteGatewayRateLimitInput{GatewayIdentifier: gw.GatewayId, RateLimitId: aws.String("rl-1")}); err != nil {
		t.Fatal(err)
	}
	eventuallyGone(t, "rate limit gone", status("rl-1"), types.GatewayRateLimitStatusDeleting)
}
