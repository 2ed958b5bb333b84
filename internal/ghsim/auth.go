package ghsim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// authenticate reads the Authorization header. It answers 401 for a token
// GitHub would not know and returns false.
func (s *Sim) authenticate(c *call) bool {
	h := c.r.Header.Get("Authorization")
	if h == "" {
		return true
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "bearer") {
		c.fail(http.StatusUnauthorized, "Bad credentials")
		return false
	}
	tok = strings.TrimSpace(tok)
	if strings.Count(tok, ".") == 2 && strings.HasPrefix(tok, "eyJ") {
		app, msg := s.verifyJWT(tok)
		if app == nil {
			c.fail(http.StatusUnauthorized, msg)
			return false
		}
		c.app = app
		return true
	}
	p, ok := s.tokens[tok]
	if !ok || !p.expires.IsZero() && !s.opts.Now().Before(p.expires) {
		c.fail(http.StatusUnauthorized, "Bad credentials")
		return false
	}
	c.who = p
	return true
}

// verifyJWT checks an App JWT as GitHub does: RS256, signed by the app's
// key, issued at most a minute in the future, expiring at most ten minutes
// after it was issued.
func (s *Sim) verifyJWT(tok string) (*App, string) {
	var app *App
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != "RS256" {
			return nil, fmt.Errorf("unexpected signing method %s", t.Method.Alg())
		}
		var id int64
		switch iss := claims["iss"].(type) {
		case string:
			id, _ = strconv.ParseInt(iss, 10, 64)
		case float64:
			id = int64(iss)
		}
		app = s.apps[id]
		if app == nil || app.PrivateKey == nil {
			return nil, fmt.Errorf("no app %v", claims["iss"])
		}
		return &app.PrivateKey.PublicKey, nil
	}, jwt.WithoutClaimsValidation())
	if err != nil || app == nil {
		return nil, "A JSON web token could not be decoded"
	}
	now := s.opts.Now()
	iat, okI := claims["iat"].(float64)
	exp, okE := claims["exp"].(float64)
	switch {
	case !okI || !okE:
		return nil, "A JSON web token could not be decoded"
	case time.Unix(int64(iat), 0).After(now.Add(time.Minute)):
		return nil, "'Issued at' claim ('iat') must be an Integer representing a time in the past"
	case time.Unix(int64(exp), 0).Sub(time.Unix(int64(iat), 0)) > 10*time.Minute+time.Second:
		return nil, "'Expiration time' claim ('exp') is too far in the future"
	case !now.Before(time.Unix(int64(exp), 0)):
		return nil, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	}
	return app, ""
}

// rateState is one identity's primary rate-limit window.
type rateState struct {
	limit, used int
	reset       time.Time
}

// rateLimit counts the request against its identity's primary limit, sets
// the x-ratelimit-* headers, and answers 403 when the limit is spent.
func (s *Sim) rateLimit(c *call) bool {
	if s.opts.RateLimit < 0 && (c.who != nil || c.app != nil) {
		return true // disabled for benchmarks: no window, no headers
	}
	key, limit := "anonymous:"+c.r.RemoteAddr, 60
	switch {
	case c.who != nil:
		key, limit = "user:"+c.who.user.Login, s.opts.RateLimit
		if c.who.inst != nil {
			key = fmt.Sprintf("installation:%d", c.who.inst.ID)
		}
	case c.app != nil:
		key, limit = "app:"+c.app.Slug, s.opts.RateLimit
	}
	if host, _, ok := strings.Cut(c.r.RemoteAddr, ":"); ok && c.who == nil && c.app == nil {
		key = "anonymous:" + host
	}
	now := s.opts.Now()
	st, ok := s.rates[key]
	if !ok || !now.Before(st.reset) {
		st = &rateState{limit: limit, reset: now.Add(time.Hour).Truncate(time.Second)}
		s.rates[key] = st
	}
	if c.r.URL.Path != "/rate_limit" {
		st.used++
	}
	remaining := max(st.limit-st.used, 0)
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(st.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(st.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(min(st.used, st.limit)))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if st.used > st.limit {
		c.limited = true
		c.json(http.StatusForbidden, map[string]any{
			"message":           fmt.Sprintf("API rate limit exceeded for %s.", strings.SplitN(key, ":", 2)[1]),
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
		})
		return false
	}
	return true
}

// ExhaustRateLimit spends the primary rate limit of a user (or of an
// installation, as "installation:<id>"), so the next request gets 403.
func (s *Sim) ExhaustRateLimit(identity string, reset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := identity
	if !strings.Contains(key, ":") {
		key = "user:" + identity
	}
	s.rates[key] = &rateState{limit: s.opts.RateLimit, used: s.opts.RateLimit, reset: s.opts.Now().Add(reset)}
}

// role returns the caller's role on a repository: admin, maintain, write,
// triage, read or "" (none). Installations act with their permissions.
func (c *call) role(r *Repo) string {
	if c.who == nil {
		if !r.Private {
			return "read"
		}
		return ""
	}
	if in := c.who.inst; in != nil {
		if !c.s.installationCovers(in, r) {
			return ""
		}
		return "installation"
	}
	if role, ok := r.Collaborators[strings.ToLower(c.who.user.Login)]; ok {
		return role
	}
	if !r.Private {
		return "read"
	}
	return ""
}

func (s *Sim) installationCovers(in *Installation, r *Repo) bool {
	if !strings.EqualFold(in.Account.Login, r.Owner.Login) {
		return false
	}
	return in.Repos == nil || in.Repos[strings.ToLower(r.FullName())]
}

// repo looks up the repository of the request's {owner}/{repo} and checks
// the caller may see it, answering 404 as GitHub does for what a token
// cannot see.
func (c *call) repo() (*Repo, bool) {
	if c.app != nil {
		c.fail(http.StatusForbidden, "Resource not accessible by integration")
		return nil, false
	}
	r, ok := c.s.repos[strings.ToLower(c.pathValue("owner")+"/"+c.pathValue("repo"))]
	if !ok || c.role(r) == "" {
		c.fail(http.StatusNotFound, "Not Found")
		return nil, false
	}
	return r, true
}

// writableRepo looks up the request's repository (as repo does) and checks
// the caller may change it through an API whose App permission is perm
// (as canWrite does).
func (c *call) writableRepo(perm string) (*Repo, bool) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, perm) {
		return nil, false
	}
	return r, true
}

// canWrite checks the caller may change a repository through an API whose
// App permission is perm (contents, pull_requests, issues, statuses,
// checks), answering 403 when not.
func (c *call) canWrite(r *Repo, perm string) bool {
	if r.Archived && c.role(r) != "" && c.role(r) != "none" {
		// GitHub refuses every write to an archived repository, whoever asks.
		c.fail(http.StatusForbidden, "Repository was archived so is read-only.")
		return false
	}
	switch role := c.role(r); role {
	case "installation":
		p := c.who.inst.Permissions[perm]
		if p == "write" || p == "admin" {
			return true
		}
		c.fail(http.StatusForbidden, "Resource not accessible by integration")
		return false
	case "admin", "maintain", "write":
		return true
	case "triage":
		if perm == "issues" || perm == "pull_requests_triage" {
			return true
		}
	}
	if c.who == nil {
		c.fail(http.StatusUnauthorized, "Requires authentication")
		return false
	}
	c.fail(http.StatusForbidden, "Resource not accessible by personal access token")
	return false
}

// actor is the account the caller acts as: the user, or the app's bot.
func (c *call) actor() *User {
	if c.who == nil {
		return nil
	}
	return c.who.user
}
