package ghsim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/ghsim"
)

// pushBranch commits one file change on a new branch through the API.
func pushBranch(t *testing.T, f *fixture, branch, path, content string) string {
	t.Helper()
	s := content
	sha, err := f.sim.Push("acme/config", branch, "alice", map[string]*string{path: &s}, "change "+path)
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

func TestPullRequestLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{MergeableDelay: 1})
	gh := f.client(t, f.admin)
	head := pushBranch(t, f, "baton/staging/web", "environments/staging/web-deployment.yaml", "image: ghcr.io/acme/web:1.5.0\n")

	pr, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{
		Title: github.Ptr("chore(staging): bump web to 1.5.0"), Head: github.Ptr("baton/staging/web"), Base: github.Ptr("main"), Body: github.Ptr("body"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if pr.GetNumber() != 1 || pr.GetHead().GetSHA() != head || pr.GetUser().GetLogin() != "alice" || pr.GetState() != "open" {
		t.Fatalf("pr = %+v", pr)
	}
	_, _, err = gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("again"), Head: github.Ptr("acme:baton/staging/web"), Base: github.Ptr("main")})
	wantStatus(t, err, 422, "A pull request already exists for acme:baton/staging/web.")
	_, _, err = gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/empty", SHA: f.sim.Ref("acme/config", "refs/heads/main")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("empty"), Head: github.Ptr("empty"), Base: github.Ptr("main")})
	wantStatus(t, err, 422, "No commits between main and empty")
	_, _, err = gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("nope"), Base: github.Ptr("main")})
	wantStatus(t, err, 422, "head invalid")

	list, _, err := gh.PullRequests.List(ctx, "acme", "config", &github.PullRequestListOptions{Head: "acme:baton/staging/web", State: "open"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	list, _, _ = gh.PullRequests.List(ctx, "acme", "config", &github.PullRequestListOptions{Head: "acme:other"})
	if len(list) != 0 {
		t.Errorf("head filter returned %d", len(list))
	}
	// A bare branch name is not the documented user:ref-name form, and
	// GitHub ignores it: every open pull request comes back.
	list, _, err = gh.PullRequests.List(ctx, "acme", "config", &github.PullRequestListOptions{Head: "other", State: "open"})
	if err != nil || len(list) != 1 || list[0].GetNumber() != 1 {
		t.Errorf("bare head filter = %v, %v; want it ignored (#1 listed)", list, err)
	}

	// GitHub computes mergeability in the background: the first GET
	// answers null, the next one the result.
	got, _, err := gh.PullRequests.Get(ctx, "acme", "config", 1)
	if err != nil || got.Mergeable != nil || got.GetMergeableState() != "unknown" {
		t.Fatalf("first GET mergeable = %v (%s), %v", got.Mergeable, got.GetMergeableState(), err)
	}
	got, _, _ = gh.PullRequests.Get(ctx, "acme", "config", 1)
	if !got.GetMergeable() || got.GetMergeableState() != "clean" || got.GetChangedFiles() != 1 || got.GetCommits() != 1 {
		t.Fatalf("second GET = %v %s files=%d commits=%d", got.Mergeable, got.GetMergeableState(), got.GetChangedFiles(), got.GetCommits())
	}
	files, _, err := gh.PullRequests.ListFiles(ctx, "acme", "config", 1, nil)
	if err != nil || len(files) != 1 || files[0].GetFilename() != "environments/staging/web-deployment.yaml" || files[0].GetStatus() != "modified" ||
		files[0].GetAdditions() != 1 || files[0].GetDeletions() != 1 || !strings.Contains(files[0].GetPatch(), "+image: ghcr.io/acme/web:1.5.0") {
		t.Fatalf("files = %v, %v", files, err)
	}
	commits, _, err := gh.PullRequests.ListCommits(ctx, "acme", "config", 1, nil)
	if err != nil || len(commits) != 1 || commits[0].GetSHA() != head {
		t.Fatalf("commits = %v, %v", commits, err)
	}
	if _, _, err := gh.PullRequests.Edit(ctx, "acme", "config", 1, &github.PullRequest{Body: github.Ptr("new body")}); err != nil {
		t.Fatal(err)
	}

	// Reviews: the author cannot approve; another writer can.
	_, _, err = gh.PullRequests.CreateReview(ctx, "acme", "config", 1, &github.PullRequestReviewRequest{Event: github.Ptr("APPROVE")})
	wantStatus(t, err, 422, "Unprocessable Entity")
	if err := f.sim.SetPermission("acme/config", "bob", "write"); err != nil {
		t.Fatal(err)
	}
	bob := f.client(t, f.sim.Token("bob"))
	rv, _, err := bob.PullRequests.CreateReview(ctx, "acme", "config", 1, &github.PullRequestReviewRequest{Event: github.Ptr("APPROVE")})
	if err != nil || rv.GetState() != "APPROVED" || rv.GetCommitID() != head || rv.GetUser().GetLogin() != "bob" {
		t.Fatalf("review = %+v, %v", rv, err)
	}

	// A push to the head after approval moves the head: a merge at the old
	// sha gets 409.
	newHead := pushBranch(t, f, "baton/staging/web", "environments/staging/web-deployment.yaml", "image: ghcr.io/acme/web:1.5.1\n")
	_, _, err = gh.PullRequests.Merge(ctx, "acme", "config", 1, "", &github.PullRequestOptions{SHA: head, MergeMethod: "squash"})
	wantStatus(t, err, 409, "Head branch was modified. Review and try the merge again.")
	res, _, err := gh.PullRequests.Merge(ctx, "acme", "config", 1, "Baton-App: web", &github.PullRequestOptions{SHA: newHead, MergeMethod: "squash", CommitTitle: "chore(staging): bump web to 1.5.1 (#1)"})
	if err != nil || !res.GetMerged() {
		t.Fatalf("merge = %+v, %v", res, err)
	}
	if got := f.sim.Ref("acme/config", "refs/heads/main"); got != res.GetSHA() {
		t.Errorf("main = %s, merge sha = %s", got, res.GetSHA())
	}
	content, err := f.sim.FileAt("acme/config", "main", "environments/staging/web-deployment.yaml")
	if err != nil || content != "image: ghcr.io/acme/web:1.5.1\n" {
		t.Errorf("merged content = %q, %v", content, err)
	}
	merged, _, _ := gh.PullRequests.Get(ctx, "acme", "config", 1)
	if !merged.GetMerged() || merged.GetState() != "closed" || merged.GetMergeCommitSHA() != res.GetSHA() || merged.GetMergedBy().GetLogin() != "alice" || merged.MergedAt == nil {
		t.Errorf("merged pr = %+v", merged)
	}
	mc, _, err := gh.Git.GetCommit(ctx, "acme", "config", res.GetSHA())
	if err != nil || mc.GetMessage() != "chore(staging): bump web to 1.5.1 (#1)\n\nBaton-App: web" || len(mc.Parents) != 1 || !mc.GetVerification().GetVerified() {
		t.Errorf("squash commit = %q parents=%d verified=%v", mc.GetMessage(), len(mc.Parents), mc.GetVerification().GetVerified())
	}
	_, _, err = gh.PullRequests.Merge(ctx, "acme", "config", 1, "", nil)
	wantStatus(t, err, 405, "Pull Request is not mergeable")
	ok, _, err := gh.PullRequests.IsMerged(ctx, "acme", "config", 1)
	if err != nil || !ok {
		t.Errorf("IsMerged = %v, %v", ok, err)
	}
}

func TestMergeConflictAndMethods(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{MergeableDelay: -1})
	gh := f.client(t, f.admin)
	pushBranch(t, f, "bump", "environments/staging/web-deployment.yaml", "image: ghcr.io/acme/web:1.5.0\n")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("bump"), Head: github.Ptr("bump"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	// Someone changes the same file on main: not mergeable.
	pushBranch(t, f, "main", "environments/staging/web-deployment.yaml", "image: ghcr.io/acme/web:1.4.1\n")
	pr, _, _ := gh.PullRequests.Get(ctx, "acme", "config", 1)
	if pr.Mergeable == nil || pr.GetMergeable() || pr.GetMergeableState() != "dirty" {
		t.Fatalf("mergeable = %v %s", pr.Mergeable, pr.GetMergeableState())
	}
	_, _, err := gh.PullRequests.Merge(ctx, "acme", "config", 1, "", &github.PullRequestOptions{MergeMethod: "merge"})
	wantStatus(t, err, 405, "Pull Request is not mergeable")

	// A change to another file on main merges cleanly, with a merge commit.
	pushBranch(t, f, "other", "README.md", "changed\n")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("readme"), Head: github.Ptr("other"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	pushBranch(t, f, "main", "environments/production/web-deployment.yaml", "image: ghcr.io/acme/web:1.3.1\n")
	res, _, err := gh.PullRequests.Merge(ctx, "acme", "config", 2, "", &github.PullRequestOptions{MergeMethod: "merge"})
	if err != nil {
		t.Fatal(err)
	}
	mc, _, _ := gh.Git.GetCommit(ctx, "acme", "config", res.GetSHA())
	if len(mc.Parents) != 2 || !strings.HasPrefix(mc.GetMessage(), "Merge pull request #2 from acme/other") {
		t.Errorf("merge commit: parents %d, message %q", len(mc.Parents), mc.GetMessage())
	}
	for _, p := range []string{"README.md", "environments/production/web-deployment.yaml"} {
		if _, err := f.sim.FileAt("acme/config", "main", p); err != nil {
			t.Error(err)
		}
	}
	if _, err := f.sim.CreateRepo("acme/squash-only", ghsim.RepoOptions{Files: map[string]string{"a": "1"}, MergeMethods: []string{"squash"}}); err != nil {
		t.Fatal(err)
	}
	two := "2"
	if _, err := f.sim.Push("acme/squash-only", "b", "alice", map[string]*string{"a": &two}, "two"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetPermission("acme/squash-only", "alice", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "squash-only", &github.NewPullRequest{Title: github.Ptr("b"), Head: github.Ptr("b"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.PullRequests.Merge(ctx, "acme", "squash-only", 1, "", &github.PullRequestOptions{MergeMethod: "rebase"})
	wantStatus(t, err, 405, "Rebase merges are not allowed on this repository.")
}

func TestDeletingHeadClosesPull(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	pushBranch(t, f, "x", "README.md", "x\n")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("x"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	if _, err := gh.Git.DeleteRef(ctx, "acme", "config", "heads/x"); err != nil {
		t.Fatal(err)
	}
	pr, _, _ := gh.PullRequests.Get(ctx, "acme", "config", 1)
	if pr.GetState() != "closed" || pr.GetMerged() {
		t.Errorf("pr state %s merged %v", pr.GetState(), pr.GetMerged())
	}
	_, _, err := gh.PullRequests.Edit(ctx, "acme", "config", 1, &github.PullRequest{State: github.Ptr("open")})
	wantStatus(t, err, 422, "branch has been deleted")
}

// TestComparePages: once page or per_page is given GitHub pages a
// comparison's commits oldest first with a Link header and lists the
// changed files on the first page only; without them it answers up to 250
// commits at once.
func TestComparePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	var heads []string
	for i := range 5 {
		heads = append(heads, pushBranch(t, f, "far", "f.yaml", fmt.Sprintf("n: %d\n", i)))
	}
	all, _, err := gh.Repositories.CompareCommits(ctx, "acme", "config", "main", "far", nil)
	if err != nil || len(all.Commits) != 5 || all.Commits[4].GetSHA() != heads[4] || len(all.Files) != 1 {
		t.Fatalf("unpaged compare = %d commits, %d files, %v", len(all.Commits), len(all.Files), err)
	}
	for _, tc := range []struct {
		page, files int
		want        []string
		next        int
	}{
		{1, 1, heads[0:2], 2},
		{2, 0, heads[2:4], 3},
		{3, 0, heads[4:5], 0},
	} {
		page, resp, err := gh.Repositories.CompareCommits(ctx, "acme", "config", "main", "far", &github.ListOptions{PerPage: 2, Page: tc.page})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range page.Commits {
			got = append(got, c.GetSHA())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" || len(page.Files) != tc.files || resp.NextPage != tc.next || page.GetAheadBy() != 5 {
			t.Errorf("page %d: commits (-want +got):\n%s files %d (want %d), next %d (want %d), ahead %d", tc.page, diff, len(page.Files), tc.files, resp.NextPage, tc.next, page.GetAheadBy())
		}
	}
}
