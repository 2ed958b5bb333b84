package forge_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
)

func TestRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		fault     ghsim.Fault
		wantSleep time.Duration // 0: any backoff
	}{
		{"502", ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/refs", Kind: ghsim.FaultStatus, Status: 502, Times: 2}, 0},
		{"secondary rate limit", ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/refs", Kind: ghsim.FaultSecondaryRateLimit, RetryAfter: 7, Times: 1}, 7 * time.Second},
		{"429", ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/refs", Kind: ghsim.FaultTooManyRequests, RetryAfter: 3, Times: 1}, 3 * time.Second},
		{"connection reset", ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/refs", Kind: ghsim.FaultReset, Times: 1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, url, tok := setup(t)
			sl := &sleeps{}
			c, err := forge.New(ctx, forge.Options{Token: tok, APIURL: url, Sleep: sl.sleep})
			if err != nil {
				t.Fatal(err)
			}
			sim.Inject(tt.fault)
			main := sim.Ref("acme/config", "refs/heads/main")
			if err := c.CreateRef(ctx, "acme/config", "heads/x", main); err != nil {
				t.Fatalf("CreateRef: %v", err)
			}
			if sim.Ref("acme/config", "refs/heads/x") != main {
				t.Fatal("ref not created")
			}
			if len(sl.d) != tt.fault.Times {
				t.Errorf("slept %d times, want %d", len(sl.d), tt.fault.Times)
			}
			if tt.wantSleep != 0 && sl.d[0] != tt.wantSleep {
				t.Errorf("slept %s, want Retry-After %s", sl.d[0], tt.wantSleep)
			}
		})
	}
}

func TestDeadlineBoundsRetryAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c, _ := forge.New(ctx, forge.Options{Token: tok, APIURL: url, Sleep: sl.sleep, Retry: forge.Retry{Deadline: 10 * time.Second}})
	sim.Inject(ghsim.Fault{Method: "GET", Route: "*", Kind: ghsim.FaultSecondaryRateLimit, RetryAfter: 60})
	_, err := c.Repo(ctx, "acme/config")
	if !errors.Is(err, githost.ErrRetryable) || !strings.Contains(err.Error(), "would pass the 10s deadline") || len(sl.d) != 0 {
		t.Errorf("err = %v, slept %v", err, sl.d)
	}
}

func TestAppAuthWithGHESURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, _ := setup(t)
	app := installApp(t, sim, "acme/config")
	var tokens []string
	c, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: app.PrivateKeyPEM(), Repo: "acme/config", APIURL: url + "/api/v3", OnToken: func(s string) { tokens = append(tokens, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity != "baton[bot]" || len(tokens) != 1 || !strings.HasPrefix(tokens[0], "ghs_") {
		t.Errorf("identity %q tokens %v", c.Identity, tokens)
	}
	r, err := c.Repo(ctx, "acme/config")
	if err != nil || r.DefaultBranch != "main" {
		t.Fatalf("repo = %+v, %v", r, err)
	}
	if _, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: app.PrivateKeyPEM(), Repo: "acme/other", APIURL: url}); err == nil || !strings.Contains(err.Error(), "is not installed on acme/other") {
		t.Errorf("not installed: %v", err)
	}
	if _, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: []byte("nope"), Repo: "acme/config", APIURL: url}); err == nil || !strings.Contains(err.Error(), "private-key") {
		t.Errorf("bad key: %v", err)
	}
}

func TestAppTokenAlsoReadsTheAppRepoWhenInstalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, both := range []bool{true, false} {
		w := world(t, ghsimtest.WorldOptions{WallClock: true, PrivateAppRepo: true})
		sim, url := w.Sim, w.URL
		covered := []string{"acme/config"}
		if both {
			covered = append(covered, "acme/web")
		}
		app := installApp(t, sim, covered...)
		c, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: app.PrivateKeyPEM(), Repo: "acme/config", AlsoRead: []string{"acme/web", "other/x"}, APIURL: url, OnToken: func(string) {}})
		if err != nil {
			t.Fatalf("both=%v: %v", both, err)
		}
		_, err = c.Repo(ctx, "acme/web")
		if both && err != nil || !both && !errors.Is(err, githost.ErrNotFound) {
			t.Errorf("both=%v: reading the app repo: %v", both, err)
		}
		if _, err := c.Repo(ctx, "acme/config"); err != nil {
			t.Errorf("both=%v: config repo: %v", both, err)
		}
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c := client(t, url, tok, sl)
	sim.ResetLog()
	_, err := c.File(ctx, "acme/config", "main", "missing.yaml")
	if !errors.Is(err, githost.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	if n := len(sim.Requests()); n != 1 || sl.count() != 0 {
		t.Errorf("a 404 took %d requests and %d waits, want 1 and 0", n, sl.count())
	}
}

func TestPersistentServerErrorGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c := client(t, url, tok, sl) // 3 attempts
	sim.Inject(ghsim.Fault{Method: "*", Route: "*", Kind: ghsim.FaultStatus, Status: 503})
	sim.ResetLog()
	_, err := c.Repo(ctx, "acme/config")
	if !errors.Is(err, githost.ErrRetryable) || errors.Is(err, githost.ErrPermanent) || !strings.Contains(err.Error(), " (failed after ") {
		t.Errorf("err = %v, want retryable that gave up", err)
	}
	if n := len(sim.Requests()); n != 3 || sl.count() != 2 {
		t.Errorf("%d requests and %d waits, want 3 and 2", n, sl.count())
	}
}

// GET branch is a route go-github reads without decoding an error body
// ("unexpected status code"): a secondary limit there is still a rate
// limit, known by its Retry-After header, and waited out.
func TestRateLimitOnARouteReadWithoutItsBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c, err := forge.New(ctx, forge.Options{Token: tok, APIURL: url, Sleep: sl.sleep})
	if err != nil {
		t.Fatal(err)
	}
	sim.Inject(ghsim.Fault{Method: "GET", Route: "/repos/{owner}/{repo}/branches/{branch...}", Kind: ghsim.FaultSecondaryRateLimit, RetryAfter: 5, Times: 1})
	if _, err := c.Branch(ctx, "acme/config", "main"); err != nil {
		t.Fatalf("Branch: %v", err)
	}
	if want := []time.Duration{5 * time.Second}; len(sl.d) != 1 || sl.d[0] != want[0] {
		t.Errorf("slept %v, want %v", sl.d, want)
	}
}
