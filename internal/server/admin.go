package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"agentcored/internal/auth"
	"agentcored/internal/awserr"
	"agentcored/internal/dataplane"
	"agentcored/internal/faults"
	"agentcored/internal/lifecycle"
	"agentcored/internal/protocol"
	"agentcored/internal/store"
)

// AdminAction is the action a credential's identity policy must allow for
// the key to use the admin API in strict mode (keys without a policy may do
// everything, as for the AWS API).
const AdminAction = "agentcored:Admin"

// maxAdminBody bounds admin request bodies; an import carries the whole state.
const maxAdminBody = 256 << 20

// adminHandler serves the admin API under /_agentcored/: reset, lifecycle
// policies and manual advance, fault rules, export and import of the state.
// It is off the AWS routes.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_agentcored/reset", s.adminReset)
	mux.HandleFunc("GET /_agentcored/export", s.adminExport)
	mux.HandleFunc("POST /_agentcored/import", s.adminImport)
	mux.HandleFunc("GET /_agentcored/lifecycle", s.adminGetLifecycle)
	mux.HandleFunc("PUT /_agentcored/lifecycle", s.adminSetLifecycle)
	mux.HandleFunc("POST /_agentcored/lifecycle/advance", s.adminAdvance)
	mux.HandleFunc("GET /_agentcored/faults", s.adminListFaults)
	mux.HandleFunc("POST /_agentcored/faults", s.adminAddFault)
	mux.HandleFunc("DELETE /_agentcored/faults", s.adminRemoveFault)
	mux.HandleFunc("DELETE /_agentcored/faults/{id}", s.adminRemoveFault)
	mux.HandleFunc("GET /_agentcored/agents", s.adminGetAgents)
	mux.HandleFunc("PUT /_agentcored/agents", s.adminSetAgents)
	mux.HandleFunc("GET /_agentcored/agents/sessions", s.adminAgentSessions)
	mux.HandleFunc("GET /_agentcored/memory/deliveries", s.adminMemoryDeliveries)
	// Anything else is a JSON 404, not the mux's plain-text 404 or 405.
	mux.HandleFunc("/_agentcored/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "no admin route "+r.Method+" "+r.URL.EscapedPath())
	})
	return mux
}

// adminOnly guards the admin API and the moto reset. In permissive mode they
// are open, like the AWS API. In strict mode a request must be SigV4-signed
// by a key the server knows (any service name and region in the scope), and
// a key that carries an identity policy must be allowed AdminAction on "*".
func (s *Server) adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Auth != auth.Strict {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
		if err != nil {
			protocol.WriteError(w, nil, awserr.Errorf(awserr.CodeTooLarge, "Request body exceeds %d bytes.", maxAdminBody))
			return
		}
		id, err := s.auth.Authenticate(r, body)
		if err != nil {
			protocol.WriteError(w, nil, err)
			return
		}
		if c := id.Credential; c == nil || (c.Policy != nil && !c.Policy.Allows(AdminAction, "*")) {
			protocol.WriteError(w, nil, awserr.Errorf(awserr.CodeAccessDenied, "User: %s is not authorized to perform: %s",
				auth.UserARN(id.Account, id.AccessKeyID), AdminAction))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return decodeJSONLimit(w, r, v, 1<<20)
}

func decodeJSONLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	// An empty body is an empty object.
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return true
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return false
	}
	// Exactly one value: nothing may follow it.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		adminError(w, http.StatusBadRequest, "invalid JSON: trailing data after the value")
		return false
	}
	return true
}

func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
	}
	if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
		return
	}
	if err := s.store.Reset(r.Context(), req.Account); err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type lifecycleSetting struct {
	Family      string `json:"family,omitempty"`
	Policy      string `json:"policy"`
	DelayMillis int64  `json:"delayMillis,omitempty"`
}

