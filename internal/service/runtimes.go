package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

// Agent runtimes. Stored as:
//   - one "runtime" row: the latest version's full configuration and the
//     runtime's status;
//   - one immutable "runtime-version" row per version (parent: the runtime);
//   - "runtime-endpoint" rows (endpoints.go), DEFAULT among them;
//   - the "workload-identity" row named after the runtime id (identities.go).
const (
	kindRuntime        = "runtime"
	kindRuntimeVersion = "runtime-version"
	kindEndpoint       = "runtime-endpoint"
	defaultEndpoint    = "DEFAULT"
	familyRuntimes     = "runtimes"
)

// Documented defaults of LifecycleConfiguration.
const (
	defaultIdleTimeout = 900
	defaultMaxLifetime = 28800
)

// runtimeRecord is the document of runtime and runtime-version rows.
type runtimeRecord struct {
	api.GetAgentRuntimeResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func (s *Service) registerRuntimes() {
	s.lifecycle.Register(familyRuntimes, kindRuntime, s.reconcileRuntime)
	s.lifecycle.Register(familyRuntimes, kindEndpoint, s.reconcileEndpoint)
}

func runtimeNotFound(id string) error {
	return awserr.NotFound("Agent '%s' was not found. Please check the agent ID and try again.", id)
}

func versionRowID(runtimeID, version string) string { return runtimeID + "/v" + version }

func (s *Service) getRuntime(ctx context.Context, tx store.Tx, id string) (*store.Resource, *runtimeRecord, error) {
	return loadDoc[runtimeRecord](ctx, tx, scopeOf(ctx).key(kindRuntime, id), func() error { return runtimeNotFound(id) })
}

// checkNetwork enforces what the model cannot say: VPC mode needs its
// subnets and security groups, and only VPC mode takes them.
func checkNetwork(member string, mode string, hasVpc bool, vpcMember string) error {
	switch {
	case mode == "VPC" && !hasVpc:
		return awserr.Validation("1 validation error detected: Value null at '%s.%s' failed to satisfy constraint: Member must not be null when networkMode is VPC", member, vpcMember)
	case mode != "VPC" && hasVpc:
		return awserr.Validation("1 validation error detected: Value at '%s.%s' failed to satisfy constraint: Member is only allowed when networkMode is VPC", member, vpcMember)
	}
	return nil
}

// runtimeConfig is what CreateAgentRuntime and UpdateAgentRuntime both set:
// a full replacement of the configuration.
type runtimeConfig struct {
	Description                string
	AgentRuntimeArtifact       *api.AgentRuntimeArtifact
	RoleArn                    string
	NetworkConfiguration       *api.NetworkConfiguration
	AuthorizerConfiguration    *api.AuthorizerConfiguration
	RequestHeaderConfiguration *api.RequestHeaderConfiguration
	ProtocolConfiguration      *api.ProtocolConfiguration
	LifecycleConfiguration     *api.LifecycleConfiguration
	MetadataConfiguration      *api.RuntimeMetadataConfiguration
	EnvironmentVariables       map[string]string
	FilesystemConfigurations   []api.FilesystemConfiguration
}

func (c *runtimeConfig) check() error {
	n := c.NetworkConfiguration
	if err := checkNetwork("networkConfiguration", string(n.NetworkMode), n.NetworkModeConfig != nil, "networkModeConfig"); err != nil {
		return err
	}
	if lc := c.LifecycleConfiguration; lc != nil && lc.IdleRuntimeSessionTimeout != nil && lc.MaxLifetime != nil &&
		*lc.IdleRuntimeSessionTimeout > *lc.MaxLifetime {
		return awserr.Validation("idleRuntimeSessionTimeout must be less than or equal to maxLifetime")
	}
	return nil
}

// apply writes the configuration into a runtime document, filling the
// lifecycle defaults the service reports when none were given.
func (c *runtimeConfig) apply(doc *api.GetAgentRuntimeResponse) {
	lc := api.LifecycleConfiguration{}
	if c.LifecycleConfiguration != nil {
		lc = *c.LifecycleConfiguration
	}
	if lc.IdleRuntimeSessionTimeout == nil {
		lc.IdleRuntimeSessionTimeout = ptr(int64(defaultIdleTimeout))
	}
	if lc.MaxLifetime == nil {
		lc.MaxLifetime = ptr(int64(defaultMaxLifetime))
	}
	doc.Description = c.Description
	doc.AgentRuntimeArtifact = c.AgentRuntimeArtifact
	doc.RoleArn = c.RoleArn
	doc.NetworkConfiguration = c.NetworkConfiguration
	doc.AuthorizerConfiguration = c.AuthorizerConfiguration
	doc.RequestHeaderConfiguration = c.RequestHeaderConfiguration
	doc.ProtocolConfiguration = c.ProtocolConfiguration
	doc.LifecycleConfiguration = &lc
	doc.MetadataConfiguration = c.MetadataConfiguration
	doc.EnvironmentVariables = c.EnvironmentVariables
	doc.FilesystemConfigurations = c.FilesystemConfigurations
}

func (s *Service) CreateAgentRuntime(ctx context.Context, in *api.CreateAgentRuntimeRequest) (*api.CreateAgentRuntimeResponse, error) {
	cfg := runtimeConfig{
		Description: in.Description, AgentRuntimeArtifact: in.AgentRuntimeArtifact, RoleArn: in.RoleArn,
		NetworkConfiguration: in.NetworkConfiguration, AuthorizerConfiguration: in.AuthorizerConfiguration,
		RequestHeaderConfiguration: in.RequestHeaderConfiguration, ProtocolConfiguration: in.ProtocolConfiguration,
		LifecycleConfiguration: in.LifecycleConfiguration, EnvironmentVariables: in.EnvironmentVariables,
		FilesystemConfigurations: in.FilesystemConfigurations,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := checkTagKeys("tags", mapKeys(in.Tags)); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateAgentRuntimeResponse, error) {
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindRuntime, "", in.AgentRuntimeName); err == nil {
			return nil, awserr.Conflict("Runtime name '%s' already exists or was recently deleted", in.AgentRuntimeName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindRuntime, ""); err != nil {
			return nil, err
		} else if n >= s.quotas.RuntimesPerAccount {
			return nil, awserr.QuotaExceeded("You have reached the maximum of %d agent runtimes in this account and region.", s.quotas.RuntimesPerAccount)
		}
		now := s.now().UTC()
		id := newID(in.AgentRuntimeName)
		arn := sc.arn("runtime/" + id)
		wi, err := s.createLinkedIdentity(ctx, tx, id, arn, now)
		if err != nil {
			return nil, err
		}
		rec := runtimeRecord{GetAgentRuntimeResponse: api.GetAgentRuntimeResponse{
			AgentRuntimeArn: arn, AgentRuntimeName: in.AgentRuntimeName, AgentRuntimeId: id, AgentRuntimeVersion: "1",
			CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now), Status: api.AgentRuntimeStatusCreating,
			WorkloadIdentityDetails: &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi},
		}}
		cfg.apply(&rec.GetAgentRuntimeResponse)
		rec.PendingFailure = s.injectedFailure(ctx, "CreateAgentRuntime")
		ep := &endpointRecord{
			GetAgentRuntimeEndpointResponse: api.GetAgentRuntimeEndpointResponse{
				Name: defaultEndpoint, Id: newID(defaultEndpoint), TargetVersion: "1",
				AgentRuntimeArn: arn, AgentRuntimeEndpointArn: endpointARN(arn, defaultEndpoint),
				Status: api.AgentRuntimeEndpointStatusCreating, CreatedAt: api.NewDateTime(now), LastUpdatedAt: api.NewDateTime(now),
			},
			PendingFailure: rec.PendingFailure,
		}
		// Under the immediate lifecycle the runtime and its endpoint would
		// be reconciled in this same transaction: write their end state
		// straight away instead of writing CREATING and then updating
		// three rows (the hot path of a create).
		settled := s.lifecycle.Immediate(kindRuntime) && s.lifecycle.Immediate(kindEndpoint)
		if settled {
			settleRuntime(&rec, now)
			settleEndpoint(ep, now)
		}

		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindRuntime, ID: id, Name: in.AgentRuntimeName,
			ARN: arn, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now}
		setDoc(row, rec)
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, awserr.Conflict("Runtime name '%s' already exists or was recently deleted", in.AgentRuntimeName)
			}
			return nil, err
		}
		if err := s.insertVersion(ctx, tx, &rec, now); err != nil {
			return nil, err
		}
		if err := s.createTags(ctx, tx, arn, in.Tags); err != nil {
			return nil, err
		}
		if !settled {
			if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
				return nil, err
			}
		}
		epRow, err := s.insertEndpoint(ctx, tx, id, ep, now)
		if err != nil {
			return nil, err
		}
		if !settled {
			if err := s.lifecycle.Schedule(ctx, tx, epRow); err != nil {
				return nil, err
			}
		}
		return &api.CreateAgentRuntimeResponse{
			AgentRuntimeArn: arn, AgentRuntimeId: id, AgentRuntimeVersion: "1", CreatedAt: api.NewDateTime(now),
			Status: api.AgentRuntimeStatusCreating, WorkloadIdentityDetails: &api.WorkloadIdentityDetails{WorkloadIdentityArn: wi},
		}, nil
	})
}

