package console

import (
	"html/template"
	"net/http"

	"agentcored/internal/dpapi"
)

// memoryEvents browses a memory's short-term events: its actors, an
// actor's sessions, a session's events (newest first, as ListEvents).
func (h *Handler) memoryEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	actor, session, token := q.Get("actor"), q.Get("session"), q.Get("next")
	ctx := r.Context()
	svc := h.opts.Service
	data := map[string]any{"ID": id, "Actor": actor, "Session": session}
	var next string
	var err error
	switch {
	case actor == "":
		var actors []dpapi.ActorSummary
		actors, next, err = svc.ListMemoryActors(ctx, id, token, 50)
		data["Actors"] = actors
	case session == "":
		var sessions []dpapi.SessionSummary
		sessions, next, err = svc.ListMemorySessions(ctx, id, actor, token, 50)
		data["Sessions"] = sessions
	default:
		var events []dpapi.Event
		events, next, err = svc.ListMemoryEvents(ctx, id, actor, session, token, 50, nil)
		data["Events"] = events
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if next != "" {
		p := q
		p.Set("next", next)
		// A whole query of our own making: html/template would escape its
		// "=" and "&" as one query value.
		data["Next"] = template.URL("?" + p.Encode())
	}
	h.render(w, r, http.StatusOK, "events", "Events of memory "+id, "memories", data)
}
