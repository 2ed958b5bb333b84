package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// manyApps is a policy of n apps (a00, a01, …), image ghcr.io/acme/<app>,
// in staging; files is the staging file template ("" for the default,
// one file per app); checks, when set, makes staging merge: auto once
// those checks pass.
func manyApps(n int, files, checks string) string {
	var b strings.Builder
	b.WriteString("apps:\n")
	for i := range n {
		fmt.Fprintf(&b, "  a%02d:\n    image: ghcr.io/acme/a%02d\n", i, i)
	}
	b.WriteString("environments:\n  staging:\n    branches: [develop]\n")
	if files != "" {
		fmt.Fprintf(&b, "    files: [%q]\n", files)
	}
	if checks != "" {
		fmt.Fprintf(&b, "    merge: auto\n    checks: [%s]\n", checks)
	} else {
		b.WriteString("    merge: approval\n    approvals: 1\n")
	}
	return b.String()
}

// deployment is a one-container Deployment of app at image.
func deployment(app, img string) string {
	return fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  template:\n    spec:\n      containers:\n        - name: %s\n          image: %s\n", app, app, img)
}

// together runs fn(i) for i in [0, n) at once, each in its own goroutine
// released by one barrier, and returns their errors by i.
func together(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestTwentyAppsBumpedAtOnce: 20 pipelines bump 20 different apps into one
// config repository at the same moment; each gets its own pull request,
// and all 20 merge.
func TestTwentyAppsBumpedAtOnce(t *testing.T) {
	t.Parallel()
	const n = 20
	files := map[string]string{}
	for i := range n {
		app := fmt.Sprintf("a%02d", i)
		files["environments/staging/"+app+"-deployment.yaml"] = deployment(app, "ghcr.io/acme/"+app+":1.0.0")
	}
	r := newRig(t, ghsimtest.WorldOptions{NoSeedLayout: true, ConfigFiles: files, Policy: manyApps(n, "", "")})
	errs := together(n, func(i int) error {
		app := fmt.Sprintf("a%02d", i)
		o, err := r.bump(context.Background(), app, "ghcr.io/acme/"+app+":1.1.0", "refs/heads/develop")
		if err == nil && o.Outcome != promotion.Created {
			err = fmt.Errorf("outcome %s, want created", o.Outcome)
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("bump of a%02d: %v", i, err)
		}
	}
	open := r.openPRs()
	if len(open) != n {
		t.Errorf("%d branches with open pull requests, want %d: %v", len(open), n, keys(open))
	}
	for head, prs := range open {
		if len(prs) != 1 {
			t.Errorf("%s: %d open pull requests", head, len(prs))
			continue
		}
		if _, err := r.w.Sim.Merge(r.w.Config, prs[0].Number, ghsimtest.Approver, "squash"); err != nil {
			t.Errorf("%s (#%d) is not mergeable: %v", head, prs[0].Number, err)
		}
	}
	for i := range n {
		app := fmt.Sprintf("a%02d", i)
		got, _ := r.w.Sim.FileAt(r.w.Config, "main", "environments/staging/"+app+"-deployment.yaml")
		if !strings.Contains(got, "image: ghcr.io/acme/"+app+":1.1.0\n") {
			t.Errorf("%s on main after the merges:\n%s", app, got)
		}
	}
}

// TestTwentyVersionsOfOneAppAtOnce: 20 pipelines bump web in staging at
// the same moment with 1.5.0 … 1.5.19, started in a random order; there is
// one pull request, and its branch, title and record all hold 1.5.19.
// Bumps of lower versions may end as refused downgrades; the highest may
// not fail. A race shows only in some interleavings, so five rounds run,
// each in a new world with its own order.
func TestTwentyVersionsOfOneAppAtOnce(t *testing.T) {
	t.Parallel()
	for round := range 5 {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			t.Parallel()
			twentyVersions(t, uint64(round))
		})
	}
}

