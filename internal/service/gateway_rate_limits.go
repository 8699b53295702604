package service

// Gateway rate limits. Row id "<gatewayId>/<rateLimitId>", parent the
// gateway, no ARN. The row's name column holds the limit's dimension keys
// as a set (sorted, comma-joined: the DimensionKey pattern has no comma),
// because "no two limits can share the same dimensionKeys" (model doc): the
// store's unique index enforces it even against racing requests.
//
// Statuses (devguide, "Status lifecycle"): CREATING -> ACTIVE, UPDATING ->
// ACTIVE, DELETING -> row removed, ended by the lifecycle engine like every
// asynchronous family (the gateways' policy applies). The model gives rate
// limits no failed status, so fail rules for their operations are not
// consumed (error and latency rules apply as to every operation).
//
// Rules the model says only in prose (model docs; devguide pages "Add rate
// limits to a gateway", "Rate limit dimensions", "Rate limit metrics"), each
// a ValidationException naming the member:
//   - an entry's dimensions map has exactly the limit's dimensionKeys as
//     keys ("Keys must exactly match the dimensionKeys"), and "*" appears
//     only at trailing positions of the dimensionKeys order;
//   - an entry sets at least one metric (requests, tokens, connections);
//     tokens are per minute only and connections per second only;
//   - decisions: dimensionKeys hold no duplicate, and no two entries of a
//     limit have the same dimension values (the gateway picks one entry per
//     request, so a second could never apply).
//
// Decisions:
//   - rateLimitId, when absent, is a random UUID (it matches the id
//     pattern); a caller's id is unique per gateway (ConflictException).
//   - Create and BatchPut are refused on a DELETING gateway
//     (ConflictException), as for targets and rules; at most
//     maxRateLimitsPerGateway (50, devguide) rate limits per gateway
//     (ServiceQuotaExceededException; a batch counts its own set).
//   - UpdateGatewayRateLimit is a PATCH: description left out (or empty)
//     keeps its value; entries are required and replace the old ones. The
//     dimension keys are immutable (model doc).
//   - A limit entering DELETING frees its dimension keys at once, so that
//     a new limit (or a batch) can take them while the deletion runs.
//   - BatchPutGatewayRateLimits takes "the complete set of rate limits for
//     this gateway" and "replaces all existing limits atomically" (model
//     and API reference docs), "updating existing limits with matching keys
//     and creating new limits for new keys" (operation doc). Here, in one
//     transaction: an entry with a rateLimitId matches the gateway's limit
//     of that id; one without matches the limit whose dimensionKeys are the
//     same list. A matched limit is replaced (description and entries; a
//     description left out is cleared, this is a put) and goes UPDATING; an
//     entry matching nothing creates a limit (CREATING) with its id or a
//     generated one; every existing limit no entry matched is deleted
//     (DELETING). The answer lists the resulting set in request order. Two
//     entries with the same rateLimitId or the same dimension-key set are a
//     ValidationException (the request contradicts itself; no state could
//     satisfy it); an entry whose id names a limit with other dimensionKeys
//     is a ValidationException (immutable); matching a limit that is still
//     in a transitional status is a ConflictException, as for an update.
//     Any error leaves every limit as it was.
//   - Rate limits go with their gateway; they do not block its deletion.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindGatewayRateLimit = "gateway-rate-limit"
	// maxRateLimitsPerGateway is the devguide's "Rate limits per gateway".
	maxRateLimitsPerGateway = 50
)

// gatewayRateLimitRecord is the document of a gateway-rate-limit row.
type gatewayRateLimitRecord struct {
	api.GetGatewayRateLimitResponse
}

