package forge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
)

// TestErrorKinds reaches every typed kind through the simulator, as GitHub
// answers it or as an injected fault, and checks that none of these 4xx
// answers is retried.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	const repo = "acme/config"
	tests := []struct {
		name string
		// run provokes the error with alice's client c.
		run     func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error
		kind    error  // the narrow kind errors.Is matches
		class   error  // the broad class it also matches, or nil
		message string // part of the error text
	}{
		{
			name: "missing file is not found",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				_, err := c.File(ctx, repo, "main", "missing.yaml")
				return err
			},
			kind: githost.ErrNotFound, message: "404",
		},
		{
			name: "second ref of a name exists",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				main := sim.Ref(repo, "refs/heads/main")
				if err := c.CreateRef(ctx, repo, "heads/x", main); err != nil {
					t.Fatal(err)
				}
				return c.CreateRef(ctx, repo, "heads/x", main)
			},
			kind: githost.ErrExists, message: "create ref heads/x in acme/config: 422 Reference already exists",
		},
		{
			name: "non-fast-forward is a conflict",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				head, err := c.Branch(ctx, repo, "main")
				if err != nil {
					t.Fatal(err)
				}
				tree, err := c.CreateTree(ctx, repo, head.Tree, map[string][]byte{"a.yaml": []byte("image: x:2\n")})
				if err != nil {
					t.Fatal(err)
				}
				orphan, err := c.CreateCommit(ctx, repo, "two", tree, nil)
				if err != nil {
					t.Fatal(err)
				}
				return c.UpdateRef(ctx, repo, "heads/main", orphan.SHA, false)
			},
			kind: githost.ErrConflict, message: "not a fast forward",
		},
		{
			name: "merge at a moved head: head changed",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				pr := openPR(t, sim, c, "bump", "image: x:2\n")
				_, err := c.Merge(ctx, repo, pr.Number, sim.Ref(repo, "refs/heads/main"), "merge", "", "")
				return err
			},
			kind: githost.ErrHeadChanged, class: githost.ErrConflict, message: "409 Head branch was modified",
		},
		{
			name: "merge of a merged pull request: not mergeable",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				pr := openPR(t, sim, c, "bump", "image: x:2\n")
				if _, err := c.Merge(ctx, repo, pr.Number, pr.HeadSHA, "merge", "", ""); err != nil {
					t.Fatal(err)
				}
				_, err := c.Merge(ctx, repo, pr.Number, pr.HeadSHA, "merge", "", "")
				return err
			},
			kind: githost.ErrNotMergeable, class: githost.ErrPermanent, message: "405 Pull Request is not mergeable",
		},
		{
			name: "merge method the repository refuses: not mergeable",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				pr := openPR(t, sim, c, "bump", "image: x:2\n")
				sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 405})
				_, err := c.Merge(ctx, repo, pr.Number, pr.HeadSHA, "merge", "", "")
				return err
			},
			kind: githost.ErrNotMergeable, class: githost.ErrPermanent, message: "405",
		},
		{
			name: "merge 409 in other words: head changed",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				pr := openPR(t, sim, c, "bump", "image: x:2\n")
				sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 409})
				_, err := c.Merge(ctx, repo, pr.Number, pr.HeadSHA, "merge", "", "")
				return err
			},
			kind: githost.ErrHeadChanged, class: githost.ErrConflict, message: "409",
		},
		{
			name: "reader writing is forbidden",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				if err := sim.SetPermission(repo, "rita", "read"); err != nil {
					t.Fatal(err)
				}
				rita := client(t, url, sim.Token("rita"), &sleeps{})
				return rita.CreateRef(ctx, repo, "heads/x", sim.Ref(repo, "refs/heads/main"))
			},
			kind: githost.ErrForbidden, class: githost.ErrPermanent, message: "403 Resource not accessible by personal access token",
		},
		{
			name: "injected 403 without rate-limit marks is forbidden",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				sim.Inject(ghsim.Fault{Method: "GET", Route: "/orgs/{org}/teams/{slug}/memberships/{user}", Kind: ghsim.FaultStatus, Status: 403})
				_, err := c.TeamMember(ctx, "acme", "sre", "alice")
				return err
			},
			kind: githost.ErrForbidden, class: githost.ErrPermanent, message: "403",
		},
		{
			name: "injected 409 is a conflict, not a head change",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				sim.Inject(ghsim.Fault{Method: "PATCH", Route: "/repos/{owner}/{repo}/git/refs/{ref...}", Kind: ghsim.FaultStatus, Status: 409})
				return c.UpdateRef(ctx, repo, "heads/main", sim.Ref(repo, "refs/heads/main"), false)
			},
			kind: githost.ErrConflict, message: "409",
		},
		{
			name: "bad status state is a validation failure",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				return c.CreateStatus(ctx, repo, sim.Ref(repo, "refs/heads/main"), "green", "ci", "")
			},
			kind: githost.ErrValidation, class: githost.ErrPermanent, message: "422 Validation Failed",
		},
		{
			name: "injected 422 is a validation failure",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/pulls", Kind: ghsim.FaultStatus, Status: 422})
				_, err := c.CreatePR(ctx, repo, githost.NewPR{Title: "x", Head: "x", Base: "main"})
				return err
			},
			kind: githost.ErrValidation, class: githost.ErrPermanent, message: "422",
		},
		{
			name: "wrong token is unauthorized",
			run: func(ctx context.Context, t *testing.T, sim *ghsim.Sim, url string, c *forge.Client) error {
				bad := client(t, url, "ghp_wrong", &sleeps{})
				_, err := bad.Repo(ctx, repo)
				return err
			},
			kind: githost.ErrUnauthorized, class: githost.ErrPermanent, message: "401 Bad credentials",
		},
	}
	kinds := []error{githost.ErrNotFound, githost.ErrExists, githost.ErrConflict, githost.ErrHeadChanged, githost.ErrRetryable,
		githost.ErrPermanent, githost.ErrUnauthorized, githost.ErrForbidden, githost.ErrNotMergeable, githost.ErrValidation}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sim, url, tok := setup(t)
			sl := &sleeps{}
			c := client(t, url, tok, sl)
			err := tt.run(ctx, t, sim, url, c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, k := range kinds {
				want := errors.Is(k, tt.kind) || errors.Is(k, tt.class)
				if got := errors.Is(err, k); got != want {
					t.Errorf("errors.Is(%v, %q) = %v, want %v", err, k, got, want)
				}
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q lacks %q", err, tt.message)
			}
			if n := sl.count(); n != 0 {
				t.Errorf("retried a 4xx that cannot succeed: %d waits", n)
			}
		})
	}
}

