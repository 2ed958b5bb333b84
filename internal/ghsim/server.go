package ghsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

func (s *Sim) routes() {
	s.mux = http.NewServeMux()
	const repo = "/repos/{owner}/{repo}"
	s.route("GET /rate_limit", s.getRateLimit)
	s.route("GET /user", s.getUser)
	s.route("GET /users/{login}", s.getUserByLogin)
	s.route("GET /app", s.getApp)
	s.route("GET "+repo+"/installation", s.getRepoInstallation)
	s.route("POST /app/installations/{id}/access_tokens", s.createInstallationToken)
	s.route("GET "+repo, s.getRepo)

	s.route("GET "+repo+"/git/ref/{ref...}", s.getRef)
	s.route("GET "+repo+"/git/matching-refs/{ref...}", s.matchingRefs)
	s.route("POST "+repo+"/git/refs", s.createRef)
	s.route("PATCH "+repo+"/git/refs/{ref...}", s.updateRef)
	s.route("DELETE "+repo+"/git/refs/{ref...}", s.deleteRef)
	s.route("POST "+repo+"/git/blobs", s.createBlob)
	s.route("GET "+repo+"/git/blobs/{sha}", s.getBlob)
	s.route("POST "+repo+"/git/trees", s.createTree)
	s.route("GET "+repo+"/git/trees/{sha}", s.getTree)
	s.route("POST "+repo+"/git/commits", s.createCommit)
	s.route("GET "+repo+"/git/commits/{sha}", s.getGitCommit)
	s.route("POST "+repo+"/git/tags", s.createTag)
	s.route("GET "+repo+"/git/tags/{sha}", s.getTag)
	s.route("GET "+repo+"/contents/{path...}", s.getContents)
	s.route("GET "+repo+"/branches/{branch...}", s.getBranch)
	s.route("GET "+repo+"/commits", s.listCommits)
	s.route("GET "+repo+"/commits/{ref}", s.getCommit)
	s.route("GET "+repo+"/compare/{basehead...}", s.compare)
	s.route("GET "+repo+"/activity", s.listActivity)

	s.route("GET "+repo+"/pulls", s.listPulls)
	s.route("POST "+repo+"/pulls", s.createPull)
	s.route("GET "+repo+"/pulls/{number}", s.getPull)
	s.route("PATCH "+repo+"/pulls/{number}", s.updatePull)
	s.route("GET "+repo+"/pulls/{number}/files", s.listPullFiles)
	s.route("GET "+repo+"/pulls/{number}/commits", s.listPullCommits)
	s.route("GET "+repo+"/pulls/{number}/reviews", s.listReviews)
	s.route("POST "+repo+"/pulls/{number}/reviews", s.createReview)
	s.route("GET "+repo+"/pulls/{number}/reviews/{id}", s.getReview)
	s.route("PUT "+repo+"/pulls/{number}/reviews/{id}/dismissals", s.dismissReview)
	s.route("GET "+repo+"/pulls/{number}/merge", s.isMerged)
	s.route("PUT "+repo+"/pulls/{number}/merge", s.mergePull)

	s.route("GET "+repo+"/issues/{number}", s.getIssue)
	// GitHub's issue-comment routes overlap ({number}/comments and
	// comments/{id}), which ServeMux will not register separately.
	s.route("GET "+repo+"/issues/{a}/{b}", s.issueSubresource)
	s.route("POST "+repo+"/issues/{number}/comments", s.createComment)
	s.route("PATCH "+repo+"/issues/comments/{id}", s.updateComment)
	s.route("DELETE "+repo+"/issues/comments/{id}", s.deleteComment)
	s.route("POST "+repo+"/issues/comments/{id}/reactions", s.createReaction)
	s.route("GET "+repo+"/issues/comments/{id}/reactions", s.listReactions)
	s.route("DELETE "+repo+"/issues/comments/{id}/reactions/{reaction}", s.deleteReaction)
	s.route("POST "+repo+"/issues/{number}/labels", s.addLabels)
	s.route("DELETE "+repo+"/issues/{number}/labels/{name}", s.removeLabel)

	s.route("GET "+repo+"/collaborators/{user}/permission", s.getPermission)
	s.route("GET /orgs/{org}/teams/{slug}/memberships/{user}", s.getTeamMembership)

	s.route("POST "+repo+"/statuses/{sha}", s.createStatus)
	s.route("GET "+repo+"/commits/{ref}/status", s.combinedStatus)
	s.route("GET "+repo+"/commits/{ref}/statuses", s.listStatuses)
	s.route("GET "+repo+"/commits/{ref}/check-runs", s.listCheckRuns)
	s.route("POST "+repo+"/check-runs", s.createCheckRun)

	s.route("GET "+repo+"/actions/runs/{id}", s.getWorkflowRun)

	s.route("POST "+repo+"/releases", s.createRelease)
	s.route("GET "+repo+"/releases", s.listReleases)
	s.route("GET "+repo+"/releases/latest", s.latestRelease)
	s.route("GET "+repo+"/releases/tags/{tag...}", s.releaseByTag)
	s.route("GET "+repo+"/releases/{id}", s.getRelease)
}

