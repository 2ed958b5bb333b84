package ghsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// The tests in this file play what an attacker with write access does and
// check the simulator keeps the evidence GitHub keeps: server times, ids,
// who created an object, the activity log, signatures.

func worldClient(t *testing.T, w *ghsimtest.World, token string) *github.Client {
	t.Helper()
	f := &fixture{url: w.URL}
	return f.client(t, token)
}

func userID(t *testing.T, w *ghsimtest.World, login string) int64 {
	t.Helper()
	u, ok := w.Sim.User(login)
	if !ok {
		t.Fatalf("no user %s", login)
	}
	return u.ID
}

// openPR pushes one commit on branch as login and opens a pull request of
// it into base with login's token.
func openPR(t *testing.T, w *ghsimtest.World, login, branch, base string) *github.PullRequest {
	t.Helper()
	content := "change on " + branch + "\n"
	if _, err := w.Sim.Push(w.Config, branch, login, map[string]*string{"notes/" + branch + ".txt": &content}, "Change "+branch); err != nil {
		t.Fatal(err)
	}
	pr, _, err := worldClient(t, w, w.Token(login)).PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("Change " + branch), Head: github.Ptr(branch), Base: github.Ptr(base)})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

//nolint:paralleltest // the subtests run in order: the last moves the shared clock a day on
func TestActivityLogRecordsServerTimeAndPusher(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	gh := worldClient(t, w, w.Token(ghsimtest.Reader))
	mainBefore := w.Sim.Ref(w.Config, "refs/heads/main")

	// A push whose commit claims 2001 and Baton's identity.
	w.Clock.Advance(time.Hour)
	pushedAt := w.Clock.Now()
	content := "image: ghcr.io/acme/web:6.6.6\n"
	forged := ghsim.Signature{Name: "baton[bot]", Email: "baton[bot]@users.noreply.github.com", When: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
	sha, err := w.Sim.PushCommit(w.Config, "main", ghsimtest.Writer, ghsim.CommitOptions{
		Files: map[string]*string{"env.yaml": &content}, Message: "Bump\n\nBaton-Since: 2001-01-01T00:00:00Z\n", Author: forged, Committer: forged,
	})
	if err != nil {
		t.Fatal(err)
	}
	gc, _, err := gh.Git.GetCommit(ctx, "acme", "config", sha)
	if err != nil {
		t.Fatal(err)
	}
	if got := gc.GetCommitter().GetDate().Time; !got.Equal(forged.When) {
		t.Errorf("committer date = %v, want the pusher's %v", got, forged.When)
	}
	if gc.GetVerification().GetVerified() || gc.GetVerification().GetReason() != "unsigned" {
		t.Errorf("pushed commit verification = %+v, want unsigned", gc.GetVerification())
	}

	// Then a force push back, a branch made and deleted through the API.
	w.Clock.Advance(time.Minute)
	if err := w.Sim.ForcePush(w.Config, "main", ghsimtest.Writer, mainBefore); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Minute)
	writer := worldClient(t, w, w.Token(ghsimtest.Writer))
	if _, _, err := writer.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/tmp", SHA: mainBefore}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Git.DeleteRef(ctx, "acme", "config", "heads/tmp"); err != nil {
		t.Fatal(err)
	}

	all, _, err := gh.Repositories.ListRepositoryActivities(ctx, "acme", "config", &github.ListRepositoryActivityOptions{Direction: "asc", PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Type, Ref, Before, After, Actor string
		ActorID                         int64
		At                              time.Time
	}
	var got []row
	for _, a := range all {
		got = append(got, row{a.ActivityType, a.Ref, a.Before, a.After, a.Actor.GetLogin(), a.Actor.GetID(), a.Timestamp.Time})
	}
	zero := "0000000000000000000000000000000000000000"
	erin := userID(t, w, ghsimtest.Writer)
	seedAt := ghsimtest.DefaultStart
	want := []row{
		{"branch_creation", "refs/heads/main", zero, mainBefore, ghsimtest.Approver2, userID(t, w, ghsimtest.Approver2), seedAt},
		{"push", "refs/heads/main", mainBefore, sha, ghsimtest.Writer, erin, pushedAt},
		{"force_push", "refs/heads/main", sha, mainBefore, ghsimtest.Writer, erin, pushedAt.Add(time.Minute)},
		{"branch_creation", "refs/heads/tmp", zero, mainBefore, ghsimtest.Writer, erin, pushedAt.Add(2 * time.Minute)},
		{"branch_deletion", "refs/heads/tmp", mainBefore, zero, ghsimtest.Writer, erin, pushedAt.Add(2 * time.Minute)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("activity (-want +got):\n%s", diff)
	}

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts github.ListRepositoryActivityOptions
			want int
		}{
			{"type", github.ListRepositoryActivityOptions{ActivityType: "force_push"}, 1},
			{"actor", github.ListRepositoryActivityOptions{Actor: ghsimtest.Approver2}, 1},
			{"short ref", github.ListRepositoryActivityOptions{Ref: "tmp"}, 2},
			{"full ref", github.ListRepositoryActivityOptions{Ref: "refs/heads/main"}, 3},
			{"day", github.ListRepositoryActivityOptions{TimePeriod: "day"}, 5},
		} {
			list, _, err := gh.Repositories.ListRepositoryActivities(ctx, "acme", "config", &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != tc.want {
				t.Errorf("%s: %d entries, want %d", tc.name, len(list), tc.want)
			}
		}
		_, _, err := gh.Repositories.ListRepositoryActivities(ctx, "acme", "config", &github.ListRepositoryActivityOptions{ActivityType: "commit"})
		wantStatus(t, err, 422, "activity_type")
	})

	t.Run("cursor pages, newest first", func(t *testing.T) {
		var ids []int64
		opts := &github.ListRepositoryActivityOptions{PerPage: 2}
		for pages := 0; ; pages++ {
			list, resp, err := gh.Repositories.ListRepositoryActivities(ctx, "acme", "config", opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			if resp.After == "" {
				break
			}
			if pages > 5 {
				t.Fatal("pages never end")
			}
			opts.After = resp.After
		}
		var wantIDs []int64
		for i := len(all) - 1; i >= 0; i-- {
			wantIDs = append(wantIDs, all[i].ID)
		}
		if diff := cmp.Diff(wantIDs, ids); diff != "" {
			t.Errorf("paged ids (-want +got):\n%s", diff)
		}
	})

	t.Run("a day later the day filter drops them", func(t *testing.T) {
		w.Clock.Advance(25 * time.Hour)
		list, _, err := gh.Repositories.ListRepositoryActivities(ctx, "acme", "config", &github.ListRepositoryActivityOptions{TimePeriod: "day"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("day filter kept %d entries, want 0", len(list))
		}
	})
}

func TestMergeIsRecordedAsPRMerge(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{Sim: ghsim.Options{MergeableDelay: -1}})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	w.Clock.Advance(time.Minute)
	res, _, err := worldClient(t, w, w.Token(ghsimtest.Approver)).PullRequests.Merge(ctx, "acme", "config", pr.GetNumber(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := worldClient(t, w, w.Token(ghsimtest.Reader)).Repositories.ListRepositoryActivities(ctx, "acme", "config", &github.ListRepositoryActivityOptions{ActivityType: "pr_merge"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].After != res.GetSHA() || list[0].Actor.GetLogin() != ghsimtest.Approver || !list[0].Timestamp.Time.Equal(w.Clock.Now()) {
		t.Fatalf("pr_merge entries = %+v, want one by %s to %s at %v", list, ghsimtest.Approver, res.GetSHA(), w.Clock.Now())
	}
}

func TestWriterEditsAnApproversComment(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	approver := worldClient(t, w, w.Token(ghsimtest.Approver))
	cm, _, err := approver.Issues.CreateComment(ctx, "acme", "config", pr.GetNumber(), &github.IssueComment{Body: github.Ptr("looks fine")})
	if err != nil {
		t.Fatal(err)
	}
	createdAt := w.Clock.Now()
	w.Clock.Advance(10 * time.Minute)

	edited, _, err := worldClient(t, w, w.Token(ghsimtest.Writer)).Issues.EditComment(ctx, "acme", "config", cm.GetID(), &github.IssueComment{Body: github.Ptr("/approve")})
	if err != nil {
		t.Fatalf("a writer edits another's comment: %v", err)
	}
	type view struct {
		Body, Login      string
		UserID           int64
		Created, Updated time.Time
	}
	got := view{edited.GetBody(), edited.GetUser().GetLogin(), edited.GetUser().GetID(), edited.GetCreatedAt().Time, edited.GetUpdatedAt().Time}
	want := view{"/approve", ghsimtest.Approver, userID(t, w, ghsimtest.Approver), createdAt, createdAt.Add(10 * time.Minute)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("edited comment (-want +got):\n%s", diff)
	}
	_, _, err = worldClient(t, w, w.Token(ghsimtest.Triage)).Issues.EditComment(ctx, "acme", "config", cm.GetID(), &github.IssueComment{Body: github.Ptr("x")})
	wantStatus(t, err, 403, "")
}

// A writer deletes anyone's comment (Baton's own included); a triage user
// cannot; the author can delete their own.
func TestWriterDeletesAnothersComment(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	baton := worldClient(t, w, w.Token(ghsimtest.BatonUser))
	var ids []int64
	for range 2 {
		cm, _, err := baton.Issues.CreateComment(ctx, "acme", "config", pr.GetNumber(), &github.IssueComment{Body: github.Ptr("Superseded.")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cm.GetID())
	}
	_, err := worldClient(t, w, w.Token(ghsimtest.Triage)).Issues.DeleteComment(ctx, "acme", "config", ids[0])
	wantStatus(t, err, 403, "")
	if _, err := worldClient(t, w, w.Token(ghsimtest.Writer)).Issues.DeleteComment(ctx, "acme", "config", ids[0]); err != nil {
		t.Fatalf("a writer deletes Baton's comment: %v", err)
	}
	if _, err := baton.Issues.DeleteComment(ctx, "acme", "config", ids[1]); err != nil {
		t.Fatalf("the author deletes their own comment: %v", err)
	}
	left, _, err := baton.Issues.ListComments(ctx, "acme", "config", pr.GetNumber(), nil)
	if err != nil || len(left) != 0 {
		t.Errorf("comments left: %d, %v", len(left), err)
	}
	_, err = baton.Issues.DeleteComment(ctx, "acme", "config", ids[1])
	wantStatus(t, err, 404, "")
}

func TestReviewsBindToTheirCommitAndCanBeDismissed(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	head := pr.GetHead().GetSHA()
	rv, _, err := worldClient(t, w, w.Token(ghsimtest.Approver)).PullRequests.CreateReview(ctx, "acme", "config", pr.GetNumber(), &github.PullRequestReviewRequest{Event: github.Ptr("APPROVE")})
	if err != nil {
		t.Fatal(err)
	}
	if rv.GetCommitID() != head || !rv.GetSubmittedAt().Time.Equal(w.Clock.Now()) || rv.GetUser().GetID() != userID(t, w, ghsimtest.Approver) {
		t.Errorf("review = commit %s at %v by %d; want %s at %v by %d", rv.GetCommitID(), rv.GetSubmittedAt(), rv.GetUser().GetID(), head, w.Clock.Now(), userID(t, w, ghsimtest.Approver))
	}
	w.Clock.Advance(time.Minute)
	content := "later\n"
	if _, err := w.Sim.Push(w.Config, "baton/production/web", ghsimtest.Writer, map[string]*string{"later.txt": &content}, "later"); err != nil {
		t.Fatal(err)
	}
	reader := worldClient(t, w, w.Token(ghsimtest.Reader))
	list, _, err := reader.PullRequests.ListReviews(ctx, "acme", "config", pr.GetNumber(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].GetCommitID() != head {
		t.Fatalf("after a push the review still names %s: %+v", head, list)
	}

	writer := worldClient(t, w, w.Token(ghsimtest.Writer))
	_, _, err = reader.PullRequests.DismissReview(ctx, "acme", "config", pr.GetNumber(), rv.GetID(), &github.PullRequestReviewDismissalRequest{Message: github.Ptr("no")})
	wantStatus(t, err, 403, "")
	d, _, err := writer.PullRequests.DismissReview(ctx, "acme", "config", pr.GetNumber(), rv.GetID(), &github.PullRequestReviewDismissalRequest{Message: github.Ptr("stale")})
	if err != nil {
		t.Fatal(err)
	}
	if d.GetState() != "DISMISSED" {
		t.Errorf("state = %s, want DISMISSED", d.GetState())
	}
	again, _, err := reader.PullRequests.GetReview(ctx, "acme", "config", pr.GetNumber(), rv.GetID())
	if err != nil || again.GetState() != "DISMISSED" || again.GetCommitID() != head {
		t.Errorf("GetReview after dismissal = %+v, %v", again, err)
	}
	_, _, err = reader.PullRequests.GetReview(ctx, "acme", "config", pr.GetNumber(), 1)
	wantStatus(t, err, 404, "Not Found")
	comment, _, err := worldClient(t, w, w.Token(ghsimtest.Approver)).PullRequests.CreateReview(ctx, "acme", "config", pr.GetNumber(), &github.PullRequestReviewRequest{Event: github.Ptr("COMMENT"), Body: github.Ptr("hm")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = writer.PullRequests.DismissReview(ctx, "acme", "config", pr.GetNumber(), comment.GetID(), &github.PullRequestReviewDismissalRequest{Message: github.Ptr("x")})
	wantStatus(t, err, 422, "")
}

func TestCheckRunsBelongToAnAppAndStatusesToTheirCreator(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true, AppPermissions: map[string]string{"checks": "write"}})
	sha := w.Sim.Ref(w.Config, "refs/heads/main")
	writer := worldClient(t, w, w.Token(ghsimtest.Writer))

	_, _, err := writer.Checks.CreateCheckRun(ctx, "acme", "config", github.CreateCheckRunOptions{Name: "security-scan", HeadSHA: sha, Conclusion: github.Ptr("success")})
	wantStatus(t, err, 403, "You must authenticate via a GitHub App.")

	app := worldClient(t, w, w.InstallationToken())
	run, _, err := app.Checks.CreateCheckRun(ctx, "acme", "config", github.CreateCheckRunOptions{Name: "security-scan", HeadSHA: sha, Status: github.Ptr("completed"), Conclusion: github.Ptr("success")})
	if err != nil {
		t.Fatal(err)
	}
	if run.GetApp().GetID() != w.App.ID || run.GetApp().GetSlug() != ghsimtest.BatonApp || run.GetApp().GetOwner().GetID() == 0 {
		t.Errorf("check run app = %+v, want %s (%d) with an owner", run.GetApp(), ghsimtest.BatonApp, w.App.ID)
	}
	if err := w.Sim.SetCheckRun(w.Config, sha, "security-scan", "completed", "failure"); err != nil {
		t.Fatal(err)
	}
	res, resp, err := writer.Checks.ListCheckRunsForRef(ctx, "acme", "config", "main", &github.ListCheckRunsOptions{ListOptions: github.ListOptions{PerPage: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.GetTotal() != 2 || len(res.CheckRuns) != 1 || resp.NextPage != 2 {
		t.Fatalf("check runs: total %d, page of %d, next %d; want 2, 1, 2", res.GetTotal(), len(res.CheckRuns), resp.NextPage)
	}
	res, _, err = writer.Checks.ListCheckRunsForRef(ctx, "acme", "config", sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	apps := map[string]string{}
	for _, cr := range res.CheckRuns {
		apps[cr.GetApp().GetSlug()] = cr.GetConclusion()
	}
	if diff := cmp.Diff(map[string]string{"baton": "success", "github-actions": "failure"}, apps); diff != "" {
		t.Errorf("same-named runs by app (-want +got):\n%s", diff)
	}

	// Any writer can post a passing status of any name; its creator says who.
	if _, _, err := writer.Repositories.CreateStatus(ctx, "acme", "config", sha, github.RepoStatus{State: github.Ptr("success"), Context: github.Ptr("security-scan")}); err != nil {
		t.Fatal(err)
	}
	combined, _, err := writer.Repositories.GetCombinedStatus(ctx, "acme", "config", sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(combined.Statuses) != 1 || combined.Statuses[0].GetCreator().GetID() != userID(t, w, ghsimtest.Writer) {
		t.Errorf("combined statuses = %+v, want one created by %s", combined.Statuses, ghsimtest.Writer)
	}
}

func TestRenameKeepsTheID(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	id := userID(t, w, ghsimtest.Approver)
	cid, err := w.Sim.AddComment(w.Config, pr.GetNumber(), ghsimtest.Approver, "/approve")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Sim.RenameUser(ghsimtest.Approver, "robert"); err != nil {
		t.Fatal(err)
	}
	gh := worldClient(t, w, w.Token(ghsimtest.Reader))
	_, _, err = gh.Users.Get(ctx, ghsimtest.Approver)
	wantStatus(t, err, 404, "")
	u, _, err := gh.Users.Get(ctx, "robert")
	if err != nil || u.GetID() != id {
		t.Fatalf("robert = %+v, %v; want id %d", u, err, id)
	}
	cm, _, err := gh.Issues.GetComment(ctx, "acme", "config", cid)
	if err != nil || cm.GetUser().GetID() != id || cm.GetUser().GetLogin() != "robert" {
		t.Fatalf("comment author = %+v, %v; want robert %d", cm.GetUser(), err, id)
	}
	perm, _, err := gh.Repositories.GetPermissionLevel(ctx, "acme", "config", "robert")
	if err != nil || perm.GetRoleName() != "write" || perm.GetUser().GetID() != id {
		t.Fatalf("permission of robert = %+v, %v", perm, err)
	}
	m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "sre", "robert")
	if err != nil || m.GetState() != "active" {
		t.Fatalf("team membership of robert = %+v, %v", m, err)
	}
	if err := w.Sim.RenameUser(ghsimtest.Writer, "robert"); err == nil {
		t.Error("renaming onto a taken login succeeded")
	}
}

func TestRetargetingAndHandOpenedPRs(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	writer := worldClient(t, w, w.Token(ghsimtest.Writer))
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	if _, _, err := writer.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/release", SHA: main}); err != nil {
		t.Fatal(err)
	}
	// A writer opens a PR on Baton's branch name, and a second from the
	// same head to another base.
	first := openPR(t, w, ghsimtest.Writer, "baton/staging/web", "main")
	second, _, err := writer.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("t"), Head: github.Ptr("baton/staging/web"), Base: github.Ptr("release")})
	if err != nil {
		t.Fatalf("second PR from the same head to another base: %v", err)
	}
	if second.GetUser().GetLogin() != ghsimtest.Writer || first.GetUser().GetID() != userID(t, w, ghsimtest.Writer) {
		t.Errorf("authors = %s, %d", second.GetUser().GetLogin(), first.GetUser().GetID())
	}
	_, _, err = writer.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("t"), Head: github.Ptr("baton/staging/web"), Base: github.Ptr("main")})
	wantStatus(t, err, 422, "already exists")

	_, _, err = writer.PullRequests.Edit(ctx, "acme", "config", first.GetNumber(), &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.Ptr("nope")}})
	wantStatus(t, err, 422, "nope")
	_, _, err = writer.PullRequests.Edit(ctx, "acme", "config", first.GetNumber(), &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.Ptr("release")}})
	wantStatus(t, err, 422, "already exists")
	if _, _, err := writer.PullRequests.Edit(ctx, "acme", "config", second.GetNumber(), &github.PullRequest{State: github.Ptr("closed")}); err != nil {
		t.Fatal(err)
	}
	moved, _, err := writer.PullRequests.Edit(ctx, "acme", "config", first.GetNumber(), &github.PullRequest{Base: &github.PullRequestBranch{Ref: github.Ptr("release")}})
	if err != nil {
		t.Fatal(err)
	}
	if moved.GetBase().GetRef() != "release" {
		t.Errorf("base = %s, want release", moved.GetBase().GetRef())
	}
}

