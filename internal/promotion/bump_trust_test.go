package promotion_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// mallory is a writer of the config repository without approver rights:
// she can edit pull requests, push branches and open pull requests.
func (e *env) mallory(t *testing.T) *forge.Client {
	t.Helper()
	if err := e.sim.SetPermission("acme/config", "mallory", "write"); err != nil {
		t.Fatal(err)
	}
	return client(t, e.w, "mallory")
}

// forgedBody is a PR body whose hidden record claims image for commit.
func forgedBody(image, commit string) string {
	b, _ := json.Marshal(promotion.Meta{App: "web", Env: "staging", Image: image, Commit: commit, Files: []string{"environments/staging/web-deployment.yaml"}})
	return "Looks like Baton's.\n\n<!-- baton:v1 " + string(b) + " -->\n"
}

// TestBumpNeverReadsThePRBody (issue 9, row 8): a writer's forged
// baton:v1 block neither makes Baton say the pull request "already puts"
// a version nor refuses newer bumps as a downgrade from it.
func TestBumpNeverReadsThePRBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, forged, bump string
	}{
		{name: "claims the bump's own version", forged: "ghcr.io/acme/web:1.6.0", bump: "ghcr.io/acme/web:1.6.0"},
		{name: "claims a far newer version", forged: "ghcr.io/acme/web:99.0.0", bump: "ghcr.io/acme/web:1.6.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
			if err != nil || res.Outcome != promotion.Created {
				t.Fatalf("bump: %+v, %v", res, err)
			}
			if _, err := e.mallory(t).UpdatePR(ctx, "acme/config", res.PR.Number, res.PR.Title, forgedBody(tc.forged, res.PR.HeadSHA)); err != nil {
				t.Fatal(err)
			}
			res, err = bump(ctx, e.gh, req(t, tc.bump))
			if err != nil || res.Outcome != promotion.Updated {
				t.Fatalf("after the forged body: %+v, %v (want the pull request updated)", res, err)
			}
			got, _ := e.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
			if !strings.Contains(got, tc.bump+" ") {
				t.Errorf("branch holds\n%s", got)
			}
		})
	}
}

// TestBumpReadsStateOnlyFromBatonsCommit (issue 9, row 3's bump half): a
// commit a writer pushes to Baton's branch with Baton's trailers is not
// Baton's record, so it neither ends a re-run nor refuses a bump.
func TestBumpReadsStateOnlyFromBatonsCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	res := e.mustBump(t, "ghcr.io/acme/web:1.5.0")
	e.mallory(t)
	forged := strings.Replace(stagingYAML, "1.4.0", "99.0.0", 1)
	msg := "chore(staging): bump web to 99.0.0\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:99.0.0\n"
	if _, err := e.sim.Push("acme/config", res.Branch, "mallory", map[string]*string{"environments/staging/web-deployment.yaml": &forged}, msg); err != nil {
		t.Fatal(err)
	}
	res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.6.0"))
	if err != nil || res.Outcome != promotion.Updated {
		t.Fatalf("newer bump over a forged record: %+v, %v", res, err)
	}
	// And the same forgery claiming the bump's own image does not end a
	// re-run as "already there".
	same := strings.Replace(stagingYAML, "1.4.0", "1.6.0", 1)
	msg = strings.ReplaceAll(msg, "99.0.0", "1.6.0")
	if _, err := e.sim.Push("acme/config", res.Branch, "mallory", map[string]*string{"environments/staging/web-deployment.yaml": &same}, msg); err != nil {
		t.Fatal(err)
	}
	forgedHead := e.sim.Ref("acme/config", "refs/heads/"+res.Branch)
	res, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.6.0"))
	if err != nil || res.Outcome != promotion.Updated || e.sim.Ref("acme/config", "refs/heads/"+res.Branch) == forgedHead {
		t.Fatalf("re-run over a forged head: %+v, %v (want Baton's own commit back)", res, err)
	}
}

