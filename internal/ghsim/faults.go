package ghsim

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does.
type FaultKind int

// The kinds of fault.
const (
	// FaultStatus answers Status (500, 502 or 503 usually) with GitHub's
	// error body.
	FaultStatus FaultKind = iota
	// FaultSecondaryRateLimit answers 403 with the secondary-rate-limit
	// documentation_url and a Retry-After header, as GitHub does.
	FaultSecondaryRateLimit
	// FaultTooManyRequests answers 429 with Retry-After.
	FaultTooManyRequests
	// FaultReset closes the connection without an answer.
	FaultReset
	// FaultLatency delays the request by Latency, then serves it.
	FaultLatency
	// FaultStatusAfter serves the request (its change happens), then
	// answers Status instead of the real answer: the lost response a
	// client must not turn into a duplicate.
	FaultStatusAfter
)

// Fault is an injected failure for the requests that match it.
type Fault struct {
	// Method is an HTTP method, "*" for any, or "WRITE" for any but GET.
	Method string
	// Route is a route pattern as registered ("/repos/{owner}/{repo}/git/refs"),
	// "*" for every route, or a prefix ending in "*".
	Route string
	Kind  FaultKind
	// Status is the status code of a FaultStatus.
	Status int
	// Times is how many matching requests fail; 0 means every one.
	Times int
	// RetryAfter is the Retry-After header of rate-limit faults, in seconds.
	RetryAfter int
	// Latency is the delay of a FaultLatency.
	Latency time.Duration

	hits int
}

// Inject adds a fault. Faults are tried in the order they were added.
func (s *Sim) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc := f
	s.faults = append(s.faults, &fc)
}

// ClearFaults removes every fault.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// FaultHits returns how many requests injected faults have answered.
func (s *Sim) FaultHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.hits
	}
	return n
}

func (f *Fault) matches(method, pattern string) bool {
	if f.Times > 0 && f.hits >= f.Times {
		return false
	}
	m, route, _ := strings.Cut(pattern, " ")
	switch f.Method {
	case "", "*":
	case "WRITE":
		if m == http.MethodGet || m == http.MethodHead {
			return false
		}
	default:
		if !strings.EqualFold(f.Method, m) {
			return false
		}
	}
	switch {
	case f.Route == "" || f.Route == "*":
		return true
	case strings.HasSuffix(f.Route, "*"):
		return strings.HasPrefix(route, strings.TrimSuffix(f.Route, "*"))
	default:
		return f.Route == route
	}
}

// matchFault returns the fault that answers a request, counting the hit;
// latency faults are served after their delay and return nil.
func (s *Sim) matchFault(method, pattern string) *Fault {
	s.mu.Lock()
	var delay time.Duration
	var hit *Fault
	for _, f := range s.faults {
		if f.Kind == FaultStatusAfter || !f.matches(method, pattern) {
			continue // FaultStatusAfter applies after the handler runs; see afterFault
		}
		f.hits++
		if f.Kind == FaultLatency {
			delay += f.Latency
			continue
		}
		hit = f
		break
	}
	s.mu.Unlock()
	if delay > 0 {
		s.opts.Sleep(delay)
	}
	return hit
}

// inject answers a request with a fault and returns the status written.
func (s *Sim) inject(w http.ResponseWriter, r *http.Request, f *Fault) int {
	body := func(status int, v map[string]any) int {
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return status
	}
	switch f.Kind {
	case FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return 0
			}
		}
		panic(http.ErrAbortHandler)
	case FaultSecondaryRateLimit, FaultTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		status := http.StatusForbidden
		if f.Kind == FaultTooManyRequests {
			status = http.StatusTooManyRequests
		}
		return body(status, map[string]any{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		msg := http.StatusText(status)
		if status == http.StatusBadGateway {
			msg = "Server Error"
		}
		return body(status, map[string]any{"message": msg, "documentation_url": docs})
	}
}