var gatewayRateLimits = &family[gatewayRateLimitRecord]{
	kind: kindGatewayRateLimit, group: familyGateways, noun: "rate limit",
	fields: fields{ID: "RateLimitId", Status: "Status", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{
		create: "CREATING", update: "UPDATING", delete: "DELETING",
		settle:     map[string]outcome{"CREATING": {"ACTIVE", ""}, "UPDATING": {"ACTIVE", ""}, "DELETING": {"", ""}},
		infallible: true,
	},
	quota:        func(Quotas) int { return maxRateLimitsPerGateway },
	listLimit:    defaultGatewayListLimit,
	parentExists: gatewayExists,
	missing: func(gatewayID, id string) error {
		return awserr.NotFound("Rate limit '%s' of gateway '%s' was not found.", id, gatewayID)
	},
	// The row's name is the dimension-key set.
	taken: func(gatewayID, keys string) error {
		return awserr.Conflict("Gateway %s already has a rate limit with dimension keys [%s]. Dimension keys must be unique within a gateway.", gatewayID, keys)
	},
	full: func(gatewayID string, quota int) error {
		return awserr.QuotaExceeded("Gateway %s has reached the maximum of %d rate limits.", gatewayID, quota)
	},
	// A deleting limit frees its dimension keys (see the header).
	beforeDelete: func(_ context.Context, _ store.Tx, _ scope, row *store.Resource, _ *gatewayRateLimitRecord) error {
		row.Name = ""
		return nil
	},
}

// dimensionSet is the row name of a limit: its dimension keys as a set.
func dimensionSet(keys []string) string {
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	return strings.Join(sorted, ",")
}

// checkRateLimit enforces what the model says only in prose about a rate
// limit's dimension keys and entries. prefix is "" for the top-level
// members of Create and Update, "rateLimits.N.member." in a batch.
func checkRateLimit(prefix string, keys []string, entries []api.LimitEntry) error {
	for i, k := range keys {
		if slices.Contains(keys[:i], k) {
			return invalidMember(prefix+"dimensionKeys", "Dimension keys must be unique; '"+k+"' appears more than once")
		}
	}
	seen := map[string]int{}
	for i, e := range entries {
		member := fmt.Sprintf("%sentries.%d.member", prefix, i+1)
		if len(e.Dimensions) != len(keys) || !allIn(keys, e.Dimensions) {
			return invalidMember(member+".dimensions", "Keys must exactly match the dimensionKeys of the rate limit ["+strings.Join(keys, ", ")+"]")
		}
		values := make([]string, len(keys))
		for j, k := range keys {
			values[j] = e.Dimensions[k]
			if j > 0 && values[j-1] == "*" && values[j] != "*" {
				return invalidMember(member+".dimensions", "The wildcard '*' may only appear at trailing positions of the dimensionKeys order")
			}
		}
		if len(e.Requests) == 0 && len(e.Tokens) == 0 && len(e.Connections) == 0 {
			return invalidMember(member, "An entry must set at least one of requests, tokens or connections")
		}
		if err := checkPeriods(member+".tokens", e.Tokens, api.PeriodMinute, "Token rate limits are per minute only"); err != nil {
			return err
		}
		if err := checkPeriods(member+".connections", e.Connections, api.PeriodSecond, "Connection rate limits are per second only"); err != nil {
			return err
		}
		tuple := string(encodeDoc(values))
		if j, dup := seen[tuple]; dup {
			return invalidMember(member+".dimensions", fmt.Sprintf("Entries must have distinct dimension values; entry %d has the same", j))
		}
		seen[tuple] = i + 1
	}
	return nil
}

func allIn(keys []string, dims map[string]string) bool {
	for _, k := range keys {
		if _, ok := dims[k]; !ok {
			return false
		}
	}
	return true
}

func checkPeriods(member string, rates []api.RateConfig, only api.Period, constraint string) error {
	for i, r := range rates {
		if r.Period != only {
			return invalidMember(fmt.Sprintf("%s.%d.member.period", member, i+1), constraint)
		}
	}
	return nil
}

// insertRateLimit stores a new rate limit, CREATING, under its gateway,
// with a generated id when the record has none.
func (s *Service) insertRateLimit(ctx context.Context, tx store.Tx, sc scope, rec *gatewayRateLimitRecord, now time.Time) error {
	f := gatewayRateLimits
	gatewayID := rec.GatewayIdentifier
	if rec.RateLimitId == "" {
		rec.RateLimitId = uuid.NewString()
	} else if _, err := tx.Get(ctx, sc.key(f.kind, f.rowID(gatewayID, rec.RateLimitId))); err == nil {
		return awserr.Conflict("Gateway %s already has a rate limit with id %s.", gatewayID, rec.RateLimitId)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	rec.Status = api.GatewayRateLimitStatusCreating
	rec.CreatedAt, rec.UpdatedAt = api.NewDateTime(now), api.NewDateTime(now)
	keys := dimensionSet(rec.DimensionKeys)
	row := &store.Resource{Account: sc.account, Region: sc.region, Kind: f.kind, ID: f.rowID(gatewayID, rec.RateLimitId),
		ParentID: gatewayID, Name: keys, Status: string(rec.Status), CreatedAt: now, UpdatedAt: now}
	f.encode(row, rec)
	if err := tx.Insert(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// A concurrent request took the id or the keys first.
			return awserr.Conflict("Gateway %s already has a rate limit with id %s or dimension keys [%s].", gatewayID, rec.RateLimitId, keys)
		}
		return err
	}
	return s.lifecycle.Schedule(ctx, tx, row)
}

func (s *Service) CreateGatewayRateLimit(ctx context.Context, in *api.CreateGatewayRateLimitRequest) (*api.CreateGatewayRateLimitResponse, error) {
	if err := checkRateLimit("", in.DimensionKeys, in.Entries); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateGatewayRateLimitResponse, error) {
		if err := gatewayTakesChildren(ctx, in.GatewayIdentifier)(tx, sc); err != nil {
			return nil, err
		}
		if err := gatewayRateLimits.checkRoom(ctx, s, tx, sc, in.GatewayIdentifier, dimensionSet(in.DimensionKeys)); err != nil {
			return nil, err
		}
		rec := new(gatewayRateLimitRecord)
		members.Assign(rec, in)
		if err := s.insertRateLimit(ctx, tx, sc, rec, s.now().UTC()); err != nil {
			return nil, err
		}
		// The answer reports CREATING even when the immediate policy has
		// already ended it in this transaction.
		return members.Project[api.CreateGatewayRateLimitResponse](rec), nil
	})
}

