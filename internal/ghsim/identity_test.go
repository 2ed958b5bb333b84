package ghsim_test

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/ghsim"
)

func TestCommentsReactionsLabels(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	pushBranch(t, f, "x", "README.md", "x\n")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("x"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetPermission("acme/config", "carol", "read"); err != nil {
		t.Fatal(err)
	}
	carol := f.client(t, f.sim.Token("carol"))
	c, _, err := carol.Issues.CreateComment(ctx, "acme", "config", 1, &github.IssueComment{Body: github.Ptr("/approve")})
	if err != nil || c.GetUser().GetLogin() != "carol" || c.GetAuthorAssociation() != "COLLABORATOR" {
		t.Fatalf("comment = %+v, %v", c, err)
	}
	re, resp, err := gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "config", c.GetID(), "eyes")
	if err != nil || resp.StatusCode != 201 || re.GetContent() != "eyes" {
		t.Fatalf("reaction = %+v %v", re, err)
	}
	_, resp, err = gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "config", c.GetID(), "eyes")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("repeated reaction: %v %v", resp.StatusCode, err)
	}
	_, _, err = gh.Reactions.CreateIssueCommentReaction(ctx, "acme", "config", c.GetID(), "party")
	wantStatus(t, err, 422, "content invalid")
	// Only the author or a writer edits a comment.
	if err := f.sim.SetPermission("acme/config", "dave", "read"); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.client(t, f.sim.Token("dave")).Issues.EditComment(ctx, "acme", "config", c.GetID(), &github.IssueComment{Body: github.Ptr("/hold")})
	wantStatus(t, err, 403, "")
	if _, _, err := carol.Issues.EditComment(ctx, "acme", "config", c.GetID(), &github.IssueComment{Body: github.Ptr("/approve\nedited")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := gh.Issues.GetComment(ctx, "acme", "config", c.GetID())
	if err != nil || got.GetBody() != "/approve\nedited" || got.GetReactions().GetEyes() != 1 {
		t.Errorf("comment = %+v, %v", got, err)
	}
	labels, _, err := gh.Issues.AddLabelsToIssue(ctx, "acme", "config", 1, []string{"baton", "env:staging"})
	if err != nil || len(labels) != 2 || labels[1].GetName() != "env:staging" {
		t.Fatalf("labels = %v, %v", labels, err)
	}
	_, _, err = carol.Issues.AddLabelsToIssue(ctx, "acme", "config", 1, []string{"x"})
	wantStatus(t, err, 403, "")
	issue, _, err := gh.Issues.Get(ctx, "acme", "config", 1)
	if err != nil || !issue.IsPullRequest() || len(issue.Labels) != 2 || issue.GetComments() != 1 {
		t.Errorf("issue = %+v, %v", issue, err)
	}
	if got := f.sim.Comments("acme/config", 1); len(got) != 1 || got[0].User.Login != "carol" {
		t.Errorf("sim comments = %+v", got)
	}
}

func TestPermissionsAndTeams(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	for login, role := range map[string]string{"bob": "write", "carol": "read", "erin": "maintain", "tri": "triage"} {
		if err := f.sim.SetPermission("acme/config", login, role); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.sim.SetCustomRole("acme/config", "dee", "deployer", "maintain"); err != nil {
		t.Fatal(err)
	}
	if err := f.sim.SetCustomRole("acme/config", "dee", "admin", "write"); err == nil {
		t.Error("a custom role named admin was accepted")
	}
	f.sim.AddUser("outsider")
	// A custom role shows its own name in role_name and its base role's
	// legacy name in permission.
	for _, tc := range []struct{ login, perm, role string }{
		{"alice", "admin", "admin"}, {"bob", "write", "write"}, {"erin", "write", "maintain"},
		{"tri", "read", "triage"}, {"carol", "read", "read"}, {"outsider", "none", "none"},
		{"dee", "write", "deployer"},
	} {
		p, _, err := gh.Repositories.GetPermissionLevel(ctx, "acme", "config", tc.login)
		if err != nil || p.GetPermission() != tc.perm || p.GetRoleName() != tc.role || p.GetUser().GetLogin() != tc.login {
			t.Errorf("%s: %+v, %v; want %s/%s", tc.login, p, err, tc.perm, tc.role)
		}
	}
	_, _, err := gh.Repositories.GetPermissionLevel(ctx, "acme", "config", "ghost")
	wantStatus(t, err, 404, "ghost is not a user")

	f.sim.AddTeam("acme", "sre", "bob")
	f.sim.SetTeamMember("acme", "sre", "carol", "member", "pending")
	m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "sre", "bob")
	if err != nil || m.GetState() != "active" || m.GetRole() != "member" {
		t.Errorf("bob membership = %+v, %v", m, err)
	}
	m, _, err = gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "sre", "carol")
	if err != nil || m.GetState() != "pending" {
		t.Errorf("carol membership = %+v, %v", m, err)
	}
	_, _, err = gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "sre", "erin")
	wantStatus(t, err, 404, "Not Found")

	// Writes without permission are refused with 403.
	_, _, err = f.client(t, f.sim.Token("carol")).Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/x", SHA: f.sim.Ref("acme/config", "refs/heads/main")})
	wantStatus(t, err, 403, "Resource not accessible")
}

