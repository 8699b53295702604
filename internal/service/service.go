// Package service holds the business rules of every resource family. A
// family is one file (runtimes.go, browsers.go, ...) implementing its
// operations of api.Handlers; operations nobody implements answer
// NotImplemented through the embedded api.UnimplementedHandlers.
//
// Every change is one store transaction: the resource in its transitional
// status, its tags, its lifecycle job and the idempotency record commit
// together or not at all.
package service

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sync/atomic"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/faults"
	"agentcored/internal/lifecycle"
	"agentcored/internal/model"
	"agentcored/internal/reqctx"
	"agentcored/internal/secrets"
	"agentcored/internal/store"
)

// Quotas bound what one account may create in one region.
type Quotas struct {
	RuntimesPerAccount     int
	VersionsPerRuntime     int
	EndpointsPerRuntime    int
	BrowsersPerAccount     int
	InterpretersPerAccount int
	ProfilesPerAccount     int
	IdentitiesPerAccount   int
	TagsPerResource        int
	MemoriesPerAccount     int
	StrategiesPerMemory    int // fixed on AWS
	GatewaysPerAccount     int
	TargetsPerGateway      int
	RulesPerGateway        int

	// AgentCore Policy: engines per account, policies and generations per engine.
	PolicyEnginesPerAccount    int
	PoliciesPerEngine          int
	PolicyGenerationsPerEngine int

	// AgentCore Evaluations and configuration bundles.
	EvaluatorsPerAccount              int
	OnlineEvaluationConfigsPerAccount int
	ConfigurationBundlesPerAccount    int

	// Registries, payments and harnesses (no documented values).
	RegistriesPerAccount        int
	RecordsPerRegistry          int
	PaymentManagersPerAccount   int
	ConnectorsPerPaymentManager int
	HarnessesPerAccount         int

	// Capacity providers (no documented value).
	CapacityProvidersPerAccount int
}

// DefaultQuotas are the service's documented defaults.
var DefaultQuotas = Quotas{
	RuntimesPerAccount:     1000,
	VersionsPerRuntime:     1000,
	EndpointsPerRuntime:    10,
	BrowsersPerAccount:     1000,
	InterpretersPerAccount: 1000,
	ProfilesPerAccount:     1000,
	IdentitiesPerAccount:   1000,
	TagsPerResource:        50,
	MemoriesPerAccount:     50,
	StrategiesPerMemory:    6,
	GatewaysPerAccount:     1000,
	TargetsPerGateway:      100,
	RulesPerGateway:        100,

	PolicyEnginesPerAccount:    1000,
	PoliciesPerEngine:          1000,
	PolicyGenerationsPerEngine: 1000,

	EvaluatorsPerAccount:              1000,
	OnlineEvaluationConfigsPerAccount: 1000,
	ConfigurationBundlesPerAccount:    1000,

	RegistriesPerAccount:        100,
	RecordsPerRegistry:          1000,
	PaymentManagersPerAccount:   100,
	ConnectorsPerPaymentManager: 10,
	HarnessesPerAccount:         1000,

	CapacityProvidersPerAccount: 1000,
}

// Options configure a Service.
type Options struct {
	Quotas    Quotas
	Lifecycle *lifecycle.Engine
	Faults    *faults.Set
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Secrets encrypts credential-provider secrets at rest; a key that lives
	// only as long as the process when nil (tests).
	Secrets *secrets.Box
	// Extractor turns memory events into records (memory_extraction.go);
	// the built-in deterministic one when nil.
	Extractor Extractor
	// DeliveryDir is where self-managed strategies' payloads are written
	// (memory_selfmanaged.go); "" keeps them in the store.
	DeliveryDir string
}

// Service implements api.Handlers.
type Service struct {
	api.UnimplementedHandlers

	store     store.Store
	quotas    Quotas
	lifecycle *lifecycle.Engine
	faults    *faults.Set
	now       func() time.Time
	tokenKey  []byte
	secrets   *secrets.Box
	extractor Extractor
	// deliveryDir: Options.DeliveryDir.
	deliveryDir string
	// workloadKey caches the opened workload token key: once stored it
	// never changes (PutMetaIfAbsent), and every invocation signs with it.
	workloadKey atomic.Pointer[[]byte]
}