// TestBumpUpdatesOnlyItsOwnPR (issue 9, rows 4 and 9): a pull request a
// writer opens on a baton/... branch, or on Baton's branch against another
// base, is not Baton's: it is never updated.
func TestBumpUpdatesOnlyItsOwnPR(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("hand-opened on Baton's branch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, true)
		m := e.mallory(t)
		x := strings.Replace(stagingYAML, "1.4.0", "6.6.6", 1)
		if _, err := e.sim.Push("acme/config", "main", "mallory", nil, "noop"); err != nil {
			t.Fatal(err)
		}
		base := e.sim.Ref("acme/config", "refs/heads/main")
		if err := m.CreateRef(ctx, "acme/config", "heads/baton/staging/web", base); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sim.Push("acme/config", "baton/staging/web", "mallory", map[string]*string{"environments/staging/web-deployment.yaml": &x}, "bump"); err != nil {
			t.Fatal(err)
		}
		pr, err := m.CreatePR(ctx, "acme/config", githost.NewPR{Title: "chore(staging): bump web to 6.6.6", Head: "baton/staging/web", Base: "main", Body: forgedBody("ghcr.io/acme/web:6.6.6", "")})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddLabels(ctx, "acme/config", pr.Number, []string{"baton", "env:staging"}); err != nil {
			t.Fatal(err)
		}
		head := e.sim.Ref("acme/config", "refs/heads/baton/staging/web")
		e.sim.ResetLog()
		_, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
		var ce *promotion.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "is not Baton's: it was opened by @mallory, not by Baton") {
			t.Fatalf("err = %v", err)
		}
		if _, mutating := requests(e.sim); mutating != 0 || e.sim.Ref("acme/config", "refs/heads/baton/staging/web") != head {
			t.Error("Baton wrote to the hand-opened pull request's branch")
		}
	})

	t.Run("Baton's branch against another base", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, true)
		m := e.mallory(t)
		res := e.mustBump(t, "ghcr.io/acme/web:1.5.0")
		if err := m.CreateRef(ctx, "acme/config", "heads/release", e.sim.Ref("acme/config", "refs/heads/main")); err != nil {
			t.Fatal(err)
		}
		other, err := m.CreatePR(ctx, "acme/config", githost.NewPR{Title: "ship it", Head: res.Branch, Base: "release", Body: forgedBody("ghcr.io/acme/web:1.5.0", res.PR.HeadSHA)})
		if err != nil {
			t.Fatal(err)
		}
		res2, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.6.0"))
		if err != nil || res2.Outcome != promotion.Updated || res2.PR.Number != res.PR.Number {
			t.Fatalf("bump: %+v, %v (want #%d updated)", res2, err, res.PR.Number)
		}
		for _, pr := range e.sim.PullRequests("acme/config") {
			if pr.Number == other.Number && pr.Title != "ship it" {
				t.Errorf("the other pull request was edited: %q", pr.Title)
			}
			if pr.Number == res.PR.Number && !strings.HasSuffix(pr.Title, "1.6.0") {
				t.Errorf("Baton's pull request: %q", pr.Title)
			}
		}
	})
}

// TestBumpRestoresItsLabels (issue 9, row 12's bump half): labels removed
// by hand come back with the next bump, even a re-run that otherwise
// writes nothing.
func TestBumpRestoresItsLabels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	res := e.mustBump(t, "ghcr.io/acme/web:1.5.0")
	m := e.mallory(t)
	for _, l := range []string{"baton", "env:staging"} {
		if err := m.RemoveLabel(ctx, "acme/config", res.PR.Number, l); err != nil {
			t.Fatal(err)
		}
	}
	e.sim.ResetLog()
	res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
	if err != nil || res.Outcome != promotion.Unchanged {
		t.Fatalf("re-run: %+v, %v", res, err)
	}
	if prs := e.sim.PullRequests("acme/config"); len(prs) != 1 || strings.Join(prs[0].Labels, ",") != "baton,env:staging" {
		t.Errorf("labels %v", prs[0].Labels)
	}
	if _, mutating := requests(e.sim); mutating != 1 {
		t.Errorf("%d writes, want the one that restores the labels", mutating)
	}
}

