package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
)

const sha1 = "1111111111111111111111111111111111111111"

func TestActionNewPRRerunSupersedeDowngrade(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	in := map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web", "tag": "1.5.0"}

	w.sim.ResetLog()
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	want := map[string]string{"tag": "1.5.0", "image": "ghcr.io/acme/web:1.5.0", "env": "staging", "changed": "true", "pr-number": "1", "pr-url": w.url + "/acme/config/pull/1"}
	for k, v := range want {
		if r.Outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, r.Outputs[k], v)
		}
	}
	if !strings.Contains(r.Summary, "| `web` | `staging` | `1.4.0` | `1.5.0` | [#1]("+w.url+"/acme/config/pull/1) | created |") {
		t.Errorf("summary:\n%s", r.Summary)
	}
	if !strings.Contains(r.Stdout, "::notice::web 1.4.0 → 1.5.0 in staging: pull request #1 created") {
		t.Errorf("stdout:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stdout, "::add-mask::"+w.token) || strings.Count(r.Stdout, w.token) != 1 {
		t.Errorf("token not masked exactly once:\n%s", r.Stdout)
	}
	// Who triggered the build, by login and by id, in the commit's
	// record: the workflow run's actor as GitHub shows it (not
	// GITHUB_ACTOR_ID, which whoever runs the job can set).
	alice, _ := w.sim.User("alice")
	log, err := w.sim.Log("acme/config", "refs/heads/baton/staging/web")
	if err != nil || len(log) == 0 || !strings.Contains(log[0].Message, fmt.Sprintf("\nBaton-Actor: alice\nBaton-Actor-ID: %d\n", alice.ID)) {
		t.Errorf("the record lacks the actor's login and id: %v\n%+v", err, log)
	}
	n := 0
	for _, q := range w.sim.Requests() {
		if strings.HasPrefix(q.Path, "/repos/acme/config") {
			n++
		}
	}
	t.Logf("new bump through the binary: %d config-repo requests, %d in all", n, len(w.sim.Requests()))
	if n > 10 { // budget_test.go measures each operation; the seed layout asks GET /repos for the default branch
		t.Errorf("new bump took %d requests to the config repo", n)
	}

	// Idempotent re-run.
	r = w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
	if r.Code != 0 || r.Outputs["changed"] != "false" || r.Outputs["pr-number"] != "1" {
		t.Fatalf("re-run: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}

	// A newer build supersedes the PR in place.
	in["tag"] = "1.6.0"
	r = w.action(t, "push", pushPayload(t, "refs/heads/develop", "2222222222222222222222222222222222222222"), in, nil)
	if r.Code != 0 || r.Outputs["changed"] != "true" || r.Outputs["pr-number"] != "1" {
		t.Fatalf("supersede: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	if prs := w.sim.PullRequests("acme/config"); len(prs) != 1 || !strings.Contains(prs[0].Title, "1.6.0") {
		t.Fatalf("PRs after supersede: %+v", prs)
	}

	// An older one is refused with a notice, exit 0.
	in["tag"] = "1.5.5"
	r = w.action(t, "push", pushPayload(t, "refs/heads/develop", "3333333333333333333333333333333333333333"), in, nil)
	if r.Code != 0 || r.Outputs["changed"] != "false" || !strings.Contains(r.Stdout, "::notice::refusing to downgrade from 1.6.0 to 1.5.5") {
		t.Fatalf("downgrade: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}

	// main → production is its own PR.
	in["tag"] = "1.6.0"
	r = w.action(t, "push", pushPayload(t, "refs/heads/main", "2222222222222222222222222222222222222222"), in, nil)
	if r.Code != 0 || r.Outputs["env"] != "production" || r.Outputs["pr-number"] != "2" {
		t.Fatalf("production: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
}

func TestActionDigestAndTagStrategy(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	digest := "sha256:" + strings.Repeat("e", 64)
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", "abcdef0123456789abcdef0123456789abcdef01"),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web", "tag-strategy": "sha", "digest": digest}, nil)
	if r.Code != 0 || r.Outputs["tag"] != "sha-abcdef0" || r.Outputs["image"] != "ghcr.io/acme/web:sha-abcdef0@"+digest {
		t.Fatalf("exit %d outputs %v\n%s%s", r.Code, r.Outputs, r.Stdout, r.Stderr)
	}
	got, err := w.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
	if err != nil || !strings.Contains(got, "image: ghcr.io/acme/web:sha-abcdef0@"+digest+"   # bumped by Baton") {
		t.Errorf("file:\n%s", got)
	}
}

func TestActionUnknownRefAndBadPolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	in := map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"}
	r := w.action(t, "push", pushPayload(t, "refs/heads/feature/login", sha1), in, nil)
	if r.Code != 0 || r.Outputs["changed"] != "false" || r.Outputs["pr-number"] != "" || !strings.Contains(r.Stdout, "::notice::no environment for this ref: refs/heads/feature/login matches no branches:/tags: glob") {
		t.Fatalf("unknown ref: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	bad := "environments:\n  staging:\n    branches: [develop]\n    approvals: two\n"
	if _, err := w.sim.Push("acme/config", "main", "alice", map[string]*string{".baton.yaml": &bad}, "policy"); err != nil {
		t.Fatal(err)
	}
	w.sim.ResetLog()
	r = w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
	// The policy is a file of the config repository, not of the app
	// repository the workflow runs in: no file= annotation (it would point
	// into the app repository), but its name in the config repository and
	// its URL; and the step summary says what failed.
	if r.Code != 3 || !strings.Contains(r.Stdout, "::error title=Baton::acme/config/.baton.yaml:4: environments.staging.approvals: want a whole number such as 1, got \"two\" (https://github.com/acme/config/blob/main/.baton.yaml#L4)") ||
		strings.Contains(r.Stdout, "file=") {
		t.Fatalf("bad policy: exit %d\n%s", r.Code, r.Stdout)
	}
	if !strings.Contains(r.Summary, "### Baton failed") || !strings.Contains(r.Summary, "Exit status 3: the config repository's policy or files are wrong") ||
		!strings.Contains(r.Summary, "environments.staging.approvals: want a whole number") {
		t.Errorf("summary of the failure:\n%s", r.Summary)
	}
	for _, q := range w.sim.Requests() {
		if q.Mutating() {
			t.Errorf("bad policy wrote: %+v", q)
		}
	}
	if refs := w.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 0 {
		t.Errorf("branches: %v", refs)
	}
}

func TestActionInputErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	for name, in := range map[string]map[string]string{
		"no config repo": {"github-token": w.token, "image": "ghcr.io/acme/web:1"},
		"bad image":      {"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/Acme/web:1"},
		"no credentials": {"config-repo": "acme/config", "image": "ghcr.io/acme/web:1"},
		"bad dry-run":    {"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1", "dry-run": "maybe"},
		"bad command":    {"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1", "command": "deploy"},
	} {
		r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
		if r.Code != 2 || !strings.Contains(r.Stdout, "::error") {
			t.Errorf("%s: exit %d\n%s", name, r.Code, r.Stdout)
		}
	}
}

func TestActionDryRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.sim.ResetLog()
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "dry-run": "true"}, nil)
	if r.Code != 0 || !strings.Contains(r.Stdout, "-          image: ghcr.io/acme/web:1.4.0   # bumped by Baton") ||
		!strings.Contains(r.Stdout, "POST /repos/acme/config/pulls") || r.Outputs["changed"] != "false" {
		t.Fatalf("exit %d\n%s", r.Code, r.Stdout)
	}
	for _, q := range w.sim.Requests() {
		if q.Mutating() {
			t.Errorf("dry run wrote: %+v", q)
		}
	}
}

func TestActionAppAuthAndGHESURL(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	app, err := w.sim.AddApp("baton")
	if err != nil {
		t.Fatal(err)
	}
	w.sim.Install(app, "acme", "acme/config")
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"app-id": itoa(app.ID), "private-key": string(app.PrivateKeyPEM()), "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"},
		map[string]string{"GITHUB_API_URL": w.url + "/api/v3"})
	if r.Code != 0 || r.Outputs["pr-number"] != "1" {
		t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	prs := w.sim.PullRequests("acme/config")
	if len(prs) != 1 || prs[0].User.Login != "baton[bot]" {
		t.Fatalf("PR author: %+v", prs)
	}
	if !strings.Contains(r.Stdout, "::add-mask::ghs_") {
		t.Error("installation token not masked")
	}
	key := strings.Split(string(app.PrivateKeyPEM()), "\n")[1]
	if strings.Count(r.Stdout, key) != 1 || !strings.Contains(r.Stdout, "::add-mask::"+key) {
		t.Error("private key line not masked")
	}
	// The commit Baton made as an App is signed: GitHub shows it Verified.
	req, _ := http.NewRequest(http.MethodGet, w.url+"/repos/acme/config/git/commits/"+prs[0].PR.HeadSHA, nil)
	req.Header.Set("Authorization", "token "+w.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var commit struct {
		Author       struct{ Name string }
		Verification struct{ Verified bool }
	}
	if err := json.NewDecoder(resp.Body).Decode(&commit); err != nil {
		t.Fatal(err)
	}
	if !commit.Verification.Verified || commit.Author.Name != "baton[bot]" {
		t.Errorf("head commit %+v", commit)
	}
	if !strings.HasPrefix(w.sim.Requests()[0].Path, "/repos/acme/config/installation") {
		t.Errorf("first request %+v", w.sim.Requests()[0])
	}
}

func itoa(n int64) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestActionFaultsOnEveryMutatingRoute(t *testing.T) {
	t.Parallel()
	routes := []string{
		"/repos/{owner}/{repo}/git/trees", "/repos/{owner}/{repo}/git/commits", "/repos/{owner}/{repo}/git/refs",
		"/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/issues/{number}/labels",
	}
	for _, route := range routes {
		for _, kind := range []ghsim.FaultKind{ghsim.FaultStatus, ghsim.FaultSecondaryRateLimit} {
			name := route + map[ghsim.FaultKind]string{ghsim.FaultStatus: " 503", ghsim.FaultSecondaryRateLimit: " secondary"}[kind]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t, nil)
				w.sim.Inject(ghsim.Fault{Method: "*", Route: route, Kind: kind, Status: 503, RetryAfter: 1, Times: 1})
				r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
					map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"}, nil)
				if r.Code != 0 || r.Outputs["pr-number"] != "1" {
					t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
				}
				if w.sim.FaultHits() != 1 {
					t.Errorf("fault hits %d", w.sim.FaultHits())
				}
				if prs := w.sim.PullRequests("acme/config"); len(prs) != 1 {
					t.Errorf("%d PRs", len(prs))
				}
				if refs := w.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 1 {
					t.Errorf("branches %v", refs)
				}
			})
		}
	}
}

