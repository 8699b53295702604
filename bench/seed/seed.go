// Package seed fills a store with agent runtimes quickly, for benchmarks and
// the load generator: n runtimes in one account, beyond the API's quota.
package seed

import (
	"bytes"
	"context"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
	"agentcored/internal/store"
)

// Request fixtures, valid against the model's patterns.
const (
	Image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"
	Role  = "arn:aws:iam::123456789012:role/AgentRole"
)

// seedBatch runtimes go into one write transaction: a commit per runtime
// would make 100,000 runtimes take minutes.
const seedBatch = 5000

// Runtimes writes n runtimes of account/region straight into st. The
// per-account runtime quota does not apply: that is the point (10,000 and
// 100,000 runtimes in one account).
//
// The rows are exactly what the service writes: one runtime is created
// through service.CreateAgentRuntime (runtime, version 1, DEFAULT endpoint,
// linked workload identity, all reconciled to READY), then its rows are
// cloned n-1 times with the name, id and DEFAULT endpoint id substituted.
func Runtimes(ctx context.Context, st store.Store, n int, account, region string) error {
	if n < 1 {
		return nil
	}
	quotas := service.DefaultQuotas
	quotas.RuntimesPerAccount = math.MaxInt
	svc, err := service.New(ctx, st, service.Options{Quotas: quotas})
	if err != nil {
		return err
	}
	prefix := "seed" + randomAlnum(4) + "_"
	name0 := fmt.Sprintf("%s%07d", prefix, 0)
	rctx := reqctx.With(ctx, &reqctx.Info{Account: account, Region: region, Operation: "CreateAgentRuntime"})
	out, err := svc.CreateAgentRuntime(rctx, &api.CreateAgentRuntimeRequest{
		AgentRuntimeName:     name0,
		AgentRuntimeArtifact: &api.AgentRuntimeArtifact{ContainerConfiguration: &api.ContainerConfiguration{ContainerUri: Image}},
		RoleArn:              Role,
		NetworkConfiguration: &api.NetworkConfiguration{NetworkMode: api.NetworkModePublic},
		Description:          "seeded by loadgen",
	})
	if err != nil {
		return fmt.Errorf("create the template runtime: %w", err)
	}
	id0 := out.AgentRuntimeId
	tpl, err := templateRows(ctx, st, account, region, id0)
	if err != nil {
		return err
	}

	for done := 1; done < n; {
		end := min(n, done+seedBatch)
		err := st.Write(ctx, func(tx store.Tx) error {
			for i := done; i < end; i++ {
				name := fmt.Sprintf("%s%07d", prefix, i)
				// The id starts with the name: at a position where both
				// match, the replacer takes the first pair (the id).
				sub := strings.NewReplacer(id0, name+"-"+randomAlnum(10), name0, name, tpl.endpointID, "DEFAULT-"+randomAlnum(10))
				for _, r := range tpl.rows {
					c := *r
					c.ID, c.ParentID, c.Name, c.ARN = sub.Replace(c.ID), sub.Replace(c.ParentID), sub.Replace(c.Name), sub.Replace(c.ARN)
					c.Doc = []byte(sub.Replace(string(r.Doc)))
					if r.Summary != nil {
						c.Summary = []byte(sub.Replace(string(r.Summary)))
					}
					if err := tx.Insert(ctx, &c); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed runtimes %d..%d: %w", done, end-1, err)
		}
		done = end
	}
	return nil
}

type template struct {
	rows       []*store.Resource
	endpointID string // the DEFAULT endpoint's own id (DEFAULT-xxxxxxxxxx)
}

// templateRows reads back every row the service wrote for runtime id.
func templateRows(ctx context.Context, st store.Store, account, region, id string) (*template, error) {
	var t template
	err := st.Read(ctx, func(tx store.Tx) error {
		for _, kind := range []string{"runtime", "workload-identity"} {
			r, err := tx.Get(ctx, store.Key{Account: account, Region: region, Kind: kind, ID: id})
			if err != nil {
				return fmt.Errorf("template %s: %w", kind, err)
			}
			t.rows = append(t.rows, r)
		}
		for _, kind := range []string{"runtime-version", "runtime-endpoint"} {
			rs, err := tx.List(ctx, store.ListQuery{Account: account, Region: region, Kind: kind, ParentID: id})
			if err != nil {
				return err
			}
			if len(rs) != 1 {
				return fmt.Errorf("template: %d %s rows, want 1", len(rs), kind)
			}
			t.rows = append(t.rows, rs[0])
		}
		for _, r := range t.rows {
			tags, err := tx.Tags(ctx, r.ARN)
			if err != nil {
				return err
			}
			if len(tags) > 0 {
				return fmt.Errorf("template %s has tags: not supported", r.Kind)
			}
			if _, err := tx.GetJob(ctx, r.Key()); err == nil {
				return fmt.Errorf("template %s has a pending lifecycle job: not supported", r.Kind)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The endpoint document carries its own random id: every clone gets a
	// new one.
	ep := t.rows[3].Doc
	i := bytes.Index(ep, []byte(`"DEFAULT-`))
	if i < 0 {
		return nil, fmt.Errorf("template endpoint has no DEFAULT-<id>: %s", ep)
	}
	t.endpointID = string(ep[i+1 : i+1+len("DEFAULT-")+10])
	return &t, nil
}

// seedRand only has to make ids distinct, not unpredictable.
var seedRand = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))

func randomAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[seedRand.IntN(len(alphabet))]
	}
	return string(b)
}
