package forge_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
)

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func setup(t *testing.T) (*ghsim.Sim, string, string) {
	t.Helper()
	sim := ghsim.New(ghsim.Options{})
	srv := sim.Serve()
	t.Cleanup(srv.Close)
	if _, err := sim.CreateRepo("acme/config", ghsim.RepoOptions{Private: true, Files: map[string]string{"a.yaml": "image: x:1\n"}}); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetPermission("acme/config", "alice", "write"); err != nil {
		t.Fatal(err)
	}
	return sim, srv.URL, sim.Token("alice")
}

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

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c, err := forge.New(ctx, forge.Options{Token: tok, APIURL: url, Sleep: sl.sleep, Retry: forge.Retry{Attempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	main := sim.Ref("acme/config", "refs/heads/main")
	if err := c.CreateRef(ctx, "acme/config", "heads/x", main); err != nil {
		t.Fatal(err)
	}
	err = c.CreateRef(ctx, "acme/config", "heads/x", main)
	if !errors.Is(err, githost.ErrExists) || !strings.Contains(err.Error(), "create ref heads/x in acme/config: 422 Reference already exists") {
		t.Errorf("exists: %v", err)
	}
	commit, err := c.Branch(ctx, "acme/config", "main")
	if err != nil || commit.SHA != main || commit.Tree == "" {
		t.Fatalf("branch: %+v, %v", commit, err)
	}
	tree, err := c.CreateTree(ctx, "acme/config", commit.Tree, map[string][]byte{"a.yaml": []byte("image: x:2\n")})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := c.CreateCommit(ctx, "acme/config", "two", tree, nil) // no parent: not a fast-forward
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateRef(ctx, "acme/config", "heads/x", nc.SHA, false); !errors.Is(err, githost.ErrConflict) {
		t.Errorf("non-ff: %v", err)
	}
	if _, err := c.File(ctx, "acme/config", main, "missing.yaml"); !errors.Is(err, githost.ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
	b, err := c.File(ctx, "acme/config", main, "a.yaml")
	if err != nil || string(b) != "image: x:1\n" {
		t.Errorf("file = %q, %v", b, err)
	}
	sim.Inject(ghsim.Fault{Method: "*", Route: "*", Kind: ghsim.FaultStatus, Status: 503})
	_, err = c.Repo(ctx, "acme/config")
	if !errors.Is(err, githost.ErrRetryable) || !strings.Contains(err.Error(), "failed after 3 attempts over ") || len(sl.d) != 2 {
		t.Errorf("persistent 503: %v (slept %d)", err, len(sl.d))
	}
	sim.ClearFaults()
	bad, _ := forge.New(ctx, forge.Options{Token: "ghp_wrong", APIURL: url, Sleep: sl.sleep})
	if _, err := bad.Repo(ctx, "acme/config"); !errors.Is(err, githost.ErrPermanent) || !strings.Contains(err.Error(), "401 Bad credentials") {
		t.Errorf("bad token: %v", err)
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
	app, err := sim.AddApp("baton")
	if err != nil {
		t.Fatal(err)
	}
	sim.Install(app, "acme", "acme/config")
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

func TestFilesOverOneMegabyte(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	big := "# big\n" + strings.Repeat("x: padding padding padding padding padding padding\n", 30000) + "image: ghcr.io/acme/web:1.0\n"
	if _, err := sim.Push("acme/config", "main", "alice", map[string]*string{"big.yaml": &big}, "big"); err != nil {
		t.Fatal(err)
	}
	c, _ := forge.New(ctx, forge.Options{Token: tok, APIURL: url})
	got, err := c.File(ctx, "acme/config", "main", "big.yaml")
	if err != nil || string(got) != big {
		t.Fatalf("File: %d bytes, %v", len(got), err)
	}
	got, branch, err := c.DefaultFile(ctx, "acme/config", "big.yaml")
	if err != nil || string(got) != big || branch != "main" {
		t.Fatalf("DefaultFile: %d bytes, %q, %v", len(got), branch, err)
	}
}

func TestAppTokenAlsoReadsTheAppRepoWhenInstalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, both := range []bool{true, false} {
		sim, url, _ := setup(t)
		if _, err := sim.CreateRepo("acme/web", ghsim.RepoOptions{Private: true, Files: map[string]string{"main.go": "package main\n"}}); err != nil {
			t.Fatal(err)
		}
		app, err := sim.AddApp("baton")
		if err != nil {
			t.Fatal(err)
		}
		if both {
			sim.Install(app, "acme", "acme/config", "acme/web")
		} else {
			sim.Install(app, "acme", "acme/config")
		}
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

func TestMergeablePRPollsWhileGitHubComputes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := ghsim.New(ghsim.Options{MergeableDelay: 2})
	srv := sim.Serve()
	t.Cleanup(srv.Close)
	if _, err := sim.CreateRepo("acme/config", ghsim.RepoOptions{Files: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	two := "2"
	if _, err := sim.Push("acme/config", "x", "alice", map[string]*string{"a": &two}, "x"); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetPermission("acme/config", "alice", "write"); err != nil {
		t.Fatal(err)
	}
	sl := &sleeps{}
	c, _ := forge.New(ctx, forge.Options{Token: sim.Token("alice"), APIURL: srv.URL, Sleep: sl.sleep})
	pr, err := c.CreatePR(ctx, "acme/config", githost.NewPR{Title: "x", Head: "x", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.MergeablePR(ctx, "acme/config", pr.Number)
	if err != nil || got.Mergeable == nil || !*got.Mergeable || len(sl.d) != 2 {
		t.Fatalf("mergeable %v, err %v, slept %v", got.Mergeable, err, sl.d)
	}
}