// TestActionPermanentFailureLeavesNoOrphanBranch: opening the pull request
// fails for good (403: the token may not create pull requests, which no
// retry fixes), so the run fails at once and removes the branch it made.
func TestActionPermanentFailureLeavesNoOrphanBranch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	w.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/pulls", Kind: ghsim.FaultStatus, Status: 403})
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"},
		map[string]string{})
	if r.Code != 1 || !strings.Contains(r.Stdout, "::error title=Baton::bump web to 1.5.0 in acme/config: open a pull request for baton/staging/web in acme/config: 403") {
		t.Fatalf("exit %d\n%s", r.Code, r.Stdout)
	}
	if hits := w.sim.FaultHits(); hits != 1 {
		t.Errorf("the permanent failure was tried %d times, want 1 (no retries)", hits)
	}
	if refs := w.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 0 {
		t.Errorf("orphan branches: %v", refs)
	}
}

func TestActionTagCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	r := w.action(t, "push", pushPayload(t, "refs/tags/v2.3.4", sha1),
		map[string]string{"command": "tag", "image": "ghcr.io/acme/web", "tag-strategy": "semver"}, nil)
	if r.Code != 0 || r.Outputs["tag"] != "2.3.4" || r.Outputs["image"] != "ghcr.io/acme/web:2.3.4" {
		t.Fatalf("exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
}

// TestBinaryRunsInEmptyRoot shows the static binary needs nothing from its
// root file system: no shell, no libc, no git — as in the distroless image.
func TestBinaryRunsInEmptyRoot(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root (CI runs as root)")
	}
	chroot, err := exec.LookPath("chroot")
	if err != nil {
		t.Skip("no chroot command")
	}
	root := t.TempDir()
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "baton"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chroot, root, "/baton", "tag", "--tag-strategy", "sha", "--sha", sha1, "--image", "ghcr.io/acme/web")
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ghcr.io/acme/web:sha-1111111" {
		t.Fatalf("in an empty root: %v\n%s", err, out)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("root holds %d entries", len(entries))
	}
}