// afterFault returns the FaultStatusAfter fault for a request, counting it.
func (s *Sim) afterFault(method, pattern string) *Fault {
	for _, f := range s.faults {
		if f.Kind == FaultStatusAfter && f.matches(method, pattern) {
			f.hits++
			return f
		}
	}
	return nil
}

// discardWriter runs a handler whose answer is thrown away.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}

func (d *discardWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}

func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

// RandomFaults make a share of all requests fail, the way a flaky API
// does, reproducibly: the same Seed and the same sequence of requests give
// the same faults, so a failing run can be replayed.
type RandomFaults struct {
	// Seed seeds the generator (math/rand/v2 PCG).
	Seed uint64
	// Rate is the share of matching requests that fail, 0 to 1.
	Rate float64
	// Kinds is the mix of faults, drawn with equal weight; empty means
	// 500, 502, 503 (FaultStatus), FaultSecondaryRateLimit, FaultReset
	// and, for requests that change something, FaultStatusAfter. A
	// FaultStatusAfter drawn for a read becomes a FaultStatus; FaultLatency
	// is not a kind here (use Latency).
	Kinds []FaultKind
	// RetryAfter is the Retry-After of rate-limit faults, in seconds (1
	// when 0).
	RetryAfter int
	// Latency delays every matching request (failing or not), through
	// Options.Sleep. With a fake clock's Sleep, concurrent requests each
	// advance the clock: latency is charged as if the requests were serial.
	Latency time.Duration
	// Method and Route filter the requests as Fault's do; empty matches
	// every request.
	Method, Route string
}

type randomFaults struct {
	cfg   RandomFaults
	match Fault // Method and Route only
	rng   *rand.Rand
	hits  int
}

// InjectRandom turns on random faults (replacing earlier random faults);
// a Rate of 0 with no Latency turns them off. Faults added with Inject
// are tried first.
func (s *Sim) InjectRandom(rf RandomFaults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rf.Rate <= 0 && rf.Latency <= 0 {
		s.random = nil
		return
	}
	if rf.RetryAfter == 0 {
		rf.RetryAfter = 1
	}
	// A seeded generator on purpose: a failing run replays from its seed.
	s.random = &randomFaults{cfg: rf, match: Fault{Method: rf.Method, Route: rf.Route}, rng: rand.New(rand.NewPCG(rf.Seed, 0x62617430))} //nolint:gosec // G404: replayable, not secret
}

// RandomFaultHits returns how many requests random faults have failed.
func (s *Sim) RandomFaultHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random == nil {
		return 0
	}
	return s.random.hits
}

// randomFault draws whether a request fails and how, after its latency.
func (s *Sim) randomFault(method, pattern string) *Fault {
	s.mu.Lock()
	rf := s.random
	if rf == nil || !rf.match.matches(method, pattern) {
		s.mu.Unlock()
		return nil
	}
	var f *Fault
	if rf.rng.Float64() < rf.cfg.Rate {
		kinds := rf.cfg.Kinds
		if len(kinds) == 0 {
			kinds = []FaultKind{FaultStatus, FaultStatus, FaultStatus, FaultSecondaryRateLimit, FaultReset}
			if method != http.MethodGet && method != http.MethodHead {
				kinds = append(kinds, FaultStatusAfter)
			}
		}
		kind := kinds[rf.rng.IntN(len(kinds))]
		if kind == FaultLatency || kind == FaultStatusAfter && (method == http.MethodGet || method == http.MethodHead) {
			kind = FaultStatus // a read has no change to lose
		}
		f = &Fault{Kind: kind, RetryAfter: rf.cfg.RetryAfter, Status: []int{500, 502, 503}[rf.rng.IntN(3)]}
		rf.hits++
	}
	latency := rf.cfg.Latency
	s.mu.Unlock()
	if latency > 0 {
		s.opts.Sleep(latency)
	}
	return f
}
