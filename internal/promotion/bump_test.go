package promotion_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/promotion"
)

const stagingYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0 # managed by Baton
`

const policyYAML = `apps:
  web:
    image: ghcr.io/acme/web
    repo: acme/web
environments:
  staging:
    branches: [develop]
    merge: auto
  production:
    branches: [main]
    approvals: 1
`

// env is a ghsimtest World (its default people, ci a writer; its fake
// clock) whose staging manifest is stagingYAML and whose .baton.yaml is
// policyYAML, or none (the seed layout), and the CI pipeline's client:
// the bump tests' set-up.
type env struct {
	w   *ghsimtest.World
	sim *ghsim.Sim
	gh  *forge.Client // the pipeline's token user, ghsimtest.CI
}

func newEnv(t *testing.T, withPolicy bool) *env {
	t.Helper()
	opts := ghsimtest.WorldOptions{StagingManifest: stagingYAML}
	if withPolicy {
		opts.Policy = policyYAML
	}
	return newEnvWith(t, opts)
}

// newEnvWith is an env on a World shaped by opts alone (name the staging
// manifest there), in a test or a benchmark.
func newEnvWith(tb testing.TB, opts ghsimtest.WorldOptions) *env {
	tb.Helper()
	w := ghsimtest.NewWorld(tb, opts)
	gh, err := forge.New(context.Background(), forge.Options{Token: w.Token(ghsimtest.CI), APIURL: w.URL, Sleep: noSleep})
	if err != nil {
		tb.Fatal(err)
	}
	return &env{w: w, sim: w.Sim, gh: gh}
}

// client returns a second, independent client of the pipeline's token
// user: another pipeline.
func (e *env) client(t *testing.T) *forge.Client {
	t.Helper()
	return client(t, e.w, ghsimtest.CI)
}

// mustBump bumps img from develop (staging) as req builds it, and fails
// the test when the bump fails.
func (e *env) mustBump(t *testing.T, img string) *promotion.BumpResult {
	t.Helper()
	res, err := bump(context.Background(), e.gh, req(t, img))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func req(t *testing.T, img string) promotion.BumpRequest {
	t.Helper()
	r, err := image.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	return promotion.BumpRequest{ConfigRepo: "acme/config", App: "web", Image: r, Ref: "refs/heads/develop", SourceRepo: "acme/web", SourceSHA: strings.Repeat("a", 40), RunURL: "https://github.com/acme/web/actions/runs/1", Actor: "alice"}
}

// requests counts the config repository's requests since the last reset,
// and the mutating ones; requests to the app repository (the changelog's
// compare) are counted apart by appRequests, and GET /user (who Baton
// is) is not the config repository's.
func requests(sim *ghsim.Sim) (all, mutating int) {
	for _, r := range sim.Requests() {
		if !strings.HasPrefix(r.Path, "/repos/acme/config") {
			continue // the app repository's compare, GET /user
		}
		all++
		if r.Mutating() {
			mutating++
		}
	}
	return all, mutating
}

func appRequests(sim *ghsim.Sim) int {
	n := 0
	for _, r := range sim.Requests() {
		if strings.HasPrefix(r.Path, "/repos/acme/web/") {
			n++
		}
	}
	return n
}

func TestBumpLifecycleAndBudget(t *testing.T) {
	t.Parallel()
	for _, withPolicy := range []bool{true, false} {
		name := "seed layout"
		if withPolicy {
			name = "with policy"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPolicy)
			ctx := context.Background()
			r := req(t, "ghcr.io/acme/web:1.5.0")
			r = ranIn(t, e.sim, r, "alice", "") // the app's head: no changelog
			res, err := bump(ctx, e.gh, r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != promotion.Created || res.PR.Number != 1 || res.Env != "staging" || !res.Changed() {
				t.Fatalf("result = %+v", res)
			}
			// Budgets (config-repository requests): the seed layout learns
			// the default branch with one more read (GET /repos) when no
			// pull request names it. A new bump reads the policy, the open
			// pull requests on Baton's branch (so that a re-run writes
			// nothing), the default branch and the file, and writes five
			// times (tree, commit, ref, pull request, labels).
			extra := 0
			if !withPolicy {
				extra = 1
			}
			budget := func(what string, max, maxWrites int) {
				t.Helper()
				all, mutating := requests(e.sim)
				t.Logf("%s: %d config-repo requests (%d writes), %d to the app repository", what, all, mutating, appRequests(e.sim))
				if all > max || mutating > maxWrites {
					t.Errorf("%s took %d requests (%d writes), budget %d (%d writes): %v", what, all, mutating, max, maxWrites, e.sim.Requests())
				}
			}
			budget("new bump", 9+extra, 5)
			prs := e.sim.PullRequests("acme/config")
			if len(prs) != 1 || prs[0].PR.Head != "baton/staging/web" || prs[0].PR.Base != "main" || len(prs[0].Labels) != 2 {
				t.Fatalf("prs = %+v", prs)
			}
			got, err := e.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
			if err != nil || got != strings.Replace(stagingYAML, "1.4.0", "1.5.0", 1) {
				t.Errorf("branch file = %q, %v", got, err)
			}

			// The same bump again: nothing is written.
			e.sim.ResetLog()
			res, err = bump(ctx, e.gh, r)
			if err != nil || res.Outcome != promotion.Unchanged || res.PR.Number != 1 {
				t.Fatalf("re-run = %+v, %v", res, err)
			}
			// Policy, pull requests, compare (base and head record), and the
			// activity log that proves Baton pushed the head whose record
			// says "already there" (issue 11: a re-run ≤ 4, no write).
			budget("re-run", 4, 0)
			headBefore := e.sim.Ref("acme/config", "refs/heads/baton/staging/web")

			// A newer build supersedes it in place.
			e.sim.ResetLog()
			res, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.1"))
			if err != nil || res.Outcome != promotion.Updated || res.PR.Number != 1 {
				t.Fatalf("supersede = %+v, %v", res, err)
			}
			budget("update", 10, 5)
			if appRequests(e.sim) > 1 {
				t.Errorf("update made %d requests to the app repository", appRequests(e.sim))
			}
			if e.sim.Ref("acme/config", "refs/heads/baton/staging/web") == headBefore || len(e.sim.PullRequests("acme/config")) != 1 {
				t.Error("branch not rebuilt, or a second PR")
			}
			comments := e.sim.Comments("acme/config", 1)
			if len(comments) != 1 || !strings.Contains(comments[0].Body, "Superseded `1.5.0` by `1.5.1`") {
				t.Errorf("comments = %+v", comments)
			}

			// An older build is refused from Baton's record, without a write.
			e.sim.ResetLog()
			res, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
			if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "refusing to downgrade from 1.5.1 to 1.5.0") {
				t.Fatalf("downgrade = %+v, %v", res, err)
			}
			budget("refused downgrade", 4, 0) // as the re-run: the refusal rests on a proven record

			// Already running (production runs 1.3.0, no pull request): a
			// no-op, none mutating.
			e.sim.ResetLog()
			r = req(t, "ghcr.io/acme/web:1.3.0")
			r.Ref = "refs/heads/main"
			res, err = bump(ctx, e.gh, r)
			if err != nil || res.Outcome != promotion.NoOp {
				t.Fatalf("no-op = %+v, %v", res, err)
			}
			budget("no-op", 4+extra, 0)
		})
	}
}

func TestBumpCommitAndBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	r := req(t, "ghcr.io/acme/web:1.5.0@sha256:"+strings.Repeat("e", 64))
	r.SourceSHA = e.sim.Ref("acme/web", "refs/heads/main")
	res, err := bump(ctx, e.gh, r)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.gh.Commit(ctx, "acme/config", res.PR.HeadSHA)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"chore(staging): bump web to 1.5.0@sha256:eeeeeeeeeeee\n\n",
		"Baton-App: web\n", "Baton-Env: staging\n", "Baton-Image: ghcr.io/acme/web:1.5.0@sha256:" + strings.Repeat("e", 64) + "\n",
		"Baton-From: 1.4.0\n", "Baton-Source: acme/web@" + r.SourceSHA + "\n", "Baton-Run: https://github.com/acme/web/actions/runs/1\n", "Baton-Actor: alice\n",
	} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("commit message lacks %q:\n%s", want, c.Message)
		}
	}
	meta, err := promotion.ParseMeta(res.PR.Body)
	if err != nil || meta.Commit != res.PR.HeadSHA || meta.Env != "staging" || meta.Files[0] != "environments/staging/web-deployment.yaml" {
		t.Errorf("meta = %+v, %v", meta, err)
	}
	got, _ := e.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
	if !strings.Contains(got, "image: ghcr.io/acme/web:1.5.0@sha256:"+strings.Repeat("e", 64)+" # managed by Baton") {
		t.Errorf("file = %s", got)
	}
}

func TestBumpRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	r := req(t, "ghcr.io/acme/web:1.5.0")
	r.Ref = "refs/heads/feature/x"
	res, err := bump(ctx, e.gh, r)
	if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "matches no branches:/tags: glob") {
		t.Errorf("unknown ref = %+v, %v", res, err)
	}
	r = req(t, "ghcr.io/acme/api:1.5.0")
	r.App = ""
	_, err = bump(ctx, e.gh, r)
	var ae *promotion.AppError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "no app in .baton.yaml has the image ghcr.io/acme/api") {
		t.Errorf("unknown image: %v (want an AppError: the input names no app)", err)
	}
	r = req(t, "ghcr.io/acme/web:1.5.0")
	r.Env = "qa"
	_, err = bump(ctx, e.gh, r)
	var ue *promotion.UnknownEnvError
	if !errors.As(err, &ue) || err.Error() != `environment "qa" is not in .baton.yaml (declared: staging, production)` {
		t.Errorf("unknown env: %v", err)
	}
	var ce *promotion.ConfigError
	bad := "environments:\n  staging:\n    branches: develop\n"
	if _, err := e.sim.Push("acme/config", "main", "alice", map[string]*string{".baton.yaml": &bad}, "break the policy"); err != nil {
		t.Fatal(err)
	}
	e.sim.ResetLog()
	_, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), ".baton.yaml:3: environments.staging.branches: want a list") {
		t.Errorf("bad policy: %v", err)
	}
	if _, mutating := requests(e.sim); mutating != 0 || len(e.sim.PullRequests("acme/config")) != 0 {
		t.Error("a bad policy wrote something")
	}
}

// bumpWrites are the routes of a new bump's five writes: tree, commit,
// ref, pull request, labels.
var bumpWrites = []string{
	"/repos/{owner}/{repo}/git/trees", "/repos/{owner}/{repo}/git/commits", "/repos/{owner}/{repo}/git/refs",
	"/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/issues/{number}/labels",
}

func TestBumpFaultsLeaveOnePRAndNoOrphan(t *testing.T) {
	t.Parallel()
	for _, route := range bumpWrites {
		for _, kind := range []ghsim.FaultKind{ghsim.FaultStatus, ghsim.FaultSecondaryRateLimit, ghsim.FaultReset} {
			t.Run(route+"/"+map[ghsim.FaultKind]string{ghsim.FaultStatus: "502", ghsim.FaultSecondaryRateLimit: "secondary", ghsim.FaultReset: "reset"}[kind], func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, true)
				e.sim.Inject(ghsim.Fault{Method: "*", Route: route, Kind: kind, Status: 502, Times: 2})
				res, err := bump(context.Background(), e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
				if err != nil {
					t.Fatalf("bump failed: %v", err)
				}
				if res.Outcome != promotion.Created {
					t.Fatalf("outcome %s", res.Outcome)
				}
				if prs := e.sim.PullRequests("acme/config"); len(prs) != 1 {
					t.Fatalf("%d PRs", len(prs))
				}
				if refs := e.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 1 {
					t.Fatalf("branches %v", refs)
				}
			})
		}
	}
}

func TestBumpPermanentFailureRemovesBranch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/pulls", Kind: ghsim.FaultStatus, Status: 500})
	_, err := bump(context.Background(), e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
	if !errors.Is(err, githost.ErrRetryable) {
		t.Fatalf("err = %v", err)
	}
	if refs := e.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 0 {
		t.Errorf("orphan branch left: %v", refs)
	}
}

func TestBumpRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	type out struct {
		res *promotion.BumpResult
		err error
	}
	results := make(chan out, 2)
	for _, v := range []string{"1.5.0", "1.6.0"} {
		gh := e.client(t)
		go func() {
			res, err := bump(ctx, gh, req(t, "ghcr.io/acme/web:"+v))
			results <- out{res, err}
		}()
	}
	for range 2 {
		o := <-results
		if o.err != nil {
			t.Fatal(o.err)
		}
	}
	prs := e.sim.PullRequests("acme/config")
	if len(prs) != 1 {
		t.Fatalf("%d PRs", len(prs))
	}
	got, _ := e.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
	meta, err := promotion.ParseMeta(prs[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "ghcr.io/acme/web:1.6.0") || meta.Image != "ghcr.io/acme/web:1.6.0" || meta.Commit != prs[0].PR.HeadSHA {
		t.Errorf("race lost the newer version: file %q, meta %+v, head %s", got, meta, prs[0].PR.HeadSHA)
	}
}

func TestBumpLostAnswersMakeNoDuplicates(t *testing.T) {
	t.Parallel()
	for _, route := range bumpWrites {
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			e.sim.Inject(ghsim.Fault{Method: "POST", Route: route, Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
			res, err := bump(context.Background(), e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
			if err != nil || res.Outcome != promotion.Created {
				t.Fatalf("bump: %+v, %v", res, err)
			}
			prs := e.sim.PullRequests("acme/config")
			if len(prs) != 1 || len(prs[0].Labels) != 2 {
				t.Fatalf("PRs %+v", prs)
			}
			if refs := e.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 1 {
				t.Fatalf("branches %v", refs)
			}
			got, _ := e.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
			meta, _ := promotion.ParseMeta(prs[0].Body)
			if !strings.Contains(got, "1.5.0") || meta == nil || meta.Commit != prs[0].PR.HeadSHA {
				t.Errorf("branch and PR disagree: meta %+v head %s", meta, prs[0].PR.HeadSHA)
			}
		})
	}
}

func TestBumpWithoutAccessExplainsTheToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	_, err := bump(context.Background(), client(t, e.w, "stranger"), req(t, "ghcr.io/acme/web:1.5.0"))
	if err == nil || !strings.Contains(err.Error(), "a workflow's own GITHUB_TOKEN reaches only its own repository") {
		t.Fatalf("err = %v", err)
	}
}

// TestUnorderedTagsRefuseAnOlderSource: template tags (branch-run) say
// nothing about order, so a late pipeline of an older commit is caught by
// the sources' ancestry, read from the Baton-Source trailer of the running
// version. (Timestamp tags order numerically, like semantic versions.)
func TestUnorderedTagsRefuseAnOlderSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	older, newer := e.twoSources(t)
	// The newer build was promoted and merged.
	e.bumpNewer(t, newer, "refs/heads/develop", true)
	// The older build's pipeline finishes later.
	r := req(t, "ghcr.io/acme/web:main-alpha")
	r.SourceSHA = older
	res, err := bump(ctx, e.gh, r)
	if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "refusing to downgrade: "+older[:7]+" is an ancestor of the source") {
		t.Fatalf("older: %+v, %v", res, err)
	}
	// And a PR race: an open PR carries the newer source; the older loses.
	r = req(t, "ghcr.io/acme/web:main-yankee")
	r.SourceSHA = newer
	r.Ref = "refs/heads/main"
	if res, err = bump(ctx, e.gh, r); err != nil || res.Outcome != promotion.Created {
		t.Fatalf("production: %+v, %v", res, err)
	}
	r.Image, _ = image.Parse("ghcr.io/acme/web:main-bravo")
	r.SourceSHA = older
	res, err = bump(ctx, e.gh, r)
	if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "is an ancestor of acme/web@"+newer) {
		t.Fatalf("older PR update: %+v, %v", res, err)
	}
}

// twoSources pushes two commits to the app repository, the newer a
// descendant of the older.
func (e *env) twoSources(t *testing.T) (older, newer string) {
	t.Helper()
	one, two := "1", "2"
	older, err := e.sim.Push("acme/web", "main", "alice", map[string]*string{"v": &one}, "older")
	if err != nil {
		t.Fatal(err)
	}
	if newer, err = e.sim.Push("acme/web", "main", "alice", map[string]*string{"v": &two}, "newer"); err != nil {
		t.Fatal(err)
	}
	return older, newer
}

// bumpNewer bumps main-zulu, built from the app repository's commit
// newer, from ref, and wants a new pull request; with merge, bob merges it
// (the newer build promoted and running). It returns the request and the
// result.
func (e *env) bumpNewer(t *testing.T, newer, ref string, merge bool) (promotion.BumpRequest, *promotion.BumpResult) {
	t.Helper()
	r := req(t, "ghcr.io/acme/web:main-zulu")
	r.SourceSHA, r.Ref = newer, ref
	res, err := bump(context.Background(), e.gh, r)
	if err != nil || res.Outcome != promotion.Created {
		t.Fatalf("newer: %+v, %v", res, err)
	}
	if merge {
		if _, err := e.sim.Merge("acme/config", res.PR.Number, "bob", "squash"); err != nil {
			t.Fatal(err)
		}
	}
	return r, res
}

// bump loads the policy with the one loader, as the command does, and
// bumps.
func bump(ctx context.Context, gh *forge.Client, r promotion.BumpRequest) (*promotion.BumpResult, error) {
	return bumpWith(ctx, gh, gh, r)
}

// bumpWith bumps through gh after loading the policy through loader.
func bumpWith(ctx context.Context, loader command.PolicyReader, gh promotion.BumpGitHub, r promotion.BumpRequest) (*promotion.BumpResult, error) {
	pol, branch, err := command.LoadPolicy(ctx, loader, r.ConfigRepo, "")
	if err != nil {
		return nil, err
	}
	r.Policy, r.DefaultBranch = pol, branch
	return promotion.Bump(ctx, gh, r)
}