func (s *Server) adminGetLifecycle(w http.ResponseWriter, r *http.Request) {
	var out []lifecycleSetting
	for family, set := range s.svc.Lifecycle().Families() {
		out = append(out, lifecycleSetting{Family: family, Policy: string(set.Policy), DelayMillis: set.Delay.Milliseconds()})
	}
	slices.SortFunc(out, func(a, b lifecycleSetting) int { return strings.Compare(a.Family, b.Family) })
	writeJSON(w, http.StatusOK, map[string]any{"families": out})
}

func (s *Server) adminSetLifecycle(w http.ResponseWriter, r *http.Request) {
	var req lifecycleSetting
	if !decodeJSON(w, r, &req) {
		return
	}
	p, err := lifecycle.ParsePolicy(req.Policy)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	set := lifecycle.PolicySetting{Policy: p, Delay: time.Duration(req.DelayMillis) * time.Millisecond}
	if err := s.svc.Lifecycle().SetPolicy(req.Family, set); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, req)
}

// adminAdvance completes one pending transition ({"kind", "id"}, optional
// "account" and "region"), or every pending one ({} or {"all": true},
// optionally of one "account").
func (s *Server) adminAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		All     bool   `json:"all"`
		Account string `json:"account"`
		Region  string `json:"region"`
		Kind    string `json:"kind"`
		ID      string `json:"id"`
	}
	if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
		return
	}
	if req.All || (req.Kind == "" && req.ID == "") {
		if req.Kind != "" || req.ID != "" || req.Region != "" {
			adminError(w, http.StatusBadRequest, "advance all takes only an optional account")
			return
		}
		n, err := s.svc.Lifecycle().AdvanceAll(r.Context(), req.Account)
		if err != nil {
			adminError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"count": n})
		return
	}
	if req.Kind == "" || req.ID == "" {
		adminError(w, http.StatusBadRequest, "advance needs both kind and id (or nothing, to advance all)")
		return
	}
	if req.Account == "" {
		req.Account = s.cfg.Account
	}
	if req.Region == "" {
		req.Region = s.cfg.Region
	}
	ok, err := s.svc.Lifecycle().Advance(r.Context(), store.Key{Account: req.Account, Region: req.Region, Kind: req.Kind, ID: req.ID})
	if err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"advanced": ok})
}

func (s *Server) adminListFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": s.svc.Faults().List()})
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var rule faults.Rule
	if !decodeJSON(w, r, &rule) {
		return
	}
	added, err := s.svc.Faults().Add(rule)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (s *Server) adminRemoveFault(w http.ResponseWriter, r *http.Request) {
	if !s.svc.Faults().Remove(r.PathValue("id")) {
		adminError(w, http.StatusNotFound, "no such fault rule")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminGetAgents lists the agent bindings: {"agents": [...]}.
func (s *Server) adminGetAgents(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"agents": s.data.Agents()})
}

// adminSetAgents replaces the agent bindings with {"agents": [...]}; an
// invalid list is a 400 and changes nothing. A relative dir is taken as
// is (relative to agentcored's working directory).
func (s *Server) adminSetAgents(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Agents *[]dataplane.AgentBinding `json:"agents"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Agents == nil {
		adminError(w, http.StatusBadRequest, `the body must be {"agents": [...]}`)
		return
	}
	if err := s.data.SetAgents(*req.Agents); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": s.data.Agents()})
}

// adminAgentSessions lists the live runtime sessions: {"sessions": [...]}.
func (s *Server) adminAgentSessions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"sessions": s.data.Sessions()})
}

// adminMemoryDeliveries lists the deliveries of self-managed memory
// strategies (the S3 and SNS stand-ins) of ?account= and ?region= (the
// server's by default), of one ?memoryId= when given:
// {"deliveries": [...]}.
func (s *Server) adminMemoryDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	account, region := q.Get("account"), q.Get("region")
	if account == "" {
		account = s.cfg.Account
	}
	if region == "" {
		region = s.cfg.Region
	}
	out, err := s.svc.ListMemoryDeliveries(r.Context(), account, region, q.Get("memoryId"))
	if err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}
