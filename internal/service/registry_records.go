package service

// Registry records: the entries of a registry (registries.go).
//
// A record's id is 12 random alphanumerics; its ARN is
// ...:registry/<registryId>/record/<recordId>; the row id is
// "<registryId>/<recordId>" under the registry. Both identifiers accept the
// id or the full ARN (a record ARN must name the same registry).
//
// Statuses (devguide, "Record lifecycle"):
//   - Create (202): CREATING -> DRAFT (or CREATE_FAILED with statusReason).
//   - UpdateRegistryRecord (202, PATCH): UPDATING -> DRAFT (or
//     UPDATE_FAILED). An edit of a PENDING_APPROVAL, APPROVED or REJECTED
//     record makes a new DRAFT revision; a DEPRECATED record cannot be
//     edited (ConflictException). recordVersion, when given, must equal the
//     current version (optimistic locking, ConflictException otherwise); a
//     successful update increments the version's trailing number ("1" ->
//     "2", "1.0.3" -> "1.0.4"; a version without one gets ".1").
//   - SubmitRegistryRecordForApproval (202): DRAFT -> PENDING_APPROVAL, or
//     APPROVED at once when the registry's approvalConfiguration.autoApproval
//     is true (read at submission, so a changed setting applies to later
//     submissions only). Any other status: ConflictException.
//   - UpdateRegistryRecordStatus (202): APPROVED from PENDING_APPROVAL or
//     REJECTED; REJECTED from PENDING_APPROVAL; DEPRECATED from any settled
//     status (terminal). Other targets are not curation decisions
//     (ValidationException); other sources ConflictException.
//   - DeleteRegistryRecord (200, per the model): the record is removed
//     asynchronously. The model's status enum has no DELETING, so a record
//     being deleted is no longer shown (Get answers 404, List omits it) but
//     still counts for the registry's "zero records" rule until it is gone.
//     Its removal cannot be made to fail (there is no status to report it).
//
// Other decisions:
//   - Record names are unique within their registry (ConflictException).
//   - Only the descriptor matching descriptorType may be set; inline contents
//     documented as JSON (MCP server and tools, A2A agent card, custom,
//     structured skill definition) must parse as JSON. Skill markdown is
//     free text.
//   - synchronizationType and synchronizationConfiguration go together;
//     triggerSynchronization needs a configuration and only touches the
//     record (nothing is fetched).
//   - Submit and status changes are synchronous (the enum has no
//     transitional status for them); the answer carries the new status.
//   - Quota: Quotas.RecordsPerRegistry (no documented value; 1000 here).

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/members"
	"agentcored/internal/store"
)

const (
	kindRegistryRecord = "registry-record"
	recordIDLength     = 12
	// recordRowDeleting is the row status of a record being deleted; it never
	// reaches the wire (the document keeps the record's last status).
	recordRowDeleting = "DELETING"
)

// registryRecordDoc is the document of a registry-record row.
type registryRecordDoc struct {
	api.GetRegistryRecordResponse
	failable
}

// registryRecords is the family of records; its row parent is the registry
// id. Delete is its own (recordRowDeleting), so the status machine has no
// deleting status.
var registryRecords = &family[registryRecordDoc]{
	kind: kindRegistryRecord, group: familyRegistries, noun: "registry record",
	arnOf:  func(sc scope, registry, id string) string { return sc.arn("registry/" + registry + "/record/" + id) },
	newID:  func(string) string { return randomString(idAlphabet, recordIDLength) },
	fields: fields{ID: "RecordId", ARN: "RecordArn", Status: "Status", Reason: "StatusReason", Created: "CreatedAt", Updated: "UpdatedAt"},
	states: states{create: "CREATING", update: "UPDATING", frozen: []string{"CREATE_FAILED"},
		settle: map[string]outcome{"CREATING": {"DRAFT", "CREATE_FAILED"}, "UPDATING": {"DRAFT", "UPDATE_FAILED"}}},
	quota:     func(q Quotas) int { return quotaOrDefault(q.RecordsPerRegistry, DefaultQuotas.RecordsPerRegistry) },
	listLimit: defaultRegistryListLimit,
	taken: func(_, name string) error {
		return awserr.Conflict("A record named '%s' already exists in this registry.", name)
	},
	full: func(registry string, quota int) error {
		return awserr.QuotaExceeded("Registry '%s' has reached the maximum of %d records.", registry, quota)
	},
}