func (s *Service) GetGatewayRateLimit(ctx context.Context, in *api.GetGatewayRateLimitRequest) (*api.GetGatewayRateLimitResponse, error) {
	return get[api.GetGatewayRateLimitResponse](ctx, s, gatewayRateLimits, in.GatewayIdentifier, in.RateLimitId)
}

func (s *Service) UpdateGatewayRateLimit(ctx context.Context, in *api.UpdateGatewayRateLimitRequest) (*api.UpdateGatewayRateLimitResponse, error) {
	return update[api.UpdateGatewayRateLimitResponse](ctx, s, gatewayRateLimits, in.GatewayIdentifier, in.RateLimitId, in,
		func(_ store.Tx, _ scope, _ *store.Resource, r *gatewayRateLimitRecord) error {
			// The new entries against the stored (immutable) keys.
			return checkRateLimit("", r.DimensionKeys, r.Entries)
		})
}

func (s *Service) DeleteGatewayRateLimit(ctx context.Context, in *api.DeleteGatewayRateLimitRequest) (*api.DeleteGatewayRateLimitResponse, error) {
	return remove[api.DeleteGatewayRateLimitResponse](ctx, s, gatewayRateLimits, in.GatewayIdentifier, in.RateLimitId)
}

func (s *Service) ListGatewayRateLimits(ctx context.Context, in *api.ListGatewayRateLimitsRequest) (*api.ListGatewayRateLimitsResponse, error) {
	return answerPage[api.ListGatewayRateLimitsResponse](list[api.GatewayRateLimitDetail](ctx, s, gatewayRateLimits,
		listing[gatewayRateLimitRecord]{parent: in.GatewayIdentifier, maxResults: in.MaxResults, nextToken: in.NextToken}))
}

// storedRateLimit is one of a gateway's limits as a batch finds it.
type storedRateLimit struct {
	row *store.Resource
	rec *gatewayRateLimitRecord
}

