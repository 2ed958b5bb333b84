package ghsim

import (
	"net/http"
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
	Time     time.Time
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