// reconcileRegistryRecord removes a record being deleted and ends the
// family's other transitions.
func (s *Service) reconcileRegistryRecord(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	if row.Status == recordRowDeleting {
		return s.removeResource(ctx, tx, row)
	}
	return registryRecords.reconcile(ctx, s, tx, row, now)
}

// recordIDFrom turns a record identifier (id or ARN) into the id; ok is
// false for an ARN that does not name a record of this registry.
func recordIDFrom(sc scope, registryID, ident string) (id string, ok bool) {
	return idFrom(ident, func(id string) string { return registryRecords.arn(sc, registryID, id) })
}

// loadRecord reads a record, and its registry, by their identifiers. A
// record being deleted is not found.
func loadRecord(ctx context.Context, tx store.Tx, sc scope, registryIdent, recordIdent string) (*registryDoc, *store.Resource, *registryRecordDoc, error) {
	reg, err := loadRegistry(ctx, tx, sc, registryIdent)
	if err != nil {
		return nil, nil, nil, err
	}
	id, ok := recordIDFrom(sc, reg.RegistryId, recordIdent)
	if !ok {
		id = recordIdent // names no row, as for registries
	}
	row, rec, err := registryRecords.load(ctx, tx, sc, reg.RegistryId, id)
	if err == nil && row.Status == recordRowDeleting {
		err = registryRecords.notFound(recordIdent)
	}
	return reg, row, rec, err
}

// changeRecord runs change on the record a request names, in a write
// transaction, and answers the record projected on Out.
func changeRecord[Out any](ctx context.Context, s *Service, registryIdent, recordIdent string,
	change func(tx store.Tx, sc scope, reg *registryDoc, row *store.Resource, rec *registryRecordDoc) error) (*Out, error) {
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*Out, error) {
		reg, row, rec, err := loadRecord(ctx, tx, sc, registryIdent, recordIdent)
		if err != nil {
			return nil, err
		}
		if err := change(tx, sc, reg, row, rec); err != nil {
			return nil, err
		}
		return members.Project[Out](rec), nil
	})
}

func invalidMember(member, constraint string) error {
	e := awserr.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", member, constraint)
	e.Fields = []awserr.FieldError{{Name: member, Message: constraint}}
	return e
}

// checkJSONContent rejects inline content that should be JSON and is not.
func checkJSONContent(member, content string) error {
	if content == "" || json.Valid([]byte(content)) {
		return nil
	}
	return invalidMember(member, "Member must be a valid JSON document")
}

// checkDescriptors enforces that only the descriptor of the record's type is
// set, and that its JSON contents parse.
func checkDescriptors(typ api.DescriptorType, d *api.Descriptors) error {
	if d == nil {
		return nil
	}
	for _, m := range []struct {
		typ    api.DescriptorType
		member string
		set    bool
	}{
		{api.DescriptorTypeMcp, "mcp", d.Mcp != nil},
		{api.DescriptorTypeA2a, "a2a", d.A2a != nil},
		{api.DescriptorTypeCustom, "custom", d.Custom != nil},
		{api.DescriptorTypeAgentSkills, "agentSkills", d.AgentSkills != nil},
	} {
		if m.set && m.typ != typ {
			return invalidMember("descriptors."+m.member, "Member is only allowed when descriptorType is "+string(m.typ))
		}
	}
	var contents [][2]string
	if d.Mcp != nil && d.Mcp.Server != nil {
		contents = append(contents, [2]string{"descriptors.mcp.server.inlineContent", d.Mcp.Server.InlineContent})
	}
	if d.Mcp != nil && d.Mcp.Tools != nil {
		contents = append(contents, [2]string{"descriptors.mcp.tools.inlineContent", d.Mcp.Tools.InlineContent})
	}
	if d.A2a != nil && d.A2a.AgentCard != nil {
		contents = append(contents, [2]string{"descriptors.a2a.agentCard.inlineContent", d.A2a.AgentCard.InlineContent})
	}
	if d.Custom != nil {
		contents = append(contents, [2]string{"descriptors.custom.inlineContent", d.Custom.InlineContent})
	}
	if d.AgentSkills != nil && d.AgentSkills.SkillDefinition != nil {
		contents = append(contents, [2]string{"descriptors.agentSkills.skillDefinition.inlineContent", d.AgentSkills.SkillDefinition.InlineContent})
	}
	for _, c := range contents {
		if err := checkJSONContent(c[0], c[1]); err != nil {
			return err
		}
	}
	return nil
}