// call is the context of one API request.
type call struct {
	s    *Sim
	w    http.ResponseWriter
	r    *http.Request
	who  *principal // nil when anonymous or app
	app  *App       // set when authenticated by an App JWT
	body []byte
	// limited is set when the primary rate limit refused the request.
	limited bool
	vars    map[string]string // path values set by a dispatching handler
}

func (c *call) login() string {
	switch {
	case c.who != nil:
		return c.who.user.Login
	case c.app != nil:
		return "app:" + c.app.Slug
	}
	return ""
}

type handler func(c *call)

// route registers a handler for "METHOD /path/{wildcards}".
func (s *Sim) route(pattern string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(callKey{}).(*call)
		c.w = w
		c.r = r
		h(c)
	})
}

type callKey struct{}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := strings.TrimPrefix(r.URL.Path, "/api/v3"); p != r.URL.Path {
		r.URL.Path = p
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, "/api/v3")
		}
	}
	_, pattern := s.mux.Handler(r)
	body, err := io.ReadAll(io.LimitReader(r.Body, 100<<20))
	if err != nil {
		return
	}
	sum := sha256.Sum256(body)
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Route: pattern, BodyHash: hex.EncodeToString(sum[:]), Time: s.opts.Now()}
	// Every GitHub answer carries the server's time (RFC 9110 Date), from
	// the simulator's clock so that it agrees with the timestamps it serves.
	w.Header().Set("Date", entry.Time.UTC().Format(http.TimeFormat))

	f := s.matchFault(r.Method, pattern)
	if f == nil {
		f = s.randomFault(r.Method, pattern)
	}
	var after *Fault
	if f != nil && f.Kind == FaultStatusAfter {
		after, f = f, nil
	}
	if f != nil {
		entry.Fault = true
		if f.Kind == FaultReset {
			// Log before the client can see the reset and send its retry.
			s.record(entry)
			s.inject(w, r, f)
			return
		}
		entry.Status = s.inject(w, r, f)
		s.record(entry)
		return
	}

	sw := &statusWriter{ResponseWriter: w}
	s.mu.Lock()
	if after == nil {
		after = s.afterFault(r.Method, pattern)
	}
	var out http.ResponseWriter = sw
	var lost *discardWriter
	if after != nil {
		lost = &discardWriter{}
		out = lost
	}
	c := &call{s: s, w: out, r: r, body: body}
	if ok := s.authenticate(c); ok && s.rateLimit(c) {
		if pattern == "" {
			c.fail(http.StatusNotFound, "Not Found")
		} else {
			s.mux.ServeHTTP(out, r.WithContext(context.WithValue(r.Context(), callKey{}, c)))
		}
	}
	entry.Identity = c.login()
	entry.RateLimited = c.limited
	if after != nil {
		entry.Fault = true
		c.w = sw
		status := after.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		c.fail(status, http.StatusText(status))
	}
	entry.Status = sw.status
	s.log = append(s.log, entry)
	s.mu.Unlock()
}

// docs is the documentation_url GitHub puts beside errors.
const docs = "https://docs.github.com/rest"

// fail writes GitHub's error body.
func (c *call) fail(status int, message string) {
	c.json(status, map[string]any{"message": message, "documentation_url": docs, "status": strconv.Itoa(status)})
}

// invalid writes a 422 Validation Failed with one error entry.
func (c *call) invalid(resource, field, code, message string) {
	e := map[string]any{"resource": resource, "code": code}
	if field != "" {
		e["field"] = field
	}
	if message != "" {
		e["message"] = message
	}
	c.json(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": []any{e}, "documentation_url": docs, "status": "422",
	})
}