func TestStatusesAndCheckRuns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	sha := f.sim.Ref("acme/config", "refs/heads/main")
	st, _, err := gh.Repositories.GetCombinedStatus(ctx, "acme", "config", sha, nil)
	if err != nil || st.GetState() != "pending" || st.GetTotalCount() != 0 {
		t.Fatalf("empty combined = %+v, %v", st, err)
	}
	for _, s := range []string{"pending", "success"} {
		if _, _, err := gh.Repositories.CreateStatus(ctx, "acme", "config", sha, github.RepoStatus{State: github.Ptr(s), Context: github.Ptr("ci/validate")}); err != nil {
			t.Fatal(err)
		}
	}
	st, _, _ = gh.Repositories.GetCombinedStatus(ctx, "acme", "config", "main", nil)
	if st.GetState() != "success" || st.GetTotalCount() != 1 {
		t.Errorf("combined = %s (%d)", st.GetState(), st.GetTotalCount())
	}
	if _, _, err := gh.Repositories.CreateStatus(ctx, "acme", "config", sha, github.RepoStatus{State: github.Ptr("failure"), Context: github.Ptr("ci/lint")}); err != nil {
		t.Fatal(err)
	}
	st, _, _ = gh.Repositories.GetCombinedStatus(ctx, "acme", "config", sha, nil)
	if st.GetState() != "failure" || st.GetTotalCount() != 2 {
		t.Errorf("combined = %s (%d)", st.GetState(), st.GetTotalCount())
	}
	_, _, err = gh.Repositories.CreateStatus(ctx, "acme", "config", sha, github.RepoStatus{State: github.Ptr("great")})
	wantStatus(t, err, 422, "State is not included in the list")
	if err := f.sim.SetCheckRun("acme/config", sha, "kubeconform", "in_progress", ""); err != nil {
		t.Fatal(err)
	}
	runs, _, err := gh.Checks.ListCheckRunsForRef(ctx, "acme", "config", sha, nil)
	if err != nil || runs.GetTotal() != 1 || runs.CheckRuns[0].GetStatus() != "in_progress" || runs.CheckRuns[0].Conclusion != nil {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
	if err := f.sim.SetCheckRun("acme/config", sha, "kubeconform", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	runs, _, _ = gh.Checks.ListCheckRunsForRef(ctx, "acme", "config", sha, nil)
	if runs.CheckRuns[0].GetConclusion() != "success" {
		t.Errorf("conclusion = %s", runs.CheckRuns[0].GetConclusion())
	}
}

func TestReleases(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	sha := f.sim.Ref("acme/config", "refs/heads/main")
	rel, _, err := gh.Repositories.CreateRelease(ctx, "acme", "config", &github.RepositoryRelease{
		TagName: github.Ptr("v20261126053858"), TargetCommitish: github.Ptr(sha), Name: github.Ptr("staging: web 1.5.0"), Body: github.Ptr("notes"), MakeLatest: github.Ptr("false"),
	})
	if err != nil || rel.GetTagName() != "v20261126053858" || rel.GetAuthor().GetLogin() != "alice" {
		t.Fatalf("release = %+v, %v", rel, err)
	}
	if got := f.sim.Ref("acme/config", "refs/tags/v20261126053858"); got != sha {
		t.Errorf("tag ref = %s, want %s", got, sha)
	}
	_, _, err = gh.Repositories.CreateRelease(ctx, "acme", "config", &github.RepositoryRelease{TagName: github.Ptr("v20261126053858")})
	wantStatus(t, err, 422, "Validation Failed: tag_name already_exists")
	_, _, err = gh.Repositories.GetLatestRelease(ctx, "acme", "config")
	wantStatus(t, err, 404, "Not Found")
	f.clock.Advance(time.Minute)
	if _, _, err := gh.Repositories.CreateRelease(ctx, "acme", "config", &github.RepositoryRelease{TagName: github.Ptr("v20261126053958"), MakeLatest: github.Ptr("true")}); err != nil {
		t.Fatal(err)
	}
	latest, _, err := gh.Repositories.GetLatestRelease(ctx, "acme", "config")
	if err != nil || latest.GetTagName() != "v20261126053958" {
		t.Errorf("latest = %v, %v", latest.GetTagName(), err)
	}
	byTag, _, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "config", "v20261126053858")
	if err != nil || byTag.GetName() != "staging: web 1.5.0" {
		t.Errorf("by tag = %+v, %v", byTag, err)
	}
	list, _, err := gh.Repositories.ListReleases(ctx, "acme", "config", nil)
	if err != nil || len(list) != 2 || list[0].GetTagName() != "v20261126053958" {
		t.Errorf("list = %v, %v", list, err)
	}
}

func TestAppAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	f.clock.Set(time.Now()) // ghinstallation signs JWTs with the real clock
	app, err := f.sim.AddApp("baton")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sim.CreateRepo("acme/other", ghsim.RepoOptions{Private: true, Files: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	f.sim.Install(app, "acme", "acme/config")

	atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, app.ID, app.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	atr.BaseURL = f.url
	appClient, err := github.NewClient(github.WithHTTPClient(&http.Client{Transport: atr}), github.WithURLs(github.Ptr(f.url+"/"), nil))
	if err != nil {
		t.Fatal(err)
	}
	inst, _, err := appClient.Apps.GetRepositoryInstallation(ctx, "acme", "config")
	if err != nil || inst.GetAppSlug() != "baton" {
		t.Fatalf("installation = %+v, %v", inst, err)
	}
	_, _, err = appClient.Apps.GetRepositoryInstallation(ctx, "acme", "other")
	wantStatus(t, err, 404, "Not Found")

	itr := ghinstallation.NewFromAppsTransport(atr, inst.GetID())
	itr.BaseURL = f.url
	gh, err := github.NewClient(github.WithHTTPClient(&http.Client{Transport: itr}), github.WithURLs(github.Ptr(f.url+"/"), nil))
	if err != nil {
		t.Fatal(err)
	}
	main := f.sim.Ref("acme/config", "refs/heads/main")
	pc, _, err := gh.Git.GetCommit(ctx, "acme", "config", main)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := gh.Git.CreateCommit(ctx, "acme", "config", github.Commit{Message: github.Ptr("bot commit"), Tree: pc.Tree, Parents: []*github.Commit{{SHA: github.Ptr(main)}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.GetVerification().GetVerified() || c.GetAuthor().GetName() != "baton[bot]" || c.GetCommitter().GetName() != "GitHub" {
		t.Errorf("app commit verified=%v author=%s committer=%s", c.GetVerification().GetVerified(), c.GetAuthor().GetName(), c.GetCommitter().GetName())
	}
	// A custom author is not signed.
	c2, _, err := gh.Git.CreateCommit(ctx, "acme", "config", github.Commit{Message: github.Ptr("x"), Tree: pc.Tree, Author: &github.CommitAuthor{Name: github.Ptr("x"), Email: github.Ptr("x@example.com")}}, nil)
	if err != nil || c2.GetVerification().GetVerified() {
		t.Errorf("custom author commit verified = %v, %v", c2.GetVerification().GetVerified(), err)
	}
	// The installation does not cover acme/other: 404.
	_, _, err = gh.Repositories.Get(ctx, "acme", "other")
	wantStatus(t, err, 404, "Not Found")
	// An installation token cannot read /user.
	_, _, err = gh.Users.Get(ctx, "")
	wantStatus(t, err, 403, "Resource not accessible by integration")

	// Tokens expire after an hour (ghinstallation refreshes them).
	resp, err := appClient.Client().Post(f.url+"/app/installations/"+strconv.FormatInt(inst.GetID(), 10)+"/access_tokens", "application/json", strings.NewReader(`{"repositories":["config"]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"repository_selection":"selected"`) {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	tok := strings.Split(strings.Split(string(body), `"token":"`)[1], `"`)[0]
	raw := f.client(t, tok)
	if _, _, err := raw.Repositories.Get(ctx, "acme", "config"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(61 * time.Minute)
	_, _, err = raw.Repositories.Get(ctx, "acme", "config")
	wantStatus(t, err, 401, "Bad credentials")

	// A JWT signed by another key is refused.
	other, err := f.sim.AddApp("other")
	if err != nil {
		t.Fatal(err)
	}
	forged, err := ghinstallation.NewAppsTransport(http.DefaultTransport, app.ID, other.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	forged.BaseURL = f.url
	fc, _ := github.NewClient(github.WithHTTPClient(&http.Client{Transport: forged}), github.WithURLs(github.Ptr(f.url+"/"), nil))
	_, _, err = fc.Apps.Get(ctx, "")
	wantStatus(t, err, 401, "A JSON web token could not be decoded")
}

func TestPaginationAndRateLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{RateLimit: 50})
	gh := f.client(t, f.admin)
	pushBranch(t, f, "x", "README.md", "x\n")
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Title: github.Ptr("x"), Head: github.Ptr("x"), Base: github.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if _, err := f.sim.AddComment("acme/config", 1, "bob", "comment "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	var all []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 10}}
	pages := 0
	for {
		cs, resp, err := gh.Issues.ListComments(ctx, "acme", "config", 1, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if pages == 1 && (resp.LastPage != 3 || resp.NextPage != 2) {
			t.Errorf("first page: last=%d next=%d", resp.LastPage, resp.NextPage)
		}
		if resp.Rate.Limit != 50 || resp.Rate.Remaining >= 50 {
			t.Errorf("rate = %+v", resp.Rate)
		}
		all = append(all, cs...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(all) != 25 || pages != 3 || all[24].GetBody() != "comment 24" {
		t.Errorf("got %d comments in %d pages", len(all), pages)
	}

	f.sim.ExhaustRateLimit("alice", time.Hour)
	_, _, err := gh.Repositories.Get(ctx, "acme", "config")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Remaining != 0 {
		t.Fatalf("err = %v; want a RateLimitError", err)
	}
}
