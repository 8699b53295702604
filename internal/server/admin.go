package server

import (
	"encoding/json"
	"net/http"
	"time"

	"agentcored/internal/service"
	"agentcored/internal/store"
)

// adminHandler serves the admin API under /_agentcored/: reset, lifecycle
// policies and manual advance, fault rules. It is off the AWS routes.
func (s *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_agentcored/reset", s.adminReset)
	mux.HandleFunc("GET /_agentcored/lifecycle", s.adminGetLifecycle)
	mux.HandleFunc("PUT /_agentcored/lifecycle", s.adminSetLifecycle)
	mux.HandleFunc("POST /_agentcored/lifecycle/advance", s.adminAdvance)
	mux.HandleFunc("GET /_agentcored/faults", s.adminListFaults)
	mux.HandleFunc("POST /_agentcored/faults", s.adminAddFault)
	mux.HandleFunc("DELETE /_agentcored/faults", s.adminRemoveFault)
	mux.HandleFunc("DELETE /_agentcored/faults/{id}", s.adminRemoveFault)
	return mux
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
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
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
	writeJSON(w, http.StatusOK, map[string]any{"families": out})
}

func (s *Server) adminSetLifecycle(w http.ResponseWriter, r *http.Request) {
	var req lifecycleSetting
	if !decodeJSON(w, r, &req) {
		return
	}
	p, err := service.ParsePolicy(req.Policy)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	set := service.PolicySetting{Policy: p, Delay: time.Duration(req.DelayMillis) * time.Millisecond}
	if err := s.svc.Lifecycle().SetPolicy(req.Family, set); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, req)
}

func (s *Server) adminAdvance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Account string `json:"account"`
		Region  string `json:"region"`
		Kind    string `json:"kind"`
		ID      string `json:"id"`
	}
	if !decodeJSON(w, r, &req) {
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
	var rule service.FaultRule
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