var _ api.Handlers = (*Service)(nil)

// reconciledFamilies are the families whose transitional statuses the
// lifecycle engine ends through the engine's reconciler (memories and
// registry records have reconcilers of their own).
var reconciledFamilies = []interface{ register(*Service) }{
	runtimes, endpoints, browsers, codeInterpreters,
	gateways, gatewayTargets, gatewayRules, gatewayRateLimits,
	policyEngines, policies, policyGenerations, evaluators, onlineEvals, bundles,
	registries, paymentManagers, paymentConnectors, harnesses, harnessEndpoints,
	datasets, capacityProviders, consentPortals,
}

// New creates the service and registers each family's reconcilers with the
// lifecycle engine.
func New(ctx context.Context, st store.Store, opts Options) (*Service, error) {
	s := &Service{store: st, quotas: opts.Quotas, lifecycle: opts.Lifecycle, faults: opts.Faults, now: opts.Now, secrets: opts.Secrets, extractor: opts.Extractor,
		deliveryDir: opts.DeliveryDir}
	if s.quotas == (Quotas{}) {
		s.quotas = DefaultQuotas
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lifecycle == nil {
		s.lifecycle = lifecycle.New(st, lifecycle.PolicyImmediate, 0)
	}
	if s.extractor == nil {
		s.extractor = builtinExtractor{}
	}
	if s.faults == nil {
		s.faults = faults.New()
	}
	if s.secrets == nil {
		s.secrets = secrets.Ephemeral()
	}
	key, err := loadTokenKey(ctx, st)
	if err != nil {
		return nil, err
	}
	s.tokenKey = key
	s.lifecycle.SetClock(s.now)
	for _, f := range reconciledFamilies {
		f.register(s)
	}
	s.lifecycle.Register(familyMemories, kindMemory, s.reconcileMemory)
	// Event expiry jobs (memory_events.go) are put with a due time and run
	// whatever the memories' policy.
	s.lifecycle.Register(familyMemories, kindMemorySession, s.reconcileMemorySession)
	// Extraction follows the memories' policy (memory_extraction.go).
	s.lifecycle.Register(familyMemories, kindMemoryExtraction, s.reconcileMemoryExtraction)
	// Self-managed idle jobs are put with a due time, like expiry.
	s.lifecycle.Register(familyMemories, kindMemorySelfManaged, s.reconcileSelfManaged)
	s.lifecycle.Register(familyRegistries, kindRegistryRecord, s.reconcileRegistryRecord)
	return s, nil
}

// Lifecycle returns the engine that advances transitional states.
func (s *Service) Lifecycle() *lifecycle.Engine { return s.lifecycle }

// Faults returns the fault-injection rules.
func (s *Service) Faults() *faults.Set { return s.faults }

// Store returns the service's store.
func (s *Service) Store() store.Store { return s.store }

// scope is the caller's account and region.
type scope struct{ account, region string }

func scopeOf(ctx context.Context) scope {
	info := reqctx.From(ctx)
	return scope{account: info.Account, region: info.Region}
}

func (sc scope) key(kind, id string) store.Key {
	return store.Key{Account: sc.account, Region: sc.region, Kind: kind, ID: id}
}

// arn builds an ARN of this service in the caller's account and region.
func (sc scope) arn(resource string) string {
	return "arn:aws:bedrock-agentcore:" + sc.region + ":" + sc.account + ":" + resource
}

// mutate runs fn in one write transaction. A request that carries a client
// token is first looked up: a retry with the same parameters replays the
// recorded answer and changes nothing; the same token with other parameters
// is rejected. Otherwise the answer is recorded in the same transaction as
// the change, so a concurrent retry (on any instance) sees either nothing or
// both.
func mutate[T any](ctx context.Context, s *Service, fn func(tx store.Tx) (*T, error)) (*T, error) {
	info := reqctx.From(ctx)
	op := model.OperationByName(info.Operation)
	for attempt := 0; ; attempt++ {
		var out *T
		err := s.store.Write(ctx, func(tx store.Tx) error {
			if err := replayed(ctx, tx, info, info.Account, info.Region, info.Operation); err != nil {
				return err
			}
			var err error
			out, err = fn(tx)
			if err != nil {
				return err
			}
			if op == nil {
				return nil
			}
			var answer any = struct{}{}
			if op.Status == http.StatusNoContent {
				answer = nil
			} else if out != nil {
				answer = out
			}
			return s.remember(ctx, tx, info, info.Account, info.Region, info.Operation, op.Status, answer)
		})
		// A concurrent request with the same token won the race: go again and
		// replay its answer.
		if errors.Is(err, store.ErrConflict) && info.ClientToken != "" && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, storeError(err)
		}
		return out, nil
	}
}