func TestOnlyAppAPICommitsAreSigned(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true})
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	reader := worldClient(t, w, w.Token(ghsimtest.Reader))
	base, _, err := reader.Git.GetCommit(ctx, "acme", "config", main)
	if err != nil {
		t.Fatal(err)
	}
	bot := &github.CommitAuthor{Name: github.Ptr("baton[bot]"), Email: github.Ptr(w.App.Bot.Email)}
	commit := func(token string, author *github.CommitAuthor) *github.SignatureVerification {
		t.Helper()
		c, _, err := worldClient(t, w, token).Git.CreateCommit(ctx, "acme", "config", github.Commit{Message: github.Ptr("m"), Tree: base.Tree, Parents: []*github.Commit{{SHA: github.Ptr(main)}}, Author: author}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := reader.Git.GetCommit(ctx, "acme", "config", c.GetSHA())
		if err != nil {
			t.Fatal(err)
		}
		return got.GetVerification()
	}
	content := "x\n"
	pushed, err := w.Sim.PushCommit(w.Config, "side", ghsimtest.Writer, ghsim.CommitOptions{Files: map[string]*string{"x": &content}, Message: "m", Author: ghsim.Signature{Name: "baton[bot]", Email: w.App.Bot.Email}})
	if err != nil {
		t.Fatal(err)
	}
	pc, _, err := reader.Git.GetCommit(ctx, "acme", "config", pushed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		got      *github.SignatureVerification
		verified bool
		reason   string
	}{
		{"App, no custom author", commit(w.InstallationToken(), nil), true, "valid"},
		{"App, custom author", commit(w.InstallationToken(), bot), false, "unsigned"},
		{"user token, bot's e-mail", commit(w.Token(ghsimtest.Writer), bot), false, "unsigned"},
		{"pushed, bot's e-mail", pc.GetVerification(), false, "unsigned"},
	} {
		if tc.got.GetVerified() != tc.verified || tc.got.GetReason() != tc.reason {
			t.Errorf("%s: verification %v/%s, want %v/%s", tc.name, tc.got.GetVerified(), tc.got.GetReason(), tc.verified, tc.reason)
		}
	}
}

