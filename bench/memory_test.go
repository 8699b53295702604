package bench

// Memory data plane benchmarks at the service (store included, no HTTP):
// CreateEvent throughput with extraction on (a semantic strategy, the
// immediate policy: the record is written in the event's transaction) and
// off, and RetrieveMemoryRecords latency over 100,000 records (p50 and p99
// reported as metrics). See docs/PERFORMANCE.md "Memory: events and
// retrieval".
//
//	go test -run '^$' -bench 'CreateEvent|RetrieveMemoryRecords' -benchtime 2000x ./bench/

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/dpapi"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
	"agentcored/internal/store"
)

const retrieveRecords = 100000

// memWords is the vocabulary of the generated texts: a few hundred words,
// so that each query word matches a few hundred records of 100,000.
var memWords = func() []string {
	base := []string{"flight", "seat", "window", "aisle", "hotel", "pizza", "coffee", "tea", "meeting", "budget",
		"travel", "train", "car", "electric", "vegetarian", "allergy", "peanut", "music", "jazz", "guitar",
		"running", "marathon", "yoga", "book", "novel", "movie", "weekend", "morning", "evening", "city"}
	out := append([]string{}, base...)
	for i := 0; len(out) < 600; i++ {
		out = append(out, "term"+strconv.Itoa(i))
	}
	return out
}()

func memText(r *rand.Rand, n int) string {
	b := make([]byte, 0, 96)
	b = append(b, "The user"...)
	for i := 0; i < n; i++ {
		b = append(b, ' ')
		b = append(b, memWords[r.IntN(len(memWords))]...)
	}
	return string(b)
}

// memBench opens a service on SQLite in a temp dir with one ACTIVE memory
// holding a semantic strategy.
func memBench(b *testing.B) (*service.Service, context.Context, string) {
	b.Helper()
	ctx := reqctx.With(context.Background(), &reqctx.Info{Account: account, Region: region})
	st, err := store.OpenSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc, err := service.New(ctx, st, service.Options{})
	if err != nil {
		b.Fatal(err)
	}
	out, err := svc.CreateMemory(ctx, &api.CreateMemoryInput{Name: "bench_mem", EventExpiryDuration: ptr[int64](30),
		MemoryStrategies: []api.MemoryStrategyInput{{SemanticMemoryStrategy: &api.SemanticMemoryStrategyInput{Name: "facts",
			Namespaces: []string{"/facts/{actorId}"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	return svc, ctx, out.Memory.Id
}

func ptr[T any](v T) *T { return &v }

func benchCreateEvent(b *testing.B, skip bool) {
	svc, ctx, mem := memBench(b)
	if skip {
		ctx = service.SkipExtraction(ctx)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ts := time.Now().Add(-time.Hour)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := svc.CreateMemoryEvent(ctx, dpapi.Event{MemoryId: mem, ActorId: "user-" + strconv.Itoa(i%50),
			SessionId: "session-" + strconv.Itoa(i%500), EventTimestamp: api.NewEpochTime(ts.Add(time.Duration(i) * time.Millisecond)),
			Payload: []dpapi.PayloadType{{Conversational: &dpapi.Conversational{Role: dpapi.RoleUser,
				Content: &dpapi.Content{Text: memText(r, 10)}}}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCreateEvent: one conversational event per call, extracted by a
// semantic strategy in the same transaction (immediate policy).
func BenchmarkCreateEvent(b *testing.B) { benchCreateEvent(b, false) }

// BenchmarkCreateEventSkipExtraction: extractionMode SKIP.
func BenchmarkCreateEventSkipExtraction(b *testing.B) { benchCreateEvent(b, true) }

// BenchmarkRetrieveMemoryRecords ranks 100,000 records (10 words each, 20
// namespaces) against a three-word query, topK 10, in one namespace prefix
// of half of them, and reports the p50 and p99 of single calls (target:
// p50 <= 10 ms; the store ranks only the best-weighted candidates).
func BenchmarkRetrieveMemoryRecords(b *testing.B) {
	svc, ctx, mem := memBench(b)
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	for n := 0; n < retrieveRecords; n += 100 {
		batch := make([]dpapi.MemoryRecordCreateInput, 100)
		for i := range batch {
			batch[i] = dpapi.MemoryRecordCreateInput{RequestIdentifier: "r" + strconv.Itoa(i),
				Namespaces: []string{fmt.Sprintf("/users/%s/u%d", []string{"a", "b"}[(n+i)%2], (n+i)%20)},
				Content:    &dpapi.MemoryContent{Text: memText(r, 10)}, Timestamp: api.NewEpochTime(now)}
		}
		if _, err := svc.CreateMemoryRecords(ctx, mem, batch); err != nil {
			b.Fatal(err)
		}
	}
	queries := make([]string, 256)
	for i := range queries {
		queries[i] = memWords[r.IntN(len(memWords))] + " " + memWords[r.IntN(len(memWords))] + " " + memWords[r.IntN(len(memWords))]
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		recs, _, err := svc.RetrieveMemoryRecords(ctx, service.RecordQuery{MemoryID: mem, Namespace: "/users/a/"}, queries[i%len(queries)], 10, "", 20)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if len(recs) == 0 {
			b.Fatalf("query %q found nothing", queries[i%len(queries)])
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
