package ghsim

import (
	"net/http"
	"strings"
	"time"
)

// Request is one entry of the request log.
type Request struct {
	Method   string
	Path     string // the URL path, without a GHES /api/v3 prefix
	Route    string // the route pattern, e.g. "POST /repos/{owner}/{repo}/git/refs"
	Status   int    // 0 when the connection was reset
	Identity string // login, "app:<slug>" for JWTs, "" when anonymous
	Fault    bool   // answered by an injected fault
	// RateLimited is set when the primary rate limit refused the request.
	RateLimited bool
	Query       string    // the raw query string
	BodyHash    string    // SHA-256 of the request body, hex: equal bodies, equal hashes
	Time        time.Time // the simulator's clock when the request arrived
}

// Mutating reports whether the request asked for a change.
func (r Request) Mutating() bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// Requests returns a copy of the request log.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog empties the request log, so a test can count the calls of one
// operation.
func (s *Sim) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

func (s *Sim) record(e Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, e)
}

// RepeatedAfter4xx returns the requests that repeat (same method, path,
// query and body) an earlier request the simulator refused with a 4xx of
// its own (not an injected fault, not a rate limit, not 429), with no
// successful change to the same repository in between that could make
// the repeat succeed. Those are retries of what cannot succeed.
func (s *Sim) RepeatedAfter4xx() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	type key struct{ method, path, query, body string }
	refused := map[key]bool{}
	var out []Request
	for _, e := range s.log {
		k := key{e.Method, e.Path, e.Query, e.BodyHash}
		if refused[k] {
			out = append(out, e)
		}
		switch {
		case e.Status >= 400 && e.Status < 500 && !e.Fault && !e.RateLimited && e.Status != http.StatusTooManyRequests:
			refused[k] = true
		case e.Mutating() && e.Status >= 200 && e.Status < 300:
			repo := repoPrefix(e.Path)
			for k := range refused {
				if repoPrefix(k.path) == repo {
					delete(refused, k)
				}
			}
		}
	}
	return out
}

// repoPrefix is the /repos/{owner}/{repo} part of a path ("" for others).
func repoPrefix(p string) string {
	parts := strings.SplitN(p, "/", 5)
	if len(parts) < 4 || parts[1] != "repos" {
		return ""
	}
	return strings.ToLower(strings.Join(parts[:4], "/"))
}

// CountRoute returns how many logged requests had this route pattern
// ("GET /repos/{owner}/{repo}/pulls/{number}").
func (s *Sim) CountRoute(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.log {
		if e.Route == route {
			n++
		}
	}
	return n
}