func TestTriageManagesLabels(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	pr := openPR(t, w, ghsimtest.BatonUser, "baton/production/web", "main")
	if _, _, err := worldClient(t, w, w.Token(ghsimtest.BatonUser)).Issues.AddLabelsToIssue(ctx, "acme", "config", pr.GetNumber(), []string{"baton", "baton:hold"}); err != nil {
		t.Fatal(err)
	}
	triage := worldClient(t, w, w.Token(ghsimtest.Triage))
	if _, err := triage.Issues.RemoveLabelForIssue(ctx, "acme", "config", pr.GetNumber(), "baton:hold"); err != nil {
		t.Fatalf("triage removes a label: %v", err)
	}
	_, _, err := worldClient(t, w, w.Token(ghsimtest.Reader)).Issues.AddLabelsToIssue(ctx, "acme", "config", pr.GetNumber(), []string{"x"})
	wantStatus(t, err, 403, "")
	labels, _, err := triage.Issues.ListLabelsByIssue(ctx, "acme", "config", pr.GetNumber(), nil)
	if err != nil || len(labels) != 1 || labels[0].GetName() != "baton" {
		t.Fatalf("labels = %+v, %v; want baton only", labels, err)
	}
	for _, tc := range []struct{ login, permission, role string }{
		{ghsimtest.Admin, "admin", "admin"},
		{ghsimtest.Writer, "write", "write"},
		{ghsimtest.Triage, "read", "triage"},
		{ghsimtest.Reader, "read", "read"},
	} {
		p, _, err := triage.Repositories.GetPermissionLevel(ctx, "acme", "config", tc.login)
		if err != nil || p.GetPermission() != tc.permission || p.GetRoleName() != tc.role {
			t.Errorf("%s: permission %s role %s (%v); want %s %s", tc.login, p.GetPermission(), p.GetRoleName(), err, tc.permission, tc.role)
		}
	}
}

