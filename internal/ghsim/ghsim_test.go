package ghsim_test

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// fixture is a ghsimtest World shaped for the simulator's own tests:
// acme/config holding one-line manifests and a README, alice its one
// collaborator (an admin), no team, and the app repository acme/web.
type fixture struct {
	sim   *ghsim.Sim
	url   string
	admin string // token of alice, admin of acme/config
	clock *ghsimtest.Clock
}

// newFixture serves a fixture on the simulator options opts (the World's
// clock unless opts name one).
func newFixture(t *testing.T, opts ghsim.Options) *fixture {
	t.Helper()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		StagingManifest: "image: ghcr.io/acme/web:1.4.0\n", ConfigFiles: map[string]string{"README.md": "config\n"},
		NoDefaultPeople: true, Roles: map[string]string{"alice": "admin"},
		Sim: opts,
	})
	return &fixture{sim: w.Sim, url: w.URL, admin: w.Token("alice"), clock: w.Clock}
}

func (f *fixture) client(t *testing.T, token string) *github.Client {
	t.Helper()
	opts := []github.ClientOptionsFunc{github.WithURLs(github.Ptr(f.url+"/"), github.Ptr(f.url+"/"))}
	if token != "" {
		opts = append(opts, github.WithAuthToken(token))
	}
	c, err := github.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// status returns the HTTP status and message of a go-github error.
func status(err error) (int, string) {
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		msg := er.Message
		if len(er.Errors) > 0 {
			if er.Errors[0].Message != "" {
				msg += ": " + er.Errors[0].Message
			} else {
				msg += ": " + er.Errors[0].Field + " " + er.Errors[0].Code
			}
		}
		return er.Response.StatusCode, msg
	}
	return 0, ""
}

func wantStatus(t *testing.T, err error, code int, msg string) {
	t.Helper()
	gotCode, gotMsg := status(err)
	if gotCode != code || !strings.Contains(gotMsg, msg) {
		t.Fatalf("error = %v (%d %q); want %d %q", err, gotCode, gotMsg, code, msg)
	}
}

var ctx = context.Background()

func TestRepositoryAndContents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	repo, _, err := gh.Repositories.Get(ctx, "acme", "config")
	if err != nil {
		t.Fatal(err)
	}
	if repo.GetDefaultBranch() != "main" || !repo.GetPrivate() || !repo.GetPermissions().GetAdmin() {
		t.Errorf("repo = %+v", repo)
	}
	fc, dir, _, err := gh.Repositories.GetContents(ctx, "acme", "config", "environments/staging/web-deployment.yaml", &github.RepositoryContentGetOptions{Ref: "main"})
	if err != nil || dir != nil {
		t.Fatal(err)
	}
	content, err := fc.GetContent()
	if err != nil || content != "image: ghcr.io/acme/web:1.4.0\n" {
		t.Errorf("content = %q, %v", content, err)
	}
	_, dir, _, err = gh.Repositories.GetContents(ctx, "acme", "config", "environments", nil)
	if err != nil || len(dir) != 2 || dir[0].GetName() != "production" || dir[0].GetType() != "dir" {
		t.Fatalf("dir = %v, %v", dir, err)
	}
	_, _, _, err = gh.Repositories.GetContents(ctx, "acme", "config", "nope.yaml", nil)
	wantStatus(t, err, 404, "Not Found")

	// A private repository is invisible to a stranger and to anonymous
	// callers: 404, not 403.
	_, _, err = f.client(t, f.sim.Token("mallory")).Repositories.Get(ctx, "acme", "config")
	wantStatus(t, err, 404, "Not Found")
	_, _, err = f.client(t, "").Repositories.Get(ctx, "acme", "config")
	wantStatus(t, err, 404, "Not Found")
	_, _, err = f.client(t, "ghp_unknown").Repositories.Get(ctx, "acme", "config")
	wantStatus(t, err, 401, "Bad credentials")
}

