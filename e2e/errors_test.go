package e2e

import (
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestCLIReadmeExample: the README's example, with no policy file and no
// GITHUB_REPOSITORY, opens the pull request (the app is the image's last
// path element).
func TestCLIReadmeExample(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	r := w.cliWith(t, map[string]string{"GITHUB_TOKEN": w.token},
		"bump", "--config-repo", "acme/config", "--image", "ghcr.io/acme/web:1.5.0", "--ref", "refs/heads/develop")
	if r.Code != 0 || !strings.Contains(r.Stdout, "web 1.4.0 → 1.5.0 in staging: pull request #1 created") {
		t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestCLIErrorsAndExitCodes: each wrong input is exit 2 with an error that
// names the flag (or variable) to fix; the config repository's problems are
// exit 3; a refused downgrade is exit 0 and names the flag that exists.
func TestCLIErrorsAndExitCodes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{".baton.yaml": ghsimtest.WebPolicy})
	tok := map[string]string{"GITHUB_TOKEN": w.token}
	base := []string{"bump", "--config-repo", "acme/config", "--ref", "refs/heads/develop"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no credentials", nil, []string{"--image", "ghcr.io/acme/web:1.5.0"}, 2,
			"baton: no GitHub credentials: set --github-token or GITHUB_TOKEN, or --app-id and --private-key"},
		{"no image", tok, nil, 2, "baton: --image is required"},
		{"tag given twice", tok, []string{"--image", "ghcr.io/acme/web:1.5.0", "--tag", "1.6.0"}, 2,
			`baton: --image names tag "1.5.0" but --tag is "1.6.0": give the tag once, or the same value in both`},
		{"unknown environment", tok, []string{"--image", "ghcr.io/acme/web:1.5.0", "--env", "qa"}, 2,
			`baton: --env: environment "qa" is not in .baton.yaml (declared: staging, production)`},
		{"image of no app", tok, []string{"--image", "ghcr.io/acme/api:1.5.0"}, 2,
			"baton: no app in .baton.yaml has the image ghcr.io/acme/api (declared: web) (set --app to an app of the policy, or --image to its image)"},
		{"unknown app", tok, []string{"--image", "ghcr.io/acme/web:1.5.0", "--app", "api"}, 2, `app "api" is not declared in .baton.yaml`},
		{"another app's build", tok, []string{"--image", "ghcr.io/acme/web:1.5.0", "--app", "web", "--source-repo", "acme/api"}, 2,
			"baton: app web is built in acme/web (its repo: in the policy), but this build is of acme/api: only acme/web's pipeline may bump web"},
		{"bad app-id", map[string]string{"X": "y"}, []string{"--image", "ghcr.io/acme/web:1.5.0", "--app-id", "x", "--private-key", "k"}, 2, `baton: --app-id "x" is not a number`},
	} {
		r := w.cliWith(t, tc.env, append(append([]string{}, base...), tc.args...)...)
		if r.Code != tc.code || !strings.Contains(r.Stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s%s", tc.name, r.Code, tc.code, tc.want, r.Stdout, r.Stderr)
		}
	}
	if refs := w.sim.Refs("acme/config", "refs/heads/baton/"); len(refs) != 0 {
		t.Errorf("a wrong input wrote a branch: %v", refs)
	}

	// A refused downgrade names the flag, and the flag lets it through
	// (web's repo: is acme/web: its builds name their repository).
	base = append(base, "--source-repo", "acme/web")
	if r := w.cliWith(t, tok, append(base, "--image", "ghcr.io/acme/web:1.6.0")...); r.Code != 0 {
		t.Fatalf("bump 1.6.0: exit %d\n%s", r.Code, r.Stderr)
	}
	r := w.cliWith(t, tok, append(base, "--image", "ghcr.io/acme/web:1.5.0")...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "skipped: refusing to downgrade from 1.6.0 to 1.5.0 (pass --allow-downgrade, or roll back)") {
		t.Errorf("downgrade: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = w.cliWith(t, tok, append(base, "--image", "ghcr.io/acme/web:1.5.0", "--allow-downgrade")...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "pull request #1 updated") {
		t.Errorf("allowed downgrade: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	// The policy broken: exit 3, the file and line named.
	bad := "environments:\n  staging:\n    branches: develop\n"
	if _, err := w.sim.Push("acme/config", "main", "alice", map[string]*string{".baton.yaml": &bad}, "break"); err != nil {
		t.Fatal(err)
	}
	r = w.cliWith(t, tok, append(base, "--image", "ghcr.io/acme/web:1.7.0")...)
	if r.Code != 3 || !strings.Contains(r.Stderr, ".baton.yaml:3: environments.staging.branches") {
		t.Errorf("bad policy: exit %d\n%s", r.Code, r.Stderr)
	}
}

// TestActionErrorsNameInputs: in the Action, the same mistakes name the
// inputs of action.yml; GitHub's refusal says it was not retried; the
// allow-downgrade input exists.
func TestActionErrorsNameInputs(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	push := pushPayload(t, "refs/heads/develop", sha1)
	r := w.action(t, "push", push, map[string]string{"config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"}, nil)
	if r.Code != 2 || !strings.Contains(r.Stdout, "::error title=Baton::no GitHub credentials: set github-token, or app-id and private-key") {
		t.Errorf("no credentials: exit %d\n%s", r.Code, r.Stdout)
	}
	r = w.action(t, "push", push, map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "tag": "1.6.0"}, nil)
	if r.Code != 2 || !strings.Contains(r.Stdout, `::error title=Baton::image names tag "1.5.0" but tag is "1.6.0"`) {
		t.Errorf("tag twice: exit %d\n%s", r.Code, r.Stdout)
	}
	r = w.action(t, "push", push, map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "env": "qa"}, nil)
	if r.Code != 2 || !strings.Contains(r.Stdout, `::error title=Baton::env: environment "qa" is not in`) || !strings.Contains(r.Summary, "Exit status 2: an input is wrong") {
		t.Errorf("unknown env: exit %d\n%s\n%s", r.Code, r.Stdout, r.Summary)
	}

	in := map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.6.0"}
	if r := w.action(t, "push", push, in, nil); r.Code != 0 {
		t.Fatalf("bump: exit %d\n%s", r.Code, r.Stdout)
	}
	in["image"] = "ghcr.io/acme/web:1.5.0"
	r = w.action(t, "push", push, in, nil)
	if r.Code != 0 || !strings.Contains(r.Stdout, "::notice::refusing to downgrade from 1.6.0 to 1.5.0 (pass allow-downgrade, or roll back)") {
		t.Errorf("downgrade: exit %d\n%s", r.Code, r.Stdout)
	}
	in["allow-downgrade"] = "true"
	if r = w.action(t, "push", push, in, nil); r.Code != 0 || r.Outputs["changed"] != "true" {
		t.Errorf("allow-downgrade: exit %d %v\n%s", r.Code, r.Outputs, r.Stdout)
	}

	w.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/git/trees", Kind: ghsim.FaultStatus, Status: 403})
	in = map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.7.0"}
	r = w.action(t, "push", push, in, nil)
	if r.Code != 1 || !strings.Contains(r.Stdout, "(not retried: a retry cannot change this answer)") || !strings.Contains(r.Summary, "Exit status 1: GitHub or the network failed") {
		t.Errorf("GitHub refused: exit %d\n%s\n%s", r.Code, r.Stdout, r.Summary)
	}
}

// TestEmptyConfigRepo: a config repository with no commits is the config
// repository's problem (exit 3), said in words, and nothing is written.
func TestEmptyConfigRepo(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	if _, err := w.sim.CreateRepo("acme/empty", ghsim.RepoOptions{Private: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.sim.SetPermission("acme/empty", "ci", "write"); err != nil {
		t.Fatal(err)
	}
	w.sim.ResetLog()
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), map[string]string{"github-token": w.token, "config-repo": "acme/empty", "image": "ghcr.io/acme/web:1.5.0"}, nil)
	if r.Code != 3 || !strings.Contains(r.Stdout, "acme/empty is empty (it has no commits)") {
		t.Errorf("exit %d\n%s", r.Code, r.Stdout)
	}
	for _, q := range w.sim.Requests() {
		if q.Mutating() {
			t.Errorf("wrote %+v", q)
		}
	}
}

// TestDryRunDiffIsNotAWorkflowCommand (issue 9, row 13): file contents in
// the dry run's diff are printed between ::stop-commands:: markers, so a
// manifest's "::warning::" or "##[error]" line is not a command.
func TestDryRunDiffIsNotAWorkflowCommand(t *testing.T) {
	t.Parallel()
	hostile := strings.Replace(ghsimtest.StagingDeployment, "          ports:\n", "          # ::warning::x\n          # ##[error]y\n          ports:\n", 1)
	w := newWorld(t, map[string]string{"environments/staging/web-deployment.yaml": hostile})
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "dry-run": "true"}, nil)
	if r.Code != 0 || !strings.Contains(r.Stdout, "::warning::x") {
		t.Fatalf("exit %d\n%s", r.Code, r.Stdout)
	}
	// Walk the output as the runner does: commands stop at
	// ::stop-commands::T and resume at ::T::.
	stopped := ""
	for _, line := range strings.Split(r.Stdout, "\n") {
		switch {
		case stopped == "" && strings.HasPrefix(line, "::stop-commands::"):
			stopped = strings.TrimPrefix(line, "::stop-commands::")
			if len(stopped) < 16 {
				t.Errorf("a guessable token %q", stopped)
			}
		case stopped != "" && line == "::"+stopped+"::":
			stopped = ""
		case stopped == "" && (strings.Contains(line, "::warning::x") || strings.Contains(line, "##[error]y")):
			t.Errorf("the runner would read a command in %q", line)
		}
	}
	if stopped != "" {
		t.Error("commands were never resumed")
	}
	if !strings.Contains(r.Stdout, "::notice::dry run: web 1.4.0 → 1.5.0 in staging; nothing was changed") {
		t.Errorf("Baton's own notice is missing (printed while commands were stopped?):\n%s", r.Stdout)
	}
}
