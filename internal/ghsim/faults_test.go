package ghsim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/ghsim"
)

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	const refs = "/repos/{owner}/{repo}/git/refs"
	main := func(f *fixture) string { return f.sim.Ref("acme/config", "refs/heads/main") }
	tests := []struct {
		name  string
		fault ghsim.Fault
		check func(t *testing.T, err error)
	}{
		{
			name:  "502",
			fault: ghsim.Fault{Method: "POST", Route: refs, Kind: ghsim.FaultStatus, Status: 502, Times: 1},
			check: func(t *testing.T, err error) { wantStatus(t, err, 502, "Server Error") },
		},
		{
			name:  "503 on any write",
			fault: ghsim.Fault{Method: "WRITE", Route: "*", Kind: ghsim.FaultStatus, Status: 503, Times: 1},
			check: func(t *testing.T, err error) { wantStatus(t, err, 503, "Service Unavailable") },
		},
		{
			name:  "secondary rate limit",
			fault: ghsim.Fault{Method: "POST", Route: refs, Kind: ghsim.FaultSecondaryRateLimit, RetryAfter: 0, Times: 1},
			check: func(t *testing.T, err error) {
				var ae *github.AbuseRateLimitError
				if !errors.As(err, &ae) || ae.RetryAfter == nil || ae.Response.StatusCode != 403 {
					t.Fatalf("err = %v; want an AbuseRateLimitError with RetryAfter", err)
				}
			},
		},
		{
			name:  "429",
			fault: ghsim.Fault{Method: "POST", Route: "/repos/*", Kind: ghsim.FaultTooManyRequests, Times: 1},
			check: func(t *testing.T, err error) {
				var ae *github.AbuseRateLimitError
				if !errors.As(err, &ae) || ae.Response.StatusCode != 429 {
					t.Fatalf("err = %v; want a 429 AbuseRateLimitError", err)
				}
			},
		},
		{
			name:  "connection reset",
			fault: ghsim.Fault{Method: "POST", Route: refs, Kind: ghsim.FaultReset, Times: 1},
			check: func(t *testing.T, err error) {
				var er *github.ErrorResponse
				if err == nil || errors.As(err, &er) {
					t.Fatalf("err = %v; want a transport error", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, ghsim.Options{})
			gh := f.client(t, f.admin)
			f.sim.Inject(tt.fault)
			_, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main(f)})
			tt.check(t, err)
			if f.sim.Ref("acme/config", "refs/heads/x") != "" {
				t.Fatal("a faulted request changed state")
			}
			// Times: 1 means the retry goes through.
			if _, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main(f)}); err != nil {
				t.Fatalf("retry: %v", err)
			}
			log := f.sim.Requests()
			if n := len(log); n < 2 || !log[n-2].Fault || log[n-1].Fault || log[n-1].Status != 201 {
				t.Errorf("log tail = %+v", log[max(0, n-2):])
			}
			if f.sim.FaultHits() != 1 {
				t.Errorf("fault hits = %d", f.sim.FaultHits())
			}
		})
	}
}

func TestFaultLatencyAndReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	f.sim.Inject(ghsim.Fault{Method: "GET", Route: "/repos/{owner}/{repo}", Kind: ghsim.FaultLatency, Latency: 50 * time.Millisecond, Times: 1})
	f.sim.Inject(ghsim.Fault{Method: "POST", Route: "*", Kind: ghsim.FaultStatus, Status: 500})
	start := f.clock.Now()
	if _, _, err := gh.Repositories.Get(ctx, "acme", "config"); err != nil {
		t.Fatal(err)
	}
	if got := f.clock.Now().Sub(start); got != 50*time.Millisecond {
		t.Errorf("latency fault delayed the request by %v, want 50ms (on the fixture's clock)", got)
	}
	// Times: 0 fails every matching request; reads are not matched.
	for range 3 {
		_, _, err := gh.Git.CreateBlob(ctx, "acme", "config", github.Blob{Content: github.Ptr("x")})
		wantStatus(t, err, 500, "Internal Server Error")
	}
	f.sim.ClearFaults()
	if _, _, err := gh.Git.CreateBlob(ctx, "acme", "config", github.Blob{Content: github.Ptr("x")}); err != nil {
		t.Fatal(err)
	}
}

func TestFaultStatusAfterAppliesTheChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	f.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/refs", Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
	main := f.sim.Ref("acme/config", "refs/heads/main")
	_, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main})
	wantStatus(t, err, 502, "Bad Gateway")
	if f.sim.Ref("acme/config", "refs/heads/x") != main {
		t.Fatal("the change was not applied")
	}
	_, _, err = gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main})
	wantStatus(t, err, 422, "Reference already exists")
}
