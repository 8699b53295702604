package console

import (
	"fmt"
	"net/http"
	"time"
)

// heartbeat keeps idle event streams (and the proxies between) open.
const heartbeat = 15 * time.Second

// events streams server-sent events: "change" with the watcher's version
// after every committed write (at most a few a second), so that an open
// page refreshes what it shows without a reload. The write deadline of the
// server would end the stream: it is lifted for this response.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v int64) bool {
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %d\n\n", event, v); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	wt := h.opts.Watcher
	if !send("hello", wt.Version()) {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		changed := wt.Changed()
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-changed:
			// Let a burst of writes settle into one event.
			select {
			case <-r.Context().Done():
				return
			case <-time.After(150 * time.Millisecond):
			}
			if !send("change", wt.Version()) {
				return
			}
		}
	}
}
