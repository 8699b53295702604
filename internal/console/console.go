// Package console is the web console served by the binary at
// /_agentcored/console/: server-rendered pages (html/template, readable
// without JavaScript) over the service layer's own operations, a little
// vanilla JavaScript for live updates (server-sent events) and actions.
// Assets are embedded; nothing is fetched from the network.
package console

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"agentcored/internal/auth"
	"agentcored/internal/awserr"
	"agentcored/internal/reqctx"
	"agentcored/internal/service"
)

// Prefix is where the console is served.
const Prefix = "/_agentcored/console/"

//go:embed assets
var assets embed.FS

// Options are what the console needs from the server.
type Options struct {
	Service *service.Service
	// Data is the data plane (invoke a runtime, list memory records);
	// nil leaves those pages answering NotImplementedException.
	Data    DataPlane
	Watcher *Watcher
	// Strict: the person signs in with an access key (see access.go).
	Strict          bool
	Account, Region string // shown in permissive mode
	Lookup          func(accessKeyID string) (*auth.Credential, bool)
	// Reset deletes one account's state (the admin reset).
	Reset func(ctx context.Context, account string) error
	// Admin is the admin API's handler; the console forwards export and
	// import to it in permissive mode (they span every account, so a
	// strict-mode console does not offer them).
	Admin http.Handler
}

// Handler serves the console.
type Handler struct {
	opts     Options
	sessions *sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New builds the console handler.
func New(opts Options) *Handler {
	if opts.Watcher == nil {
		opts.Watcher = NewWatcher()
	}
	h := &Handler{opts: opts, sessions: newSessions(), pages: map[string]*template.Template{}}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/layout.html"))
	for _, p := range []string{"overview", "list", "detail", "confirm", "admin", "signin", "error", "events", "records"} {
		h.pages[p] = template.Must(template.Must(base.Clone()).ParseFS(assets, "assets/"+p+".html"))
	}
	static, _ := fs.Sub(assets, "assets/static")
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", http.FileServerFS(static)))
	m.HandleFunc("GET "+Prefix+"signin", h.signInPage)
	m.HandleFunc("POST "+Prefix+"signin", h.signInPost)
	m.HandleFunc("POST "+Prefix+"signout", h.signOut)
	m.HandleFunc("POST "+Prefix+"region", h.guard(h.setRegion))
	m.HandleFunc("GET "+Prefix+"{$}", h.guard(h.overview))
	m.HandleFunc("GET "+Prefix+"events", h.guard(h.events))
	m.HandleFunc("GET "+Prefix+"admin", h.guard(h.adminPage))
	m.HandleFunc("POST "+Prefix+"admin/{action}", h.guard(h.adminPost))
	m.HandleFunc("POST "+Prefix+"admin/faults/{id}/delete", h.guard(h.adminRemoveFault))
	m.HandleFunc("GET "+Prefix+"admin/export", h.guard(h.adminExport))
	// Each family's routes are literal paths (a {family} wildcard would
	// collide with static/ and admin/ in the mux's rules).
	for _, f := range families {
		at := func(next http.HandlerFunc) http.HandlerFunc {
			return h.guard(func(w http.ResponseWriter, r *http.Request) {
				r.SetPathValue("family", f.Slug)
				next(w, r)
			})
		}
		base := Prefix + f.Slug + "/"
		m.HandleFunc("GET "+base+"{$}", at(h.list))
		m.HandleFunc("GET "+base+"{id}", at(h.detail))
		m.HandleFunc("GET "+base+"{id}/delete", at(h.confirmDelete))
		m.HandleFunc("POST "+base+"{id}/delete", at(h.delete))
		m.HandleFunc("POST "+base+"{id}/tags", at(h.setTags))
		m.HandleFunc("POST "+base+"{id}/advance", at(h.advance))
	}
	m.HandleFunc("GET "+Prefix+"memories/{id}/events", h.guard(h.memoryEvents))
	m.HandleFunc("GET "+Prefix+"memories/{id}/records", h.guard(h.memoryRecords))
	m.HandleFunc("POST "+Prefix+"runtimes/{id}/invoke", h.guard(h.invoke))
	m.HandleFunc("GET /_agentcored/console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	})
	h.mux = m
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	h.mux.ServeHTTP(w, r)
}

type viewerKey struct{}

// guard applies the access rule; a page handler then finds the viewer in
// the request context, and the service sees the viewer's account and
// region as the API's caller would have them. A state-changing request
// must come from the console's own origin.
func (h *Handler) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := h.who(r)
		if !ok {
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/events") {
				http.Redirect(w, r, Prefix+"signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodGet && !sameOrigin(r) {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		info := &reqctx.Info{Account: v.Account, Region: v.Region, AccessKey: v.AccessKey}
		if old := reqctx.From(r.Context()); old != nil {
			info.RequestID = old.RequestID
		}
		ctx := context.WithValue(reqctx.With(r.Context(), info), viewerKey{}, v)
		next(w, r.WithContext(ctx))
	}
}

func viewerOf(r *http.Request) viewer {
	v, _ := r.Context().Value(viewerKey{}).(viewer)
	return v
}

// sameOrigin accepts a request without Origin (same-origin form posts of
// older browsers, scripts) or whose Origin is this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// page is what every template gets.
type page struct {
	Title    string
	Viewer   viewer
	Strict   bool
	Families []*family
	Active   string
	Notice   string
	Data     any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title, active string, data any) {
	p := page{Title: title, Viewer: viewerOf(r), Strict: h.opts.Strict, Families: families, Active: active, Data: data,
		Notice: r.URL.Query().Get("notice")}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := h.pages[name].ExecuteTemplate(w, "layout.html", p); err != nil {
		// The status is sent; all that is left is to end the page.
		w.Write([]byte("<p>render error: " + template.HTMLEscapeString(err.Error()) + "</p>"))
	}
}

// fail renders an error page: the API's error code and message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := http.StatusInternalServerError, "InternalServerException"
	var ae *awserr.Error
	if errors.As(err, &ae) {
		status, code = ae.Status(), ae.Code
	}
	msg := err.Error()
	if ae != nil {
		msg = ae.Message
	}
	h.render(w, r, status, "error", "Error", "", map[string]string{"Code": code, "Message": msg})
}

// back redirects after a successful action, with a notice for the person.
func back(w http.ResponseWriter, r *http.Request, to, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
