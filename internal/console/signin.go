package console

import (
	"net/http"
	"strings"
)

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", "Sign in", "", map[string]string{"Next": safeNext(r.URL.Query().Get("next"))})
}

func (h *Handler) signInPost(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return
	}
	next := safeNext(r.FormValue("next"))
	if !h.opts.Strict {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	c, msg := h.signIn(strings.TrimSpace(r.FormValue("accessKeyId")), r.FormValue("secretAccessKey"))
	if c == nil {
		h.render(w, r, http.StatusUnauthorized, "signin", "Sign in", "", map[string]string{"Next": next, "Error": msg})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: h.sessions.issue(c.AccessKeyID), Path: Prefix,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds()), Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Prefix+"signin", http.StatusSeeOther)
}

// safeNext keeps a redirect target inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.Contains(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}