func twentyVersions(t *testing.T, round uint64) {
	const n = 20
	r := newRig(t, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy})
	order := rand.New(rand.NewPCG(*seed, round)).Perm(n)
	t.Logf("seed %d, round %d, start order %v", *seed, round, order)
	errs := together(n, func(i int) error {
		_, err := r.bump(context.Background(), "web", fmt.Sprintf("ghcr.io/acme/web:1.5.%d", order[i]), "refs/heads/develop")
		return err
	})
	failed := 0
	for i, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if order[i] == n-1 {
			t.Errorf("the bump of the highest version, 1.5.%d, failed: %v", n-1, err)
		} else {
			t.Logf("bump of 1.5.%d failed (a pipeline that lost the race): %v", order[i], err)
		}
	}
	t.Logf("%d of %d bumps failed", failed, n)
	want := fmt.Sprintf("ghcr.io/acme/web:1.5.%d", n-1)
	prs := r.openPRs()["baton/staging/web"]
	if len(prs) != 1 || len(r.openPRs()) != 1 {
		t.Fatalf("open pull requests: %v, want one for baton/staging/web", keys(r.openPRs()))
	}
	pr := prs[0]
	head, _ := r.w.Sim.FileAt(r.w.Config, pr.PR.HeadSHA, "environments/staging/web-deployment.yaml")
	if !strings.Contains(head, "image: "+want+"   # bumped by Baton\n") {
		t.Errorf("the pull request's branch does not hold %s:\n%s", want, head)
	}
	if !strings.Contains(pr.Title, "1.5.19") {
		t.Errorf("title %q does not name 1.5.19", pr.Title)
	}
	if meta, err := promotion.ParseMeta(pr.Body); err != nil || !strings.HasPrefix(meta.Image, want) {
		t.Errorf("the body's record says %+v (%v), want image %s", meta, err, want)
	}
	if tip := r.w.Sim.Ref(r.w.Config, "refs/heads/baton/staging/web"); tip != pr.PR.HeadSHA {
		t.Errorf("branch at %.7s, pull request head %.7s", tip, pr.PR.HeadSHA)
	}
}

