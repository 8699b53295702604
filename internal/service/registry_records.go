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
	"errors"
	"strconv"
	"strings"
	"time"

	"agentcored/internal/api"
	"agentcored/internal/awserr"
	"agentcored/internal/store"
)

const (
	kindRegistryRecord = "registry-record"
	recordIDLength     = 12
	// recordRowDeleting is the row status of a record being deleted; it never
	// reaches the wire.
	recordRowDeleting = "DELETING"
)

// registryRecordDoc is the document of a registry-record row.
type registryRecordDoc struct {
	api.GetRegistryRecordResponse
	// PendingFailure, set by an injected fault, makes the pending transition
	// end in *_FAILED with this status reason.
	PendingFailure string `json:"pendingFailure,omitempty"`
}

func recordNotFound(ident string) error {
	return awserr.NotFound("Registry record '%s' was not found.", ident)
}

func recordRowID(registryID, recordID string) string { return registryID + "/" + recordID }

// recordIDFrom turns a record identifier (id or ARN) into the id; ok is
// false for an ARN that does not name a record of this registry.
func recordIDFrom(sc scope, registryID, ident string) (id string, ok bool) {
	if !strings.HasPrefix(ident, "arn:") {
		return ident, true
	}
	id = ident[strings.LastIndex(ident, "/")+1:]
	return id, ident == sc.arn("registry/"+registryID+"/record/"+id)
}