// TestBumpOpensThePRForABranchLeftBehind (issue 11): a run that pushed
// Baton's branch but failed to open the pull request and to remove the
// branch again leaves an orphan; the next run opens the pull request.
func TestBumpOpensThePRForABranchLeftBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	e.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/pulls", Kind: ghsim.FaultStatus, Status: 403, Times: 1})
	e.sim.Inject(ghsim.Fault{Method: "DELETE", Route: "/repos/{owner}/{repo}/git/refs/{ref...}", Kind: ghsim.FaultStatus, Status: 403, Times: 1})
	if _, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0")); err == nil || !strings.Contains(err.Error(), "remove the branch baton/staging/web again") {
		t.Fatalf("first run: %v", err)
	}
	if refs := e.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 1 || len(e.sim.PullRequests("acme/config")) != 0 {
		t.Fatalf("want an orphan branch and no pull request: %v", refs)
	}
	res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
	if err != nil || res.Outcome != promotion.Created {
		t.Fatalf("re-run: %+v, %v", res, err)
	}
	checkOnePR(t, e.sim, "web", "ghcr.io/acme/web:1.5.0")
}

// checkOnePR checks that one open pull request of app exists in staging,
// and that its branch, title and body all name want.
func checkOnePR(t *testing.T, sim *ghsim.Sim, app, want string) {
	t.Helper()
	var open []ghsim.Issue
	for _, pr := range sim.PullRequests("acme/config") {
		if pr.PR.Head == "baton/staging/"+app && pr.State == "open" {
			open = append(open, pr)
		}
	}
	if len(open) != 1 {
		t.Fatalf("%d open pull requests for %s", len(open), app)
	}
	pr := open[0]
	file := fmt.Sprintf("environments/staging/%s-deployment.yaml", app)
	got, err := sim.FileAt("acme/config", "baton/staging/"+app, file)
	if err != nil {
		t.Fatal(err)
	}
	version := want[strings.LastIndex(want, ":")+1:]
	if !strings.Contains(got, want+" ") {
		t.Errorf("the branch holds\n%s\nwant %s", got, want)
	}
	if !strings.HasSuffix(pr.Title, " to "+version) {
		t.Errorf("title %q, want version %s", pr.Title, version)
	}
	meta, err := promotion.ParseMeta(pr.Body)
	if err != nil || meta.Image != want || meta.Commit != pr.PR.HeadSHA || sim.Ref("acme/config", "refs/heads/baton/staging/"+app) != pr.PR.HeadSHA {
		t.Errorf("body record %+v (%v), head %s: want %s on the branch's head", meta, err, pr.PR.HeadSHA, want)
	}
}

// TestBumpWithoutActivityAPI: a GitHub without the activity API (an older
// Enterprise Server answers 404) still updates the pull request, judging
// its write by the branch's head.
func TestBumpWithoutActivityAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, true)
	e.mustBump(t, "ghcr.io/acme/web:1.5.0")
	e.sim.Inject(ghsim.Fault{Method: "GET", Route: "/repos/{owner}/{repo}/activity", Kind: ghsim.FaultStatus, Status: 404})
	res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.6.0"))
	if err != nil || res.Outcome != promotion.Updated {
		t.Fatalf("update: %+v, %v", res, err)
	}
	if e.sim.FaultHits() == 0 {
		t.Error("the activity API was never asked")
	}
	checkOnePR(t, e.sim, "web", "ghcr.io/acme/web:1.6.0")
}

// TestBumpRefusesVersionsOutsideThePolicy: an environment's versions:
// constraint refuses a tag outside it before any request is written.
func TestBumpRefusesVersionsOutsideThePolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pol := strings.Replace(policyYAML, "    merge: auto\n", "    merge: auto\n    versions: \">= 2.0.0\"\n", 1)
	e := newEnvWith(t, ghsimtest.WorldOptions{StagingManifest: stagingYAML, Policy: pol})
	res, err := bump(ctx, e.gh, req(t, "ghcr.io/acme/web:1.5.0"))
	if err != nil || res.Outcome != promotion.Skipped || !strings.Contains(res.Notice, "1.5.0") || !strings.Contains(res.Notice, ">= 2.0.0") {
		t.Fatalf("%+v, %v", res, err)
	}
	if all, mutating := requests(e.sim); mutating != 0 || all != 1 {
		t.Errorf("%d requests (%d writes): want the policy read alone", all, mutating)
	}
	if res, err = bump(ctx, e.gh, req(t, "ghcr.io/acme/web:2.0.0")); err != nil || res.Outcome != promotion.Created {
		t.Fatalf("2.0.0: %+v, %v", res, err)
	}
}