func (s *Service) insertVersion(ctx context.Context, tx store.Tx, rec *runtimeRecord, now time.Time) error {
	sc := scopeOf(ctx)
	row := &store.Resource{
		Account: sc.account, Region: sc.region, Kind: kindRuntimeVersion,
		ID: versionRowID(rec.AgentRuntimeId, rec.AgentRuntimeVersion), ParentID: rec.AgentRuntimeId,
		Status: string(rec.Status), CreatedAt: now, UpdatedAt: now,
	}
	setDoc(row, rec)
	return tx.Insert(ctx, row)
}

func (s *Service) GetAgentRuntime(ctx context.Context, in *api.GetAgentRuntimeRequest) (*api.GetAgentRuntimeResponse, error) {
	var rec runtimeRecord
	err := s.read(ctx, func(tx store.Tx) error {
		_, cur, err := s.getRuntime(ctx, tx, in.AgentRuntimeId)
		if err != nil {
			return err
		}
		if in.AgentRuntimeVersion == "" || in.AgentRuntimeVersion == cur.AgentRuntimeVersion {
			rec = *cur
			return nil
		}
		v, err := tx.Get(ctx, scopeOf(ctx).key(kindRuntimeVersion, versionRowID(in.AgentRuntimeId, in.AgentRuntimeVersion)))
		if errors.Is(err, store.ErrNotFound) {
			return awserr.NotFound("Version %s of agent '%s' was not found.", in.AgentRuntimeVersion, in.AgentRuntimeId)
		}
		if err != nil {
			return err
		}
		return decodeDoc(v, &rec)
	})
	if err != nil {
		return nil, err
	}
	return &rec.GetAgentRuntimeResponse, nil
}