// read runs fn in a read transaction.
func (s *Service) read(ctx context.Context, fn func(tx store.Tx) error) error {
	return storeError(s.store.Read(ctx, fn))
}

// readRepeatable is read for callbacks that only assign their results, so
// that the store may run them twice: the SQLite store then answers from its
// row cache (store.WithRepeatableRead).
func (s *Service) readRepeatable(ctx context.Context, fn func(tx store.Tx) error) error {
	return storeError(s.store.Read(store.WithRepeatableRead(ctx), fn))
}

// storeError maps store failures that escaped a family to API errors.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var ae *awserr.Error
	var replay *reqctx.Replay
	if errors.As(err, &ae) || errors.As(err, &replay) {
		return err
	}
	var diskFull *store.DiskFullError
	switch {
	case errors.As(err, &diskFull):
		// Say what is wrong: retrying will not help until space returns.
		return awserr.Errorf(awserr.CodeServiceUnavailable,
			"agentcored cannot write: the disk holding %s is full", diskFull.Dir)
	case errors.Is(err, store.ErrCorrupt):
		return awserr.Errorf(awserr.CodeInternal,
			"agentcored cannot read its database: the file is damaged; the operator must restore it from a backup")
	case errors.Is(err, store.ErrUnavailable):
		return awserr.Errorf(awserr.CodeServiceUnavailable, "The service is temporarily unavailable. Try again.")
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrRevision):
		return awserr.Conflict("The resource was modified concurrently. Try again.")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return awserr.Errorf(awserr.CodeThrottling, "The request timed out. Try again.")
	}
	return err
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const lowerAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// newID is "<name>-<10 random alphanumerics>", the form most resources use.
func newID(name string) string { return name + "-" + randomString(idAlphabet, 10) }

func encodeDoc(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode document: %v", err)) // documents are our own types
	}
	return b
}

func decodeDoc(r *store.Resource, v any) error {
	if err := json.Unmarshal(r.Doc, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", r.Kind, r.ID, err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// intValue reads an optional int member.
func intValue(p *int64, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

// summarizer is a document with a listing entry of its own. The store keeps
// the entry beside the document (Resource.Summary), so that a listing reads
// and decodes entries, not whole documents.
type summarizer interface {
	listSummary() any
}

// setDoc encodes doc into row, with its listing entry when it has one, so
// that the entry never goes stale.
func setDoc(row *store.Resource, doc any) {
	row.Doc = encodeDoc(doc)
	row.Summary = nil
	if s, ok := doc.(summarizer); ok {
		row.Summary = encodeDoc(s.listSummary())
	}
}

// loadDoc reads one row and decodes its document into a T; a missing row is
// reported as the family's own not-found error.
func loadDoc[T any](ctx context.Context, tx store.Tx, key store.Key, notFound func() error) (*store.Resource, *T, error) {
	row, err := tx.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, err
	}
	var doc T
	if err := decodeDoc(row, &doc); err != nil {
		return nil, nil, err
	}
	return row, &doc, nil
}

// loadIfAny is loadDoc for a row that may be absent: then a nil row and
// no error.
func loadIfAny[T any](ctx context.Context, tx store.Tx, key store.Key) (*store.Resource, *T, error) {
	return loadDoc[T](ctx, tx, key, func() error { return nil })
}

// injectedFailure consumes a matching "fail" rule at most once per request
// and returns its failure reason ("" when none matches). Families call it
// inside their write transaction, which the store may run more than once.
func (s *Service) injectedFailure(ctx context.Context, operation string) string {
	return reqctx.From(ctx).Once("fault:"+operation, func() string {
		reason, _ := s.faults.TakeFailure(operation)
		return reason
	})
}