// getRecord finds a record, and its registry, by their identifiers. A
// record being deleted is not found.
func (s *Service) getRecord(ctx context.Context, tx store.Tx, registryIdent, recordIdent string) (*registryDoc, *store.Resource, *registryRecordDoc, error) {
	_, reg, err := s.getRegistry(ctx, tx, registryIdent)
	if err != nil {
		return nil, nil, nil, err
	}
	sc := scopeOf(ctx)
	id, ok := recordIDFrom(sc, reg.RegistryId, recordIdent)
	if !ok {
		return nil, nil, nil, recordNotFound(recordIdent)
	}
	r, err := tx.Get(ctx, sc.key(kindRegistryRecord, recordRowID(reg.RegistryId, id)))
	if errors.Is(err, store.ErrNotFound) || err == nil && r.Status == recordRowDeleting {
		return nil, nil, nil, recordNotFound(recordIdent)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var doc registryRecordDoc
	return reg, r, &doc, decodeDoc(r, &doc)
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

// checkRegistryTakesRecords refuses records for a registry that is being
// deleted or never came into being.
func checkRegistryTakesRecords(reg *registryDoc) error {
	switch reg.Status {
	case api.RegistryStatusDeleting, api.RegistryStatusCreateFailed:
		return awserr.Conflict("Registry '%s' is %s and does not accept records.", reg.RegistryId, reg.Status)
	}
	return nil
}

func (s *Service) CreateRegistryRecord(ctx context.Context, in *api.CreateRegistryRecordRequest) (*api.CreateRegistryRecordResponse, error) {
	if err := checkDescriptors(in.DescriptorType, in.Descriptors); err != nil {
		return nil, err
	}
	if err := checkSynchronization(in.SynchronizationType, in.SynchronizationConfiguration); err != nil {
		return nil, err
	}
	sc := scopeOf(ctx)
	quota := quotaOrDefault(s.quotas.RecordsPerRegistry, DefaultQuotas.RecordsPerRegistry)
	return mutate(ctx, s, func(tx store.Tx) (*api.CreateRegistryRecordResponse, error) {
		_, reg, err := s.getRegistry(ctx, tx, in.RegistryId)
		if err != nil {
			return nil, err
		}
		if err := checkRegistryTakesRecords(reg); err != nil {
			return nil, err
		}
		if _, err := tx.GetByName(ctx, sc.account, sc.region, kindRegistryRecord, reg.RegistryId, in.Name); err == nil {
			return nil, recordNameTaken(in.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if n, err := tx.Count(ctx, sc.account, sc.region, kindRegistryRecord, reg.RegistryId); err != nil {
			return nil, err
		} else if n >= quota {
			return nil, awserr.QuotaExceeded("Registry '%s' has reached the maximum of %d records.", reg.RegistryId, quota)
		}
		now := s.now().UTC()
		id := randomString(idAlphabet, recordIDLength)
		arn := reg.RegistryArn + "/record/" + id
		descriptors := in.Descriptors
		if descriptors == nil {
			descriptors = &api.Descriptors{}
		}
		version := in.RecordVersion
		if version == "" {
			version = "1"
		}
		doc := registryRecordDoc{GetRegistryRecordResponse: api.GetRegistryRecordResponse{
			RegistryArn: reg.RegistryArn, RecordArn: arn, RecordId: id, Name: in.Name, Description: in.Description,
			DescriptorType: in.DescriptorType, Descriptors: descriptors, RecordVersion: version,
			Status: api.RegistryRecordStatusCreating, CreatedAt: api.NewDateTime(now), UpdatedAt: api.NewDateTime(now),
			SynchronizationType: in.SynchronizationType, SynchronizationConfiguration: in.SynchronizationConfiguration,
		}}
		doc.PendingFailure = s.injectedFailure(ctx, "CreateRegistryRecord")
		row := &store.Resource{Account: sc.account, Region: sc.region, Kind: kindRegistryRecord, ID: recordRowID(reg.RegistryId, id),
			ParentID: reg.RegistryId, Name: in.Name, ARN: arn, Status: string(doc.Status), CreatedAt: now, UpdatedAt: now, Doc: encodeDoc(doc)}
		if err := tx.Insert(ctx, row); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, recordNameTaken(in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		return &api.CreateRegistryRecordResponse{RecordArn: arn, Status: doc.Status}, nil
	})
}

func recordNameTaken(name string) error {
	return awserr.Conflict("A record named '%s' already exists in this registry.", name)
}

func (s *Service) GetRegistryRecord(ctx context.Context, in *api.GetRegistryRecordRequest) (*api.GetRegistryRecordResponse, error) {
	var doc *registryRecordDoc
	err := s.read(ctx, func(tx store.Tx) error {
		var err error
		_, _, doc, err = s.getRecord(ctx, tx, in.RegistryId, in.RecordId)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &doc.GetRegistryRecordResponse, nil
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
	if u.Mcp != nil {
		if u.Mcp.OptionalValue == nil {
			next.Mcp = nil
		} else {
			mcp := api.McpDescriptor{}
			if next.Mcp != nil {
				mcp = *next.Mcp
			}
			if f := u.Mcp.OptionalValue.Server; f != nil {
				mcp.Server = f.OptionalValue
			}
			if f := u.Mcp.OptionalValue.Tools; f != nil {
				mcp.Tools = f.OptionalValue
			}
			next.Mcp = &mcp
		}
	}
	if u.A2a != nil {
		next.A2a = u.A2a.OptionalValue
	}
	if u.Custom != nil {
		next.Custom = u.Custom.OptionalValue
	}
	if u.AgentSkills != nil {
		if u.AgentSkills.OptionalValue == nil {
			next.AgentSkills = nil
		} else {
			skills := api.AgentSkillsDescriptor{}
			if next.AgentSkills != nil {
				skills = *next.AgentSkills
			}
			if f := u.AgentSkills.OptionalValue.SkillMd; f != nil {
				skills.SkillMd = f.OptionalValue
			}
			if f := u.AgentSkills.OptionalValue.SkillDefinition; f != nil {
				skills.SkillDefinition = f.OptionalValue
			}
			next.AgentSkills = &skills
		}
	}
	return &next
}

func (s *Service) UpdateRegistryRecord(ctx context.Context, in *api.UpdateRegistryRecordRequest) (*api.UpdateRegistryRecordResponse, error) {
	if (in.SynchronizationType == nil) != (in.SynchronizationConfiguration == nil) {
		return nil, invalidMember("synchronizationType", "synchronizationType and synchronizationConfiguration must be updated together")
	}
	sc := scopeOf(ctx)
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateRegistryRecordResponse, error) {
		reg, row, doc, err := s.getRecord(ctx, tx, in.RegistryId, in.RecordId)
		if err != nil {
			return nil, err
		}
		switch doc.Status {
		case api.RegistryRecordStatusCreating, api.RegistryRecordStatusUpdating, api.RegistryRecordStatusCreateFailed:
			return nil, awserr.Conflict("Registry record '%s' is %s and cannot be updated now.", doc.RecordId, doc.Status)
		case api.RegistryRecordStatusDeprecated:
			return nil, awserr.Conflict("Registry record '%s' is DEPRECATED; deprecated records cannot be edited.", doc.RecordId)
		}
		if in.RecordVersion != "" && in.RecordVersion != doc.RecordVersion {
			return nil, awserr.Conflict("Record version '%s' does not match the current version '%s' of registry record '%s'.", in.RecordVersion, doc.RecordVersion, doc.RecordId)
		}
		if in.Name != "" && in.Name != doc.Name {
			if _, err := tx.GetByName(ctx, sc.account, sc.region, kindRegistryRecord, reg.RegistryId, in.Name); err == nil {
				return nil, recordNameTaken(in.Name)
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			doc.Name = in.Name
			row.Name = in.Name
		}
		if in.Description != nil {
			doc.Description = in.Description.OptionalValue
		}
		if in.DescriptorType != "" {
			doc.DescriptorType = in.DescriptorType
		}
		doc.Descriptors = patchDescriptors(doc.Descriptors, in.Descriptors)
		if err := checkDescriptors(doc.DescriptorType, doc.Descriptors); err != nil {
			return nil, err
		}
		if in.SynchronizationType != nil {
			doc.SynchronizationType = in.SynchronizationType.OptionalValue
			doc.SynchronizationConfiguration = in.SynchronizationConfiguration.OptionalValue
			if err := checkSynchronization(doc.SynchronizationType, doc.SynchronizationConfiguration); err != nil {
				return nil, err
			}
		}
		if in.TriggerSynchronization != nil && *in.TriggerSynchronization &&
			(doc.SynchronizationConfiguration == nil || doc.SynchronizationConfiguration.FromUrl == nil) {
			return nil, invalidMember("triggerSynchronization", "The record has no synchronization configuration")
		}
		now := s.now().UTC()
		doc.RecordVersion = nextRecordVersion(doc.RecordVersion)
		doc.Status = api.RegistryRecordStatusUpdating
		doc.StatusReason = ""
		doc.UpdatedAt = api.NewDateTime(now)
		doc.PendingFailure = s.injectedFailure(ctx, "UpdateRegistryRecord")
		if err := saveDoc(ctx, tx, row, string(doc.Status), doc, now); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, recordNameTaken(in.Name)
			}
			return nil, err
		}
		if err := s.lifecycle.Schedule(ctx, tx, row); err != nil {
			return nil, err
		}
		out := api.UpdateRegistryRecordResponse(doc.GetRegistryRecordResponse)
		return &out, nil
	})
}

// setRecordStatus records a synchronous status change.
func (s *Service) setRecordStatus(ctx context.Context, tx store.Tx, row *store.Resource, doc *registryRecordDoc, status api.RegistryRecordStatus, reason string) error {
	now := s.now().UTC()
	doc.Status = status
	doc.StatusReason = reason
	doc.UpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, string(status), doc, now)
}

func (s *Service) SubmitRegistryRecordForApproval(ctx context.Context, in *api.SubmitRegistryRecordForApprovalRequest) (*api.SubmitRegistryRecordForApprovalResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.SubmitRegistryRecordForApprovalResponse, error) {
		reg, row, doc, err := s.getRecord(ctx, tx, in.RegistryId, in.RecordId)
		if err != nil {
			return nil, err
		}
		if doc.Status != api.RegistryRecordStatusDraft {
			return nil, awserr.Conflict("Registry record '%s' is %s; only DRAFT records can be submitted for approval.", doc.RecordId, doc.Status)
		}
		next, reason := api.RegistryRecordStatusPendingApproval, ""
		if a := reg.ApprovalConfiguration; a != nil && a.AutoApproval != nil && *a.AutoApproval {
			next, reason = api.RegistryRecordStatusApproved, "Approved automatically by the registry's approval configuration"
		}
		if err := s.setRecordStatus(ctx, tx, row, doc, next, reason); err != nil {
			return nil, err
		}
		return &api.SubmitRegistryRecordForApprovalResponse{
			RegistryArn: doc.RegistryArn, RecordArn: doc.RecordArn, RecordId: doc.RecordId, Status: doc.Status, UpdatedAt: doc.UpdatedAt,
		}, nil
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
	return mutate(ctx, s, func(tx store.Tx) (*api.UpdateRegistryRecordStatusResponse, error) {
		_, row, doc, err := s.getRecord(ctx, tx, in.RegistryId, in.RecordId)
		if err != nil {
			return nil, err
		}
		allowed := false
		for _, st := range sources {
			allowed = allowed || st == doc.Status
		}
		if !allowed {
			return nil, awserr.Conflict("Registry record '%s' is %s and cannot be moved to %s.", doc.RecordId, doc.Status, in.Status)
		}
		if err := s.setRecordStatus(ctx, tx, row, doc, in.Status, in.StatusReason); err != nil {
			return nil, err
		}
		return &api.UpdateRegistryRecordStatusResponse{
			RegistryArn: doc.RegistryArn, RecordArn: doc.RecordArn, RecordId: doc.RecordId, Status: doc.Status,
			StatusReason: doc.StatusReason, UpdatedAt: doc.UpdatedAt,
		}, nil
	})
}

func (s *Service) DeleteRegistryRecord(ctx context.Context, in *api.DeleteRegistryRecordRequest) (*api.DeleteRegistryRecordResponse, error) {
	return mutate(ctx, s, func(tx store.Tx) (*api.DeleteRegistryRecordResponse, error) {
		_, row, _, err := s.getRecord(ctx, tx, in.RegistryId, in.RecordId)
		if err != nil {
			return nil, err
		}
		row.Status = recordRowDeleting
		row.UpdatedAt = s.now().UTC()
		if err := tx.Update(ctx, row); err != nil {
			return nil, err
		}
		return &api.DeleteRegistryRecordResponse{}, s.lifecycle.Schedule(ctx, tx, row)
	})
}

func (s *Service) ListRegistryRecords(ctx context.Context, in *api.ListRegistryRecordsRequest) (*api.ListRegistryRecordsResponse, error) {
	out := &api.ListRegistryRecordsResponse{RegistryRecords: []api.RegistryRecordSummary{}}
	sc := scopeOf(ctx)
	err := s.read(ctx, func(tx store.Tx) error {
		_, reg, err := s.getRegistry(ctx, tx, in.RegistryId)
		if err != nil {
			return err
		}
		var docs []*registryRecordDoc
		keep := func(r *store.Resource) (bool, error) {
			if r.Status == recordRowDeleting || in.Name != "" && r.Name != in.Name || in.Status != "" && r.Status != string(in.Status) {
				return false, nil
			}
			var doc registryRecordDoc
			if err := decodeDoc(r, &doc); err != nil {
				return false, err
			}
			if in.DescriptorType != "" && doc.DescriptorType != in.DescriptorType {
				return false, nil
			}
			docs = append(docs, &doc)
			return true, nil
		}
		rows, next, err := s.pageKeeping(ctx, tx, sc, kindRegistryRecord, reg.RegistryId, in.MaxResults, defaultRegistryListLimit, in.NextToken, keep)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, doc := range docs[:len(rows)] {
			out.RegistryRecords = append(out.RegistryRecords, api.RegistryRecordSummary{
				RegistryArn: doc.RegistryArn, RecordArn: doc.RecordArn, RecordId: doc.RecordId, Name: doc.Name,
				Description: doc.Description, DescriptorType: doc.DescriptorType, RecordVersion: doc.RecordVersion,
				Status: doc.Status, CreatedAt: doc.CreatedAt, UpdatedAt: doc.UpdatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reconcileRegistryRecord completes a record's pending creation, update or
// deletion.
func (s *Service) reconcileRegistryRecord(ctx context.Context, tx store.Tx, row *store.Resource, now time.Time) error {
	if row.Status == recordRowDeleting {
		return s.removeResource(ctx, tx, row)
	}
	var doc registryRecordDoc
	if err := decodeDoc(row, &doc); err != nil {
		return err
	}
	switch doc.Status {
	case api.RegistryRecordStatusCreating, api.RegistryRecordStatusUpdating:
	default:
		return nil
	}
	next := api.RegistryRecordStatusDraft
	if doc.PendingFailure != "" {
		doc.StatusReason = doc.PendingFailure
		next = api.RegistryRecordStatusCreateFailed
		if doc.Status == api.RegistryRecordStatusUpdating {
			next = api.RegistryRecordStatusUpdateFailed
		}
	}
	doc.Status = next
	doc.PendingFailure = ""
	doc.UpdatedAt = api.NewDateTime(now)
	return saveDoc(ctx, tx, row, string(next), doc, now)
}