// transitional reports whether a status is one a change must wait out.
func transitional(status string) bool {
	switch status {
	case "CREATING", "UPDATING", "DELETING":
		return true
	}
	return false
}

func (s *Service) UpdateAgentRuntime(ctx context.Context, in *api.UpdateAgentRuntimeRequest) (*api.UpdateAgentRuntimeResponse, error) {
	cfg := runtimeConfig{
		Description: in.Description, AgentRuntimeArtifact: in.AgentRuntimeArtifact, RoleArn: in.RoleArn,
		NetworkConfiguration: in.NetworkConfiguration, AuthorizerConfiguration: in.AuthorizerConfiguration,
		RequestHeaderConfiguration: in.RequestHeaderConfiguration, ProtocolConfiguration: in.ProtocolConfiguration,
		LifecycleConfiguration: in.LifecycleConfiguration, MetadataConfiguration: in.MetadataConfiguration,
		EnvironmentVariables: in.EnvironmentVariables, FilesystemConfigurations: in.FilesystemConfigurations,
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateAgentRuntimeResponse, error) {
		row, rec, err := s.getRuntime(ctx, tx, in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		if transitional(row.Status) {
			return nil, awserr.Conflict("Agent '%s' is %s; wait until the change completes and try again.", in.AgentRuntimeId, row.Status)
		}
		prev, _ := strconv.Atoi(rec.AgentRuntimeVersion)
		if prev >= s.quotas.VersionsPerRuntime {
			return nil, awserr.QuotaExceeded("Agent '%s' has reached the maximum of %d versions.", in.AgentRuntimeId, s.quotas.VersionsPerRuntime)
		}
		now := s.now().UTC()
		version := strconv.Itoa(prev + 1)
		next := runtimeRecord{GetAgentRuntimeResponse: api.GetAgentRuntimeResponse{
			AgentRuntimeArn: rec.AgentRuntimeArn, AgentRuntimeName: rec.AgentRuntimeName, AgentRuntimeId: rec.AgentRuntimeId,
			AgentRuntimeVersion: version, CreatedAt: rec.CreatedAt, LastUpdatedAt: api.NewDateTime(now),
			Status: api.AgentRuntimeStatusUpdating, WorkloadIdentityDetails: rec.WorkloadIdentityDetails,
		}}
		cfg.apply(&next.GetAgentRuntimeResponse)
		next.PendingFailure = s.injectedFailure(ctx, "UpdateAgentRuntime")
		if err := saveDoc(ctx, tx, row, string(next.Status), next, now); err != nil {
			return nil, err
		}
		if err := s.insertVersion(ctx, tx, &next, now); err != nil {
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		// DEFAULT follows the latest version; other endpoints stay pinned.
		if err := s.retargetEndpoint(ctx, tx, in.AgentRuntimeId, defaultEndpoint, version, "", next.PendingFailure, now); err != nil {
			return nil, err
		}
		return &api.UpdateAgentRuntimeResponse{
			AgentRuntimeArn: next.AgentRuntimeArn, AgentRuntimeId: next.AgentRuntimeId, AgentRuntimeVersion: version,
			WorkloadIdentityDetails: next.WorkloadIdentityDetails, CreatedAt: next.CreatedAt, LastUpdatedAt: next.LastUpdatedAt,
			Status: next.Status,
		}, nil
	})
}

func (s *Service) DeleteAgentRuntime(ctx context.Context, in *api.DeleteAgentRuntimeRequest) (*api.DeleteAgentRuntimeResponse, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteAgentRuntimeResponse, error) {
		row, rec, err := s.getRuntime(ctx, tx, in.AgentRuntimeId)
		if err != nil {
			return nil, err
		}
		out := &api.DeleteAgentRuntimeResponse{AgentRuntimeId: in.AgentRuntimeId, Status: api.AgentRuntimeStatusDeleting}
		if row.Status == string(api.AgentRuntimeStatusDeleting) {
			return out, nil
		}
		endpoints, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: kindEndpoint, ParentID: in.AgentRuntimeId})
		if err != nil {
			return nil, err
		}
		for _, ep := range endpoints {
			if ep.Name != defaultEndpoint {
				return nil, awserr.Conflict("This agent has endpoints that must be deleted first")
			}
		}
		rec.Status = api.AgentRuntimeStatusDeleting
		rec.LastUpdatedAt = api.NewDateTime(s.now())
		return out, s.transition(ctx, tx, row, string(rec.Status), rec, s.now().UTC())
	})
}