func TestGitDataAPIWithRealObjectIDs(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed")
	}
	dir := t.TempDir()
	f := newFixture(t, ghsim.Options{DataDir: dir})
	gh := f.client(t, f.admin)
	main, _, err := gh.Git.GetRef(ctx, "acme", "config", "heads/main")
	if err != nil {
		t.Fatal(err)
	}
	parent := main.GetObject().GetSHA()
	pc, _, err := gh.Git.GetCommit(ctx, "acme", "config", parent)
	if err != nil {
		t.Fatal(err)
	}
	blob, _, err := gh.Git.CreateBlob(ctx, "acme", "config", github.Blob{Content: github.Ptr("aGVsbG8K"), Encoding: github.Ptr("base64")})
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := gh.Git.CreateTree(ctx, "acme", "config", pc.GetTree().GetSHA(), []*github.TreeEntry{
		{Path: github.Ptr("environments/staging/web-deployment.yaml"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("image: ghcr.io/acme/web:1.5.0\n")},
		{Path: github.Ptr("hello.txt"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), SHA: blob.SHA},
		{Path: github.Ptr("README.md"), Mode: github.Ptr("100644"), Type: github.Ptr("blob")}, // deletes
	})
	if err != nil {
		t.Fatal(err)
	}
	commit, _, err := gh.Git.CreateCommit(ctx, "acme", "config", github.Commit{
		Message: github.Ptr("chore(staging): bump web to 1.5.0"), Tree: &github.Tree{SHA: tree.SHA},
		Parents: []*github.Commit{{SHA: github.Ptr(parent)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/baton/staging/web", SHA: commit.GetSHA()}); err != nil {
		t.Fatal(err)
	}

	// The git CLI reads the same objects under the same ids.
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"--git-dir=" + f.sim.GitDir("acme/config")}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := git("rev-parse", "refs/heads/baton/staging/web"); got != commit.GetSHA() {
		t.Errorf("git rev-parse = %s, API = %s", got, commit.GetSHA())
	}
	if got := git("rev-parse", commit.GetSHA()+"^{tree}"); got != tree.GetSHA() {
		t.Errorf("tree: git %s, API %s", got, tree.GetSHA())
	}
	if got := git("hash-object", "--stdin", "-w", "--no-filters", "/dev/null"); got == "" {
		t.Error("hash-object printed nothing")
	}
	if got := git("cat-file", "-p", blob.GetSHA()); got != "hello" {
		t.Errorf("blob = %q", got)
	}
	if got := git("ls-tree", "-r", "--name-only", commit.GetSHA()); got != "environments/production/web-deployment.yaml\nenvironments/staging/web-deployment.yaml\nhello.txt" {
		t.Errorf("ls-tree = %q", got)
	}
	if got := git("log", "--format=%s", "baton/staging/web"); got != "chore(staging): bump web to 1.5.0\nSeed the config repo" { // the World's seed commit
		t.Errorf("log = %q", got)
	}
	if got := git("fsck", "--strict"); strings.Contains(got, "error") {
		t.Errorf("fsck: %s", got)
	}

	// Ref errors as GitHub words them.
	_, _, err = gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/heads/baton/staging/web", SHA: parent})
	wantStatus(t, err, 422, "Reference already exists")
	_, _, err = gh.Git.UpdateRef(ctx, "acme", "config", "heads/main", github.UpdateRef{SHA: strings.Repeat("0", 40)})
	wantStatus(t, err, 422, "Object does not exist")
	_, _, err = gh.Git.UpdateRef(ctx, "acme", "config", "heads/baton/staging/web", github.UpdateRef{SHA: parent})
	wantStatus(t, err, 422, "Update is not a fast forward")
	if _, _, err := gh.Git.UpdateRef(ctx, "acme", "config", "heads/baton/staging/web", github.UpdateRef{SHA: parent, Force: github.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got := git("rev-parse", "baton/staging/web"); got != parent {
		t.Errorf("after force update: %s", got)
	}
	refs, _, err := gh.Git.ListMatchingRefs(ctx, "acme", "config", "heads/baton/")
	if err != nil || len(refs) != 1 || refs[0].GetRef() != "refs/heads/baton/staging/web" {
		t.Fatalf("matching refs = %v, %v", refs, err)
	}
	if _, err := gh.Git.DeleteRef(ctx, "acme", "config", "heads/baton/staging/web"); err != nil {
		t.Fatal(err)
	}
	_, err = gh.Git.DeleteRef(ctx, "acme", "config", "heads/baton/staging/web")
	wantStatus(t, err, 422, "Reference does not exist")
	_, _, err = gh.Git.GetRef(ctx, "acme", "config", "heads/baton/staging/web")
	wantStatus(t, err, 404, "Not Found")
	_, _, err = gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/x", SHA: parent})
	wantStatus(t, err, 422, "is not a valid ref name")

	// Annotated tags.
	tag, _, err := gh.Git.CreateTag(ctx, "acme", "config", github.CreateTag{Tag: "v20261126053858", Message: "release", Object: parent, Type: "commit"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.CreateRef(ctx, "acme", "config", github.CreateRef{Ref: "refs/tags/v20261126053858", SHA: tag.GetSHA()}); err != nil {
		t.Fatal(err)
	}
	if got := git("cat-file", "-t", "v20261126053858"); got != "tag" {
		t.Errorf("tag type = %q", got)
	}
	if got := git("rev-parse", "v20261126053858^{commit}"); got != parent {
		t.Errorf("tag peels to %s", got)
	}
}

func TestValidationAndParsingErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	req, _ := http.NewRequest(http.MethodPost, f.url+"/repos/acme/config/git/refs", strings.NewReader("{not json"))
	req.Header.Set("Authorization", "token "+f.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad JSON: %d", resp.StatusCode)
	}
	gh := f.client(t, f.admin)
	_, _, err = gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Head: github.Ptr("main"), Base: github.Ptr("main")})
	wantStatus(t, err, 422, "Validation Failed: title missing_field")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Errors[0].Resource != "PullRequest" || er.Errors[0].Field != "title" {
		t.Errorf("errors = %+v", er)
	}
	_, _, err = gh.PullRequests.Create(ctx, "acme", "config", &github.NewPullRequest{Base: github.Ptr("main")})
	if !errors.As(err, &er) || len(er.Errors) != 2 || er.Errors[0].Field != "title" || er.Errors[1].Field != "head" {
		t.Errorf("every missing field is listed: %+v", er)
	}
	_, _, err = gh.Git.CreateBlob(ctx, "acme", "config", github.Blob{Encoding: github.Ptr("utf-8")})
	wantStatus(t, err, 422, "content missing_field")
	_, _, err = gh.Git.CreateCommit(ctx, "acme", "config", github.Commit{Message: github.Ptr("x"), Tree: &github.Tree{SHA: github.Ptr(strings.Repeat("1", 40))}}, nil)
	wantStatus(t, err, 422, "Tree SHA does not exist")
}

func TestRequestLogCountsCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	f.sim.ResetLog()
	if _, _, err := gh.Git.GetRef(ctx, "acme", "config", "heads/main"); err != nil {
		t.Fatal(err)
	}
	_, _, err := gh.Git.GetRef(ctx, "acme", "config", "heads/nope")
	wantStatus(t, err, 404, "Not Found")
	got := f.sim.Requests()
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" // SHA-256 of no body
	for i := range got {
		got[i].Time = time.Time{}
		if got[i].BodyHash != empty {
			t.Errorf("request %d: body hash %s, want the empty body's", i, got[i].BodyHash)
		}
		got[i].BodyHash = ""
	}
	want := []ghsim.Request{
		{Method: "GET", Path: "/repos/acme/config/git/ref/heads/main", Route: "GET /repos/{owner}/{repo}/git/ref/{ref...}", Status: 200, Identity: "alice"},
		{Method: "GET", Path: "/repos/acme/config/git/ref/heads/nope", Route: "GET /repos/{owner}/{repo}/git/ref/{ref...}", Status: 404, Identity: "alice"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
}

func TestTreeRulesAndBranches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, ghsim.Options{})
	gh := f.client(t, f.admin)
	br, _, err := gh.Repositories.GetBranch(ctx, "acme", "config", "main", 0)
	if err != nil {
		t.Fatal(err)
	}
	head := br.GetCommit().GetSHA()
	tree := br.GetCommit().GetCommit().GetTree().GetSHA()
	if head != f.sim.Ref("acme/config", "refs/heads/main") || len(tree) != 40 {
		t.Fatalf("branch = %s tree %s", head, tree)
	}
	entry := []*github.TreeEntry{{Path: github.Ptr("x"), Mode: github.Ptr("100644"), Type: github.Ptr("blob"), Content: github.Ptr("x")}}
	_, _, err = gh.Git.CreateTree(ctx, "acme", "config", head, entry)
	wantStatus(t, err, 422, "base_tree is not a valid tree oid")
	_, _, err = gh.Git.CreateTree(ctx, "acme", "config", tree, []*github.TreeEntry{{Path: github.Ptr("missing.yaml"), Mode: github.Ptr("100644"), Type: github.Ptr("blob")}})
	wantStatus(t, err, 422, "GitRPC::BadObjectState")
	if _, _, err := gh.Repositories.GetBranch(ctx, "acme", "config", "nope", 0); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing branch: %v", err)
	}
	if _, _, err := gh.Git.CreateTree(ctx, "acme", "config", tree, entry); err != nil {
		t.Fatal(err)
	}
}