// BatchPutGatewayRateLimits makes the request's limits the gateway's whole
// set, in one transaction (see the header for the matching rules).
func (s *Service) BatchPutGatewayRateLimits(ctx context.Context, in *api.BatchPutGatewayRateLimitsRequest) (*api.BatchPutGatewayRateLimitsResponse, error) {
	ids, sets := map[string]int{}, map[string]int{}
	for i, l := range in.RateLimits {
		prefix := fmt.Sprintf("rateLimits.%d.member.", i+1)
		if err := checkRateLimit(prefix, l.DimensionKeys, l.Entries); err != nil {
			return nil, err
		}
		if id := l.RateLimitId; id != "" {
			if j, dup := ids[id]; dup {
				return nil, invalidMember(prefix+"rateLimitId", fmt.Sprintf("Rate limit ids must be unique in a batch; rateLimits.%d has the same", j))
			}
			ids[id] = i + 1
		}
		set := dimensionSet(l.DimensionKeys)
		if j, dup := sets[set]; dup {
			return nil, invalidMember(prefix+"dimensionKeys", fmt.Sprintf("Dimension keys must be unique within a gateway; rateLimits.%d has the same", j))
		}
		sets[set] = i + 1
	}
	f := gatewayRateLimits
	gatewayID := in.GatewayIdentifier
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.BatchPutGatewayRateLimitsResponse, error) {
		if err := gatewayTakesChildren(ctx, gatewayID)(tx, sc); err != nil {
			return nil, err
		}
		if len(in.RateLimits) > maxRateLimitsPerGateway {
			return nil, f.full(gatewayID, maxRateLimitsPerGateway)
		}
		rows, err := tx.List(ctx, store.ListQuery{Account: sc.account, Region: sc.region, Kind: f.kind, ParentID: gatewayID})
		if err != nil {
			return nil, err
		}
		stored := make([]*storedRateLimit, len(rows))
		byID, byKeys := map[string]*storedRateLimit{}, map[string]*storedRateLimit{}
		for i, r := range rows {
			rec := new(gatewayRateLimitRecord)
			if err := decodeDoc(r, rec); err != nil {
				return nil, err
			}
			stored[i] = &storedRateLimit{row: r, rec: rec}
			byID[rec.RateLimitId] = stored[i]
			if rec.Status != api.GatewayRateLimitStatusDeleting {
				byKeys[string(encodeDoc(rec.DimensionKeys))] = stored[i]
			}
		}
		matched := make([]*storedRateLimit, len(in.RateLimits))
		kept := map[*storedRateLimit]bool{}
		for i, l := range in.RateLimits {
			m := byKeys[string(encodeDoc(l.DimensionKeys))]
			if l.RateLimitId != "" {
				m = byID[l.RateLimitId]
			}
			if m == nil {
				continue
			}
			if status := string(m.rec.Status); f.transitional(status) {
				return nil, awserr.Conflict("Rate limit '%s' is %s and cannot be updated now.", m.rec.RateLimitId, status)
			}
			if !slices.Equal(m.rec.DimensionKeys, l.DimensionKeys) {
				return nil, invalidMember(fmt.Sprintf("rateLimits.%d.member.dimensionKeys", i+1),
					"The dimension keys of rate limit "+m.rec.RateLimitId+" are immutable: ["+strings.Join(m.rec.DimensionKeys, ", ")+"]")
			}
			matched[i], kept[m] = m, true
		}
		now := s.now().UTC()
		// Deletions first: they free the dimension keys new limits may take.
		for _, m := range stored {
			if kept[m] || m.rec.Status == api.GatewayRateLimitStatusDeleting {
				continue
			}
			m.row.Name = ""
			if err := f.enter(ctx, s, tx, m.row, m.rec, f.states.delete, now); err != nil {
				return nil, err
			}
		}
		out := &api.BatchPutGatewayRateLimitsResponse{RateLimits: make([]api.GatewayRateLimitDetail, len(in.RateLimits))}
		for i, l := range in.RateLimits {
			rec := new(gatewayRateLimitRecord)
			if m := matched[i]; m != nil {
				rec = m.rec
				rec.Description, rec.Entries = l.Description, l.Entries
				if err := f.enter(ctx, s, tx, m.row, rec, f.states.update, now); err != nil {
					return nil, err
				}
			} else {
				members.Assign(rec, &l)
				rec.GatewayIdentifier = gatewayID
				if err := s.insertRateLimit(ctx, tx, sc, rec, now); err != nil {
					return nil, err
				}
			}
			out.RateLimits[i] = *members.Project[api.GatewayRateLimitDetail](rec)
		}
		return out, nil
	})
}