func (s *Service) ListAgentRuntimes(ctx context.Context, in *api.ListAgentRuntimesRequest) (*api.ListAgentRuntimesResponse, error) {
	out := &api.ListAgentRuntimesResponse{AgentRuntimes: []api.AgentRuntime{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		rows, next, err := s.summaryPage(ctx, tx, sc, kindRuntime, "", in.MaxResults, 100, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.AgentRuntimes = make([]api.AgentRuntime, len(rows))
		for i, r := range rows {
			if err := decodeSummary(r, &out.AgentRuntimes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listSummary is a runtime's (or version's) listing entry.
func (r runtimeRecord) listSummary() any {
	return api.AgentRuntime{
		AgentRuntimeArn: r.AgentRuntimeArn, AgentRuntimeId: r.AgentRuntimeId, AgentRuntimeVersion: r.AgentRuntimeVersion,
		AgentRuntimeName: r.AgentRuntimeName, Description: r.Description, LastUpdatedAt: r.LastUpdatedAt, Status: r.Status,
	}
}

// decodeSummary reads the listing entry of a runtime (or version) row from
// a summary page: its stored entry or, for a row stored before entries
// were, its document. The entry's members carry the same wire names as the
// document's, so either decodes into it (summary_test.go checks that the
// ways agree).
func decodeSummary(r *store.Resource, sum any) error {
	b := r.Summary
	if b == nil {
		b = r.Doc
	}
	if err := json.Unmarshal(b, sum); err != nil {
		return fmt.Errorf("decode %s %s summary: %w", r.Kind, r.ID, err)
	}
	return nil
}

func (s *Service) ListAgentRuntimeVersions(ctx context.Context, in *api.ListAgentRuntimeVersionsRequest) (*api.ListAgentRuntimeVersionsResponse, error) {
	out := &api.ListAgentRuntimeVersionsResponse{AgentRuntimes: []api.AgentRuntime{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		if _, _, err := s.getRuntime(ctx, tx, in.AgentRuntimeId); err != nil {
			return err
		}
		rows, next, err := s.summaryPage(ctx, tx, sc, kindRuntimeVersion, in.AgentRuntimeId, in.MaxResults, 100, in.NextToken)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.AgentRuntimes = make([]api.AgentRuntime, len(rows))
		for i, r := range rows {
			if err := decodeSummary(r, &out.AgentRuntimes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileRuntime completes a runtime's pending transition.
func (s *Service) reconcileRuntime(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	var rec runtimeRecord
	if err := decodeDoc(row, &rec); err != nil {
		return err
	}
	switch rec.Status {
	case api.AgentRuntimeStatusCreating, api.AgentRuntimeStatusUpdating:
		settleRuntime(&rec, now)
		if err := saveDoc(ctx, tx, row, string(rec.Status), rec, now); err != nil {
			return err
		}
		// The version row records how its own rollout ended.
		v, err := tx.Get(ctx, store.Key{Account: row.Account, Region: row.Region, Kind: kindRuntimeVersion, ID: versionRowID(row.ID, rec.AgentRuntimeVersion)})
		if err != nil {
			return err
		}
		v.Status = row.Status
		v.UpdatedAt = now
		v.Doc, v.Summary = row.Doc, row.Summary
		return tx.Update(ctx, v)
	case api.AgentRuntimeStatusDeleting:
		return s.purgeRuntime(ctx, tx, row)
	}
	return nil
}

// settleRuntime ends a CREATING or UPDATING runtime: READY, or the failure
// injected for it.
func settleRuntime(rec *runtimeRecord, now time.Time) {
	from := rec.Status
	rec.Status = api.AgentRuntimeStatusReady
	if rec.PendingFailure != "" {
		rec.FailureReason = rec.PendingFailure
		rec.Status = api.AgentRuntimeStatusCreateFailed
		if from == api.AgentRuntimeStatusUpdating {
			rec.Status = api.AgentRuntimeStatusUpdateFailed
		}
	}
	rec.PendingFailure = ""
	rec.LastUpdatedAt = api.NewDateTime(now)
}

// purgeRuntime removes a runtime with everything that belongs to it.
func (s *Service) purgeRuntime(ctx context.Context, tx store.Tx, row *store.Resource) error {
	for _, kind := range []string{kindRuntimeVersion, kindEndpoint} {
		children, err := tx.List(ctx, store.ListQuery{Account: row.Account, Region: row.Region, Kind: kind, ParentID: row.ID})
		if err != nil {
			return err
		}
		for _, c := range children {
			if err := s.removeResource(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	if err := s.deleteLinkedIdentity(ctx, tx, row); err != nil {
		return err
	}
	return s.removeResource(ctx, tx, row)
}