// An archived repository refuses every write with 403 "Repository was
// archived so is read-only.": ErrArchived, which is also ErrForbidden and
// ErrPermanent, never retried; reads still work.
func TestArchivedRepositoryRefusesWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const repo = "acme/config"
	sim, url, tok := setup(t)
	sl := &sleeps{}
	c := client(t, url, tok, sl)
	if err := sim.SetArchived(repo, true); err != nil {
		t.Fatal(err)
	}
	main := sim.Ref(repo, "refs/heads/main")
	if _, err := c.Branch(ctx, repo, "main"); err != nil {
		t.Fatalf("a read of an archived repository: %v", err)
	}
	err := c.CreateRef(ctx, repo, "heads/x", main)
	for _, k := range []error{githost.ErrArchived, githost.ErrForbidden, githost.ErrPermanent} {
		if !errors.Is(err, k) {
			t.Errorf("errors.Is(%v, %q) = false", err, k)
		}
	}
	if errors.Is(err, githost.ErrRetryable) || sl.count() != 0 || err == nil || !strings.Contains(err.Error(), "archived so is read-only") {
		t.Errorf("error %v after %d waits", err, sl.count())
	}
	r, err := c.Repo(ctx, repo)
	if err != nil || !r.Archived {
		t.Errorf("Repo: %+v, %v (want archived)", r, err)
	}
}