// TestTenMergesIntoOneFile: ten apps' images sit on adjacent lines of
// one file (so their changes conflict on GitHub too, which merges line by
// line); their ten pull requests become mergeable at once and ten check
// events arrive together. Each pull request that lost the race is rebuilt
// on the new base and merged once its checks pass again; every change
// lands on main, none is lost, each is released once.
func TestTenMergesIntoOneFile(t *testing.T) {
	t.Parallel()
	const n = 10
	var all strings.Builder
	all.WriteString("# The shop's images, one per line.\n")
	for i := range n {
		fmt.Fprintf(&all, "a%02d: ghcr.io/acme/a%02d:1.0.0\n", i, i)
	}
	r := newRig(t, ghsimtest.WorldOptions{
		NoSeedLayout: true, ConfigFiles: map[string]string{"environments/staging/images.yaml": all.String()},
		Policy: manyApps(n, "environments/{{ .Env }}/images.yaml", "ci"),
	})
	ctx := context.Background()
	for i := range n {
		app := fmt.Sprintf("a%02d", i)
		o, err := r.bump(ctx, app, "ghcr.io/acme/"+app+":1.1.0", "refs/heads/develop")
		if err != nil || o.Outcome != promotion.Created || o.Merge != nil && o.Merge.Merged {
			t.Fatalf("bump of %s: %+v, %v (want a pull request waiting for its check)", app, o, err)
		}
	}
	// A pull request that lost a race is rebuilt on the new base and
	// needs its checks again, so the ten may take up to twice ten rounds.
	// What must not happen is a check event that leaves a pull request
	// neither merged nor rebuilt: no further event would come for it.
	stranded := 0
	for round := 1; round <= 2*n; round++ {
		open := r.openPRs()
		if len(open) == 0 {
			break
		}
		heads := map[int]string{}
		var shas []string
		for _, prs := range open {
			for _, pr := range prs {
				if err := r.w.Sim.SetCheckRun(r.w.Config, pr.PR.HeadSHA, "ci", "completed", "success"); err != nil {
					t.Fatal(err)
				}
				heads[pr.Number] = pr.PR.HeadSHA
				shas = append(shas, pr.PR.HeadSHA)
			}
		}
		r.w.Clock.Advance(2 * time.Second)
		why := make([]string, len(shas))
		errs := together(len(shas), func(i int) error {
			res, err := command.Merge(ctx, command.MergeOptions{ConfigRepo: r.configRepo(), SHA: shas[i]})
			for _, m := range res {
				if !m.Merged {
					why[i] = m.Waiting + ": " + m.Reply
				}
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d: check event for %.7s: %v", round, shas[i], err)
			}
		}
		for _, prs := range r.openPRs() {
			for _, pr := range prs {
				if heads[pr.Number] == pr.PR.HeadSHA {
					stranded++
					for i, sha := range shas {
						if sha == pr.PR.HeadSHA {
							t.Logf("round %d: #%d (%s) left as it was: %s", round, pr.Number, pr.PR.Head, why[i])
						}
					}
				}
			}
		}
		t.Logf("round %d: %d check events, %d pull requests still open", round, len(shas), len(r.openPRs()))
	}
	if stranded > 0 {
		t.Errorf("%d times a check event left a pull request neither merged nor rebuilt after another merge changed its file: "+
			"it waits for an event that will not come (its checks already passed)", stranded)
	}
	if open := r.openPRs(); len(open) > 0 {
		t.Errorf("still open after %d rounds: %v", 2*n, keys(open))
	}
	got, _ := r.w.Sim.FileAt(r.w.Config, "main", "environments/staging/images.yaml")
	var lost []string
	for i := range n {
		if img := fmt.Sprintf("ghcr.io/acme/a%02d:1.1.0", i); !strings.Contains(got, fmt.Sprintf("a%02d: %s\n", i, img)) {
			lost = append(lost, img)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d changes never reached main: %v", len(lost), n, lost)
	}
	var tags []string
	for _, rel := range r.w.Sim.Releases(r.w.Config) {
		tags = append(tags, rel.TagName)
	}
	if dup := duplicates(tags); len(tags) != n || len(dup) > 0 {
		t.Errorf("releases %v for %d merges (twice: %v)", tags, n, dup)
	}
	checkNoOrphans(t, r)
}

// TestCommentDeliveredTwice: GitHub delivers the same issue_comment event
// twice (a redelivery, or two workflow runs), at once and then once more:
// one merge, one release, one reply.
func TestCommentDeliveredTwice(t *testing.T) {
	t.Parallel()
	r := newRig(t, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy})
	ctx := context.Background()
	o, err := r.bump(ctx, "web", "ghcr.io/acme/web:1.5.0", "refs/heads/develop")
	if err != nil || o.PR == nil {
		t.Fatalf("bump: %+v, %v", o, err)
	}
	r.w.Clock.Advance(2 * time.Second)
	ev := r.comment(o.PR.Number, ghsimtest.Approver, "/approve")
	errs := together(2, func(int) error { _, err := r.approve(ctx, ev); return err })
	if _, err := r.approve(ctx, ev); err != nil {
		errs = append(errs, err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("delivery %d: %v", i+1, err)
		}
	}
	merges := 0
	for _, q := range r.w.Sim.Requests() {
		if q.Route == "PUT /repos/{owner}/{repo}/pulls/{number}/merge" && q.Status == 200 {
			merges++
		}
	}
	var replies []string
	for _, c := range r.w.Sim.Comments(r.w.Config, o.PR.Number) {
		if c.ID > ev.CommentID && c.User.Login == ghsimtest.BatonUser {
			replies = append(replies, c.Body)
		}
	}
	if merges != 1 || len(r.w.Sim.Releases(r.w.Config)) != 1 || len(replies) != 1 {
		t.Errorf("three deliveries of one /approve: %d merges, %d releases, %d replies:\n%s",
			merges, len(r.w.Sim.Releases(r.w.Config)), len(replies), strings.Join(replies, "\n---\n"))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

var _ = ghsim.NoRateLimit