func TestRandomFaultsReplayFromTheirSeed(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) (statuses []int, slept time.Duration, hits int) {
		w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
		w.Sim.InjectRandom(ghsim.RandomFaults{Seed: seed, Rate: 0.1, Latency: 50 * time.Millisecond, RetryAfter: 2})
		tok := w.Token(ghsimtest.Writer)
		start := w.Clock.Now()
		client := &http.Client{}
		for i := 0; i < 300; i++ {
			req, _ := http.NewRequest(http.MethodGet, w.URL+"/repos/acme/config/git/ref/heads/main", nil)
			req.Header.Set("Authorization", "token "+tok)
			resp, err := client.Do(req)
			if err != nil {
				statuses = append(statuses, 0) // connection reset
				continue
			}
			if resp.StatusCode == http.StatusForbidden && resp.Header.Get("Retry-After") != "2" {
				t.Errorf("403 without Retry-After: %v", resp.Header)
			}
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		return statuses, w.Clock.Now().Sub(start), w.Sim.RandomFaultHits()
	}
	a, slept, hits := run(7)
	b, _, _ := run(7)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
	if slept != 300*50*time.Millisecond {
		t.Errorf("latency charged to the clock = %v, want %v", slept, 300*50*time.Millisecond)
	}
	kinds := map[int]int{}
	for _, s := range a {
		kinds[s]++
	}
	if hits < 15 || hits > 50 || 300-kinds[200] != hits {
		t.Errorf("%d faults in 300 requests (statuses %v), want about 30", hits, kinds)
	}
	if len(kinds) < 4 {
		t.Errorf("fault mix %v, want 5xx, secondary limits and resets", kinds)
	}
}