func (c *call) json(status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(c.w, err.Error(), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// raw answers repository bytes in GitHub's raw media type.
func (c *call) raw(data []byte) {
	c.w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
	c.w.Header().Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data) //nolint:gosec // raw repository content, served as GitHub does, never rendered
}

// decode parses the JSON request body into v, answering 400 "Problems
// parsing JSON" when it is not JSON. An empty body decodes as {}.
func (c *call) decode(v any) bool {
	b := bytes.TrimSpace(c.body)
	if len(b) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			c.invalid("", te.Field, "invalid", fmt.Sprintf("Invalid request.\n\nFor '%s', %s is not %s.", te.Field, te.Value, te.Type))
			return false
		}
		c.fail(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// form reads a JSON request body field by field, the way GitHub
// validates it: every missing or mistyped field is collected, and one 422
// Validation Failed lists them all (400 "Problems parsing JSON" when the
// body is not a JSON object).
type form struct {
	c        *call
	resource string
	m        map[string]json.RawMessage
	errs     []any
	bad      bool // the body is not JSON: answered already
}

// form starts reading the request body for a resource ("PullRequest").
func (c *call) form(resource string) *form {
	f := &form{c: c, resource: resource, m: map[string]json.RawMessage{}}
	if b := bytes.TrimSpace(c.body); len(b) > 0 {
		if err := json.Unmarshal(b, &f.m); err != nil {
			c.fail(http.StatusBadRequest, "Problems parsing JSON")
			f.bad = true
		}
	}
	return f
}

func (f *form) fail(field, code, message string) {
	e := map[string]any{"resource": f.resource, "field": field, "code": code}
	if f.resource == "" {
		delete(e, "resource")
	}
	if message != "" {
		e["message"] = message
	}
	f.errs = append(f.errs, e)
}

// opt reads an optional string; present is false when absent or null.
func (f *form) opt(key string) (v string, present bool) {
	raw, found := f.m[key]
	if !found || string(raw) == "null" {
		return "", false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		f.fail(key, "invalid", fmt.Sprintf("Invalid request.\n\nFor '%s', %s is not a string.", key, raw))
		return "", false
	}
	return v, true
}

// req reads a required string.
func (f *form) req(key string) string {
	if raw, found := f.m[key]; !found || string(raw) == "null" {
		f.fail(key, "missing_field", "")
		return ""
	}
	v, _ := f.opt(key)
	return v
}

// flag reads an optional boolean.
func (f *form) flag(key string) bool {
	raw, found := f.m[key]
	if !found || string(raw) == "null" {
		return false
	}
	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		f.fail(key, "invalid", fmt.Sprintf("Invalid request.\n\nFor '%s', %s is not a boolean.", key, raw))
	}
	return v
}

// ok answers 422 with every collected error and reports false when there
// were any (or when the body was not JSON).
func (f *form) ok() bool {
	if f.bad {
		return false
	}
	if len(f.errs) > 0 {
		f.c.json(http.StatusUnprocessableEntity, map[string]any{
			"message": "Validation Failed", "errors": f.errs, "documentation_url": docs, "status": "422",
		})
		return false
	}
	return true
}

// paginate answers one page of items with GitHub's Link header.
func (c *call) paginate(items []any) {
	c.json(http.StatusOK, c.page(items))
}

// page returns the page of items the request's page and per_page ask for
// (30 by default, at most 100) and sets GitHub's Link header.
func (c *call) page(items []any) []any {
	q := c.r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	if per > 100 {
		per = 100
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page <= 0 {
		page = 1
	}
	last := (len(items) + per - 1) / per
	if last == 0 {
		last = 1
	}
	start := (page - 1) * per
	end := min(start+per, len(items))
	if start > len(items) {
		start = len(items)
	}
	var links []string
	link := func(p int, rel string) {
		u := *c.r.URL
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		links = append(links, fmt.Sprintf("<%s%s>; rel=%q", c.s.baseURL, u.RequestURI(), rel))
	}
	if page > 1 {
		link(page-1, "prev")
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if page > 1 {
		link(1, "first")
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := items[start:end]
	if out == nil {
		out = []any{}
	}
	return out
}

// query returns a query parameter.
func (c *call) query(key string) string { return c.r.URL.Query().Get(key) }

// pathValue returns a path wildcard, unescaped.
func (c *call) pathValue(key string) string {
	if v, ok := c.vars[key]; ok {
		return v
	}
	v := c.r.PathValue(key)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}