// checkSynchronization enforces that a synchronization type comes with its
// configuration and the other way round.
func checkSynchronization(typ api.SynchronizationType, cfg *api.SynchronizationConfiguration) error {
	switch {
	case typ == api.SynchronizationTypeUrl && (cfg == nil || cfg.FromUrl == nil):
		return invalidMember("synchronizationConfiguration.fromUrl", "Member must not be null when synchronizationType is URL")
	case typ == "" && cfg != nil && cfg.FromUrl != nil:
		return invalidMember("synchronizationType", "Member must not be null when synchronizationConfiguration is set")
	}
	return nil
}

// nextRecordVersion increments the trailing number of a version.
func nextRecordVersion(v string) string {
	i := len(v)
	for i > 0 && v[i-1] >= '0' && v[i-1] <= '9' {
		i--
	}
	if i == len(v) {
		return v + ".1"
	}
	n, err := strconv.ParseUint(v[i:], 10, 64)
	if err != nil {
		return v + ".1"
	}
	return v[:i] + strconv.FormatUint(n+1, 10)
}

func (s *Service) CreateRegistryRecord(ctx context.Context, in *api.CreateRegistryRecordRequest) (*api.CreateRegistryRecordResponse, error) {
	if err := checkDescriptors(in.DescriptorType, in.Descriptors); err != nil {
		return nil, err
	}
	if err := checkSynchronization(in.SynchronizationType, in.SynchronizationConfiguration); err != nil {
		return nil, err
	}
	registryID := registryID(scopeOf(ctx), in.RegistryId)
	// A registry being deleted, or that never came into being, takes no records.
	check := func(tx store.Tx, sc scope) error {
		_, reg, err := registries.load(ctx, tx, sc, "", registryID)
		if err == nil && (reg.Status == api.RegistryStatusDeleting || reg.Status == api.RegistryStatusCreateFailed) {
			err = awserr.Conflict("Registry '%s' is %s and does not accept records.", reg.RegistryId, reg.Status)
		}
		return err
	}
	return create[api.CreateRegistryRecordResponse](ctx, s, registryRecords, creation{parent: registryID, name: in.Name, from: in, check: check},
		func(_ store.Tx, sc scope, rec *registryRecordDoc) error {
			rec.RegistryArn = registries.arn(sc, "", registryID)
			if rec.Descriptors == nil {
				rec.Descriptors = &api.Descriptors{}
			}
			if rec.RecordVersion == "" {
				rec.RecordVersion = "1"
			}
			return nil
		})
}

