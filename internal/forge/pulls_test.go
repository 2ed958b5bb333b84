package forge_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
)

func TestPRCarriesIdsReposAndServerTimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	opened := clk.Now()
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	clk.Advance(time.Minute)
	got, err := c.PR(ctx, "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	alice := sim.AddUser("alice")
	want := &githost.PR{
		Number: pr.Number, Title: "bump bump", Head: "bump", HeadRef: "bump", BaseRef: "main", HeadSHA: sim.Ref("acme/config", "refs/heads/bump"), Base: "main",
		BaseSHA: sim.Ref("acme/config", "refs/heads/main"), State: "open", Author: "alice",
		User:     githost.User{ID: alice.ID, Login: "alice", Type: "User"},
		HeadRepo: "acme/config", BaseRepo: "acme/config", DefaultBranch: "main", CreatedAt: opened, UpdatedAt: opened,
	}
	if diff := cmp.Diff(want, got, cmpPR); diff != "" {
		t.Errorf("PR (-want +got):\n%s", diff)
	}
}

// cmpPR leaves out what the simulator computes on its own schedule.
var cmpPR = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".URL", ".Mergeable", ".MergeableState", ".Body", ".Labels":
		return true
	}
	return false
}, cmp.Ignore())

func TestOpenPRsForSHAReadsEveryPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	first := openPR(t, sim, c, "b0", "image: x:2\n")
	// 100 more pull requests on the same commit: two pages of 100.
	for i := 1; i <= 100; i++ {
		branch := fmt.Sprintf("b%d", i)
		if err := c.CreateRef(ctx, "acme/config", "heads/"+branch, first.HeadSHA); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreatePR(ctx, "acme/config", githost.NewPR{Title: branch, Head: branch, Base: "main"}); err != nil {
			t.Fatal(err)
		}
	}
	other := openPR(t, sim, c, "other", "image: x:3\n")
	sim.ResetLog()
	got, err := c.OpenPRsForSHA(ctx, "acme/config", first.HeadSHA)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 101 {
		t.Errorf("%d pull requests for the sha, want 101", len(got))
	}
	for _, p := range got {
		if p.Number == other.Number {
			t.Errorf("#%d has another head", p.Number)
		}
	}
	if n := len(sim.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
	all, err := c.OpenPRsForSHA(ctx, "acme/config", "")
	if err != nil || len(all) != 102 {
		t.Errorf("every open pull request: %d, %v; want 102", len(all), err)
	}
}

func TestOpenPRsForHeadFindsEveryBase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	if err := c.CreateRef(ctx, "acme/config", "heads/release", sim.Ref("acme/config", "refs/heads/main")); err != nil {
		t.Fatal(err)
	}
	toMain := openPR(t, sim, c, "baton/prod/web", "image: x:2\n")
	toRelease, err := c.CreatePR(ctx, "acme/config", githost.NewPR{Title: "other base", Head: "baton/prod/web", Base: "release"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.OpenPRsForHead(ctx, "acme/config", "baton/prod/web")
	if err != nil {
		t.Fatal(err)
	}
	bases := map[int]string{}
	for _, p := range got {
		bases[p.Number] = p.Base
	}
	if diff := cmp.Diff(map[int]string{toMain.Number: "main", toRelease.Number: "release"}, bases); diff != "" {
		t.Errorf("bases (-want +got):\n%s", diff)
	}
	one, err := c.FindOpenPR(ctx, "acme/config", "baton/prod/web")
	if err != nil || one == nil || one.Head != "baton/prod/web" {
		t.Errorf("FindOpenPR = %+v, %v", one, err)
	}
	none, err := c.FindOpenPR(ctx, "acme/config", "baton/prod/api")
	if err != nil || none != nil {
		t.Errorf("FindOpenPR of a branch with none = %+v, %v", none, err)
	}
}

func TestReviewsReadEveryPageWithReviewerIDsAndHeads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	if err := sim.SetPermission("acme/config", "bob", "write"); err != nil {
		t.Fatal(err)
	}
	bob := sim.Token("bob")
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	path := fmt.Sprintf("/repos/acme/config/pulls/%d/reviews", pr.Number)
	for i := range 101 {
		clk.Advance(time.Second)
		api(t, url, bob, "POST", path, map[string]any{"event": "COMMENT", "body": fmt.Sprint("note ", i)}, nil)
	}
	clk.Advance(time.Second)
	approvedAt := clk.Now()
	api(t, url, bob, "POST", path, map[string]any{"event": "APPROVE", "commit_id": pr.HeadSHA}, nil)
	got, err := c.Reviews(ctx, "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 102 {
		t.Fatalf("%d reviews, want 102", len(got))
	}
	last := got[len(got)-1]
	last.ID = 0
	want := githost.Review{Author: "bob", State: "APPROVED", CommitID: pr.HeadSHA, SubmittedAt: approvedAt,
		User: githost.User{ID: sim.AddUser("bob").ID, Login: "bob", Type: "User"}}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("last review (-want +got):\n%s", diff)
	}
}

func TestMergeReturnsTheMergeCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	sha, err := c.Merge(ctx, "acme/config", pr.Number, pr.HeadSHA, "merge", "Bump", "body")
	if err != nil {
		t.Fatal(err)
	}
	if main := sim.Ref("acme/config", "refs/heads/main"); sha != main {
		t.Errorf("merge sha %s, main is at %s", sha, main)
	}
	got, err := c.PR(ctx, "acme/config", pr.Number)
	if err != nil || !got.Merged || got.MergeSHA != sha || got.MergedByUser.Login != "alice" || got.MergedByUser.ID == 0 {
		t.Errorf("merged PR = %+v, %v", got, err)
	}
}

func TestMergeablePRPollsWhileGitHubComputes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := world(t, ghsimtest.WorldOptions{WallClock: true, Sim: ghsim.Options{MergeableDelay: 2}})
	sim, url, tok := w.Sim, w.URL, w.Token("alice")
	sl := &sleeps{}
	c := client(t, url, tok, sl)
	pr := openPR(t, sim, c, "x", "image: x:2\n")
	got, err := c.MergeablePR(ctx, "acme/config", pr.Number)
	if err != nil || got.Mergeable == nil || !*got.Mergeable || sl.count() != 2 {
		t.Fatalf("mergeable %v, err %v, slept %v", got.Mergeable, err, sl.d)
	}
	if want := []time.Duration{500 * time.Millisecond, time.Second}; !cmp.Equal(want, sl.d) {
		t.Errorf("waits %v, want %v", sl.d, want)
	}
}
