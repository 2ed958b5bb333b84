package e2e

import (
	"strings"
	"testing"
	"time"
)

// opsPolicy lives at ops/baton.yaml, not at .baton.yaml: production takes
// approvals from @acme/sre only, staging merges itself once kubeconform
// passes, and releases are named deploy-<env>-<time>.
const opsPolicy = `apps:
  web:
    image: ghcr.io/acme/web
environments:
  staging:
    branches: [develop]
    merge: auto
    checks: [kubeconform]
  production:
    branches: [main]
    merge: approval
    approvals: 1
    approvers: ["@acme/sre"]
release:
  tag: "deploy-{{ .Env }}-{{ .Merged.Format \"20060102150405\" }}"
`

// TestActionPolicyFileHonouredByEveryCommand shows that the policy-file
// input governs approve, merge and release as it governs bump: a plain
// writer's /approve is refused, the team's counts, the check event merges
// the auto environment, and both releases use the file's tag template.
func TestActionPolicyFileHonouredByEveryCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{"ops/baton.yaml": opsPolicy})
	for login, role := range map[string]string{"bob": "write", "carol": "write"} {
		if err := w.sim.SetPermission("acme/config", login, role); err != nil {
			t.Fatal(err)
		}
	}
	w.sim.AddTeam("acme", "sre", "carol")
	in := map[string]string{"github-token": w.token, "policy-file": "ops/baton.yaml"}

	r := w.action(t, "push", pushPayload(t, "refs/heads/main", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "policy-file": "ops/baton.yaml"}, nil)
	if r.Code != 0 || r.Outputs["pr-number"] != "1" || r.Outputs["env"] != "production" {
		t.Fatalf("bump production: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	w.clock.Advance(2 * time.Second)

	// approve: bob has write access but is not in @acme/sre.
	r = w.action(t, "issue_comment", commentPayload(t, w, 1, "bob", "/approve"), in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "false" {
		t.Fatalf("bob: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	comments := w.sim.Comments("acme/config", 1)
	if reply := comments[len(comments)-1].Body; !strings.Contains(reply, "`@bob`: your approval does not count: environment production takes approvals from `@acme/sre` only") {
		t.Errorf("reply to bob: %q", reply)
	}
	if pr := w.sim.PullRequests("acme/config")[0]; pr.PR.Merged {
		t.Fatal("a plain writer's approval merged a production promotion")
	}

	r = w.action(t, "issue_comment", commentPayload(t, w, 1, "carol", "/approve"), in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "true" || !strings.HasPrefix(r.Outputs["release-tag"], "deploy-production-") {
		t.Fatalf("carol: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	tag := r.Outputs["release-tag"]

	// release: the pull_request closed event of the same merge names the
	// release from the file's template too, and finds the one release.
	r = w.action(t, "pull_request", mergedPayload(t, w, 1, "production"), in, nil)
	if r.Code != 0 || r.Outputs["release-tag"] != tag {
		t.Fatalf("closed: exit %d outputs %v (want release-tag %s)\n%s", r.Code, r.Outputs, tag, r.Stdout)
	}

	// merge: staging merges itself once the file's required check passes.
	r = w.action(t, "push", pushPayload(t, "refs/heads/develop", strings.Repeat("2", 40)),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.6.0", "policy-file": "ops/baton.yaml"}, nil)
	if r.Code != 0 || r.Outputs["pr-number"] != "2" || !strings.Contains(r.Stdout, "::notice::not merged yet: waiting for checks") {
		t.Fatalf("bump staging: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	head := w.sim.PullRequests("acme/config")[1].PR.HeadSHA
	if err := w.sim.SetCheckRun("acme/config", head, "kubeconform", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	suite := map[string]any{"action": "completed", "check_suite": map[string]any{"head_sha": head, "status": "completed"}, "repository": map[string]any{"full_name": "acme/config"}}
	r = w.action(t, "check_suite", suite, in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "true" || !strings.HasPrefix(r.Outputs["release-tag"], "deploy-staging-") {
		t.Fatalf("check suite: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
}