func (s *Service) GetRegistryRecord(ctx context.Context, in *api.GetRegistryRecordRequest) (*api.GetRegistryRecordResponse, error) {
	sc := scopeOf(ctx)
	var rec *registryRecordDoc
	err := s.read(ctx, func(tx store.Tx) (err error) {
		_, _, rec, err = loadRecord(ctx, tx, sc, in.RegistryId, in.RecordId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return members.Project[api.GetRegistryRecordResponse](rec), nil
}

// patchDescriptors applies UpdateRegistryRecord's descriptors wrapper to the
// current descriptors: each wrapper present replaces (or, without a value,
// unsets) its part; absent parts stay.
func patchDescriptors(cur *api.Descriptors, w *api.UpdatedDescriptors) *api.Descriptors {
	if w == nil {
		return cur
	}
	if w.OptionalValue == nil {
		return &api.Descriptors{}
	}
	next := api.Descriptors{}
	if cur != nil {
		next = *cur
	}
	u := w.OptionalValue
	members.Patch(&next, u) // a2a and custom: their wrappers hold the whole part
	if u.Mcp != nil {
		next.Mcp = patchPart(next.Mcp, u.Mcp.OptionalValue)
	}
	if u.AgentSkills != nil {
		next.AgentSkills = patchPart(next.AgentSkills, u.AgentSkills.OptionalValue)
	}
	return &next
}

// patchPart applies the wrappers of one part's fields (mcp, agentSkills) to
// a copy of the part; no fields at all unset it.
func patchPart[P, F any](cur *P, fields *F) *P {
	if fields == nil {
		return nil
	}
	var next P
	if cur != nil {
		next = *cur
	}
	members.Patch(&next, fields)
	return &next
}

func (s *Service) UpdateRegistryRecord(ctx context.Context, in *api.UpdateRegistryRecordRequest) (*api.UpdateRegistryRecordResponse, error) {
	if (in.SynchronizationType == nil) != (in.SynchronizationConfiguration == nil) {
		return nil, invalidMember("synchronizationType", "synchronizationType and synchronizationConfiguration must be updated together")
	}
	// The members patch copies: not the identifier, and not the version,
	// which is checked and then incremented.
	from := *in
	from.RecordId, from.RecordVersion = "", ""
	return changeRecord[api.UpdateRegistryRecordResponse](ctx, s, in.RegistryId, in.RecordId,
		func(tx store.Tx, sc scope, _ *registryDoc, row *store.Resource, rec *registryRecordDoc) error {
			switch rec.Status {
			case api.RegistryRecordStatusCreating, api.RegistryRecordStatusUpdating, api.RegistryRecordStatusCreateFailed:
				return awserr.Conflict("Registry record '%s' is %s and cannot be updated now.", rec.RecordId, rec.Status)
			case api.RegistryRecordStatusDeprecated:
				return awserr.Conflict("Registry record '%s' is DEPRECATED; deprecated records cannot be edited.", rec.RecordId)
			}
			if in.RecordVersion != "" && in.RecordVersion != rec.RecordVersion {
				return awserr.Conflict("Record version '%s' does not match the current version '%s' of registry record '%s'.", in.RecordVersion, rec.RecordVersion, rec.RecordId)
			}
			members.Patch(rec, &from)
			if err := rename(ctx, tx, sc, registryRecords, row, rec.Name); err != nil {
				return err
			}
			rec.Descriptors = patchDescriptors(rec.Descriptors, in.Descriptors)
			if err := checkDescriptors(rec.DescriptorType, rec.Descriptors); err != nil {
				return err
			}
			if in.SynchronizationType != nil {
				if err := checkSynchronization(rec.SynchronizationType, rec.SynchronizationConfiguration); err != nil {
					return err
				}
			}
			if in.TriggerSynchronization != nil && *in.TriggerSynchronization &&
				(rec.SynchronizationConfiguration == nil || rec.SynchronizationConfiguration.FromUrl == nil) {
				return invalidMember("triggerSynchronization", "The record has no synchronization configuration")
			}
			rec.RecordVersion = nextRecordVersion(rec.RecordVersion)
			return registryRecords.enter(ctx, s, tx, row, rec, registryRecords.states.update, s.now().UTC())
		})
}

// setRecordStatus records a synchronous status change.
func (s *Service) setRecordStatus(ctx context.Context, tx store.Tx, row *store.Resource, rec *registryRecordDoc, status api.RegistryRecordStatus, reason string) error {
	now := s.now().UTC()
	registryRecords.setStatus(rec, string(status), reason, now)
	return registryRecords.save(ctx, s, tx, row, rec, now)
}

func (s *Service) SubmitRegistryRecordForApproval(ctx context.Context, in *api.SubmitRegistryRecordForApprovalRequest) (*api.SubmitRegistryRecordForApprovalResponse, error) {
	return changeRecord[api.SubmitRegistryRecordForApprovalResponse](ctx, s, in.RegistryId, in.RecordId,
		func(tx store.Tx, _ scope, reg *registryDoc, row *store.Resource, rec *registryRecordDoc) error {
			if rec.Status != api.RegistryRecordStatusDraft {
				return awserr.Conflict("Registry record '%s' is %s; only DRAFT records can be submitted for approval.", rec.RecordId, rec.Status)
			}
			next, reason := api.RegistryRecordStatusPendingApproval, ""
			if a := reg.ApprovalConfiguration; a != nil && a.AutoApproval != nil && *a.AutoApproval {
				next, reason = api.RegistryRecordStatusApproved, "Approved automatically by the registry's approval configuration"
			}
			return s.setRecordStatus(ctx, tx, row, rec, next, reason)
		})
}

// recordStatusSources lists, for each status a curator may set, the statuses
// a record may be in beforehand.
var recordStatusSources = map[api.RegistryRecordStatus][]api.RegistryRecordStatus{
	api.RegistryRecordStatusApproved: {api.RegistryRecordStatusPendingApproval, api.RegistryRecordStatusRejected},
	api.RegistryRecordStatusRejected: {api.RegistryRecordStatusPendingApproval},
	api.RegistryRecordStatusDeprecated: {
		api.RegistryRecordStatusDraft, api.RegistryRecordStatusPendingApproval, api.RegistryRecordStatusApproved,
		api.RegistryRecordStatusRejected, api.RegistryRecordStatusCreateFailed, api.RegistryRecordStatusUpdateFailed,
	},
}

func (s *Service) UpdateRegistryRecordStatus(ctx context.Context, in *api.UpdateRegistryRecordStatusRequest) (*api.UpdateRegistryRecordStatusResponse, error) {
	sources, ok := recordStatusSources[in.Status]
	if !ok {
		return nil, invalidMember("status", "Member must be one of APPROVED, REJECTED or DEPRECATED")
	}
	return changeRecord[api.UpdateRegistryRecordStatusResponse](ctx, s, in.RegistryId, in.RecordId,
		func(tx store.Tx, _ scope, _ *registryDoc, row *store.Resource, rec *registryRecordDoc) error {
			if !slices.Contains(sources, rec.Status) {
				return awserr.Conflict("Registry record '%s' is %s and cannot be moved to %s.", rec.RecordId, rec.Status, in.Status)
			}
			return s.setRecordStatus(ctx, tx, row, rec, in.Status, in.StatusReason)
		})
}

// DeleteRegistryRecord marks the row only: the document keeps its status
// (the model has no DELETING) and the reconciler removes the row.
func (s *Service) DeleteRegistryRecord(ctx context.Context, in *api.DeleteRegistryRecordRequest) (*api.DeleteRegistryRecordResponse, error) {
	return changeRecord[api.DeleteRegistryRecordResponse](ctx, s, in.RegistryId, in.RecordId,
		func(tx store.Tx, _ scope, _ *registryDoc, row *store.Resource, _ *registryRecordDoc) error {
			row.Status = recordRowDeleting
			row.UpdatedAt = s.now().UTC()
			if err := tx.Update(ctx, row); err != nil {
				return err
			}
			return s.lifecycle.Schedule(ctx, tx, row)
		})
}

func (s *Service) ListRegistryRecords(ctx context.Context, in *api.ListRegistryRecordsRequest) (*api.ListRegistryRecordsResponse, error) {
	out := &api.ListRegistryRecordsResponse{RegistryRecords: []api.RegistryRecordSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		reg, err := loadRegistry(ctx, tx, sc, in.RegistryId)
		if err != nil {
			return err
		}
		// The engine's list filters documents; records being deleted are
		// told by their row, so this one pages rows.
		var recs []*registryRecordDoc
		keep := func(r *store.Resource) (bool, error) {
			if r.Status == recordRowDeleting || in.Name != "" && r.Name != in.Name || in.Status != "" && r.Status != string(in.Status) {
				return false, nil
			}
			var rec registryRecordDoc
			if err := decodeDoc(r, &rec); err != nil || in.DescriptorType != "" && rec.DescriptorType != in.DescriptorType {
				return false, err
			}
			recs = append(recs, &rec)
			return true, nil
		}
		rows, next, err := s.pageKeeping(ctx, tx, sc, kindRegistryRecord, reg.RegistryId, in.MaxResults, registryRecords.listLimit, in.NextToken, keep)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, rec := range recs[:len(rows)] {
			out.RegistryRecords = append(out.RegistryRecords, *members.Project[api.RegistryRecordSummary](rec))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