func TestRandomFaultsLoseAnswersOfWrites(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	w.Sim.InjectRandom(ghsim.RandomFaults{Seed: 1, Rate: 1, Kinds: []ghsim.FaultKind{ghsim.FaultStatusAfter}, Method: "POST"})
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	_, _, err := worldClient(t, w, w.Token(ghsimtest.Writer)).Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/lost", SHA: main})
	if code, _ := status(err); code < 500 {
		t.Fatalf("err = %v, want a 5xx", err)
	}
	if w.Sim.Ref(w.Config, "refs/heads/lost") != main {
		t.Error("the change behind the lost answer was not applied")
	}
}

func TestRateLimitOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		limit int
		want  []int
	}{
		{"configured", 2, []int{200, 200, 403}},
		{"off for benchmarks", ghsim.NoRateLimit, []int{200, 200, 200}},
	} {
		w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{Sim: ghsim.Options{RateLimit: tc.limit}})
		gh := worldClient(t, w, w.Token(ghsimtest.Reader))
		var got []int
		for range 3 {
			_, resp, _ := gh.Repositories.Get(ctx, "acme", "config")
			got = append(got, resp.StatusCode)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestRepeatedAfter4xx(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	gh := worldClient(t, w, w.Token(ghsimtest.Writer))
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	for range 2 {
		_, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/main", SHA: main})
		wantStatus(t, err, 422, "Reference already exists")
	}
	rep := w.Sim.RepeatedAfter4xx()
	if len(rep) != 1 || rep[0].Route != "POST /repos/{owner}/{repo}/git/refs" {
		t.Fatalf("repeated = %+v, want the second POST git/refs", rep)
	}
	if n := w.Sim.CountRoute("POST /repos/{owner}/{repo}/git/refs"); n != 2 {
		t.Errorf("CountRoute = %d, want 2", n)
	}
	// A change in between can make the same request succeed: not counted.
	w.Sim.ResetLog()
	_, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main})
	wantStatus(t, err, 422, "")
	if _, err := gh.Git.DeleteRef(ctx, "acme", "config", "heads/x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: main}); err != nil {
		t.Fatal(err)
	}
	if rep := w.Sim.RepeatedAfter4xx(); len(rep) != 0 {
		t.Errorf("repeated after a change = %+v, want none", rep)
	}
}

func TestCombinedStatusPages(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	sha := w.Sim.Ref(w.Config, "refs/heads/main")
	for _, name := range []string{"a", "b", "c"} {
		if err := w.Sim.SetStatus(w.Config, sha, name, "success", ghsimtest.CI); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Sim.SetStatus(w.Config, sha, "b", "failure", ghsimtest.Writer); err != nil {
		t.Fatal(err)
	}
	gh := worldClient(t, w, w.Token(ghsimtest.Reader))
	var contexts []string
	opts := &github.ListOptions{PerPage: 2}
	for {
		cs, resp, err := gh.Repositories.GetCombinedStatus(ctx, "acme", "config", sha, opts)
		if err != nil {
			t.Fatal(err)
		}
		if cs.GetTotalCount() != 3 || cs.GetState() != "failure" {
			t.Errorf("total %d state %s, want 3 failure", cs.GetTotalCount(), cs.GetState())
		}
		for _, st := range cs.Statuses {
			contexts = append(contexts, st.GetContext()+"/"+st.GetCreator().GetLogin())
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if diff := cmp.Diff([]string{"a/ci", "b/erin", "c/ci"}, contexts); diff != "" {
		t.Errorf("statuses over pages (-want +got):\n%s", diff)
	}
}
