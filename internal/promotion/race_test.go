package promotion_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// TestConcurrentBumpsOfOneAppKeepTheHighest: twenty pipelines of one app
// and environment, each with its own client, bump 1.0.0 … 1.19.0 in a
// random order at once. One pull request remains, its branch holds the
// highest version, and its title, body record and branch agree.
func TestConcurrentBumpsOfOneAppKeepTheHighest(t *testing.T) {
	t.Parallel()
	for trial := range 3 {
		t.Run(fmt.Sprint("trial ", trial), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			ctx := context.Background()
			const n = 20
			versions := rand.Perm(n)
			errs := make(chan error, n)
			var start sync.WaitGroup
			start.Add(1)
			for _, v := range versions {
				gh := e.client(t)
				go func() {
					start.Wait()
					res, err := bump(ctx, gh, req(t, fmt.Sprintf("ghcr.io/acme/web:1.%d.0", v)))
					if err == nil {
						t.Logf("1.%d.0: %s %s", v, res.Outcome, res.Notice)
					}
					errs <- err
				}()
			}
			start.Done()
			for range n {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			checkOnePR(t, e.sim, "web", "ghcr.io/acme/web:1.19.0")
		})
	}
}

// TestConcurrentBumpsOfManyApps: twenty apps bumped into one config
// repository at once open twenty pull requests, each mergeable.
func TestConcurrentBumpsOfManyApps(t *testing.T) {
	t.Parallel()
	const n = 20
	var policy strings.Builder
	policy.WriteString("apps:\n")
	files := map[string]string{}
	for i := range n {
		app := fmt.Sprintf("app%02d", i)
		fmt.Fprintf(&policy, "  %s:\n    image: ghcr.io/acme/%s\n", app, app)
		files[fmt.Sprintf("environments/staging/%s-deployment.yaml", app)] = strings.ReplaceAll(stagingYAML, "acme/web", "acme/"+app)
	}
	policy.WriteString("environments:\n  staging:\n    branches: [develop]\n    merge: auto\n")
	e := newEnvWith(t, ghsimtest.WorldOptions{StagingManifest: stagingYAML, Policy: policy.String(), ConfigFiles: files})
	ctx := context.Background()
	errs := make(chan error, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := range n {
		gh := e.client(t)
		go func() {
			start.Wait()
			r := req(t, fmt.Sprintf("ghcr.io/acme/app%02d:2.0.0", i))
			r.App, r.SourceRepo, r.SourceSHA = "", "", ""
			_, err := bump(ctx, gh, r)
			errs <- err
		}()
	}
	start.Done()
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	prs := e.sim.PullRequests("acme/config")
	if len(prs) != n {
		t.Fatalf("%d pull requests, want %d", len(prs), n)
	}
	for i := range n {
		checkOnePR(t, e.sim, fmt.Sprintf("app%02d", i), fmt.Sprintf("ghcr.io/acme/app%02d:2.0.0", i))
	}
	for _, pr := range prs {
		full, err := e.gh.MergeablePR(ctx, "acme/config", pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		if full.Mergeable == nil || !*full.Mergeable {
			t.Errorf("#%d %s is not mergeable (%s)", pr.Number, pr.Title, full.MergeableState)
		}
	}
}

// beforeUpdate is the forge client with a hook that runs once, right
// before the bump's first ref update: between its read of the branch and
// its write, the window every racing run has (another pipeline finishing
// in between, or a writer's force push).
type beforeUpdate struct {
	*forge.Client
	once sync.Once
	hook func()
}

func (b *beforeUpdate) UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error {
	b.once.Do(b.hook)
	return b.Client.UpdateRef(ctx, repo, ref, sha, force)
}

// TestBumpPutsBackANewerCommitItLowered is the race's worst interleaving,
// made deterministic: a run judges the branch (1.5.0), a newer run puts
// 1.7.0 on it and finishes, then the first run's update lands (1.6.0).
// The activity log shows that update replaced a commit it never judged;
// the run puts 1.7.0 back, makes the pull request describe it, and
// reports the refusal.
func TestBumpPutsBackANewerCommitItLowered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	e.mustBump(t, "ghcr.io/acme/web:1.5.0")
	other := e.client(t)
	slow := &beforeUpdate{Client: e.client(t), hook: func() {
		res, err := bump(ctx, other, req(t, "ghcr.io/acme/web:1.7.0"))
		if err != nil || res.Outcome != promotion.Updated {
			t.Errorf("the newer run: %+v, %v", res, err)
		}
	}}
	res, err := bumpWith(ctx, slow.Client, slow, req(t, "ghcr.io/acme/web:1.6.0"))
	if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "refusing to downgrade from 1.7.0 to 1.6.0") {
		t.Fatalf("the slow run: %+v, %v", res, err)
	}
	checkOnePR(t, e.sim, "web", "ghcr.io/acme/web:1.7.0")
}
