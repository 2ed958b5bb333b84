package e2e

import (
	"strings"
	"testing"
)

// Second attack round through the binary. A bump run from another CI
// names its build with --run-url and --actor: free text that reaches the
// config repository's pull request body, which approvers read. Markup in
// it must not render there (no image, no link elsewhere, no @team
// mention, no line of its own), and the commit's trailers stay one line
// each.
func TestCLIRunURLAndActorDoNotRenderInTheBody(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	run := "https://ci.example/job/1) ![ok](https://evil.example/approved.svg)\n\n@acme/sre approve now"
	r := w.cliWith(t, map[string]string{"GITHUB_TOKEN": w.token},
		"bump", "--config-repo", "acme/config", "--image", "ghcr.io/acme/web:1.5.0", "--ref", "refs/heads/develop",
		"--run-url", run, "--actor", "[alice](https://evil.example) @acme/sre")
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	prs := w.sim.PullRequests("acme/config")
	if len(prs) != 1 {
		t.Fatalf("%d pull requests", len(prs))
	}
	visible, _, _ := strings.Cut(prs[0].Body, "<!-- baton:v1 ")
	var outside strings.Builder
	for i, part := range strings.Split(visible, "`") {
		if i%2 == 0 {
			outside.WriteString(part)
		}
	}
	text := strings.NewReplacer(`\\`, "", `\[`, "", `\]`, "").Replace(outside.String())
	for _, bad := range []string{"![", "](https://evil", "@acme/sre", "\n@", "approve now\n"} {
		if strings.Contains(text, bad) {
			t.Errorf("the body renders %q from --run-url or --actor:\n%s", bad, visible)
		}
	}
}

// A workflow_dispatch's inputs are whatever the dispatcher typed: a
// command input of merge, with no commit or pull request in the event,
// is an input error (exit 2) before any request to GitHub.
func TestActionDispatchWithACraftedCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	p := map[string]any{"inputs": map[string]any{"command": "merge"}, "repository": map[string]any{"full_name": "acme/config"}, "ref": "refs/heads/main"}
	r := w.action(t, "workflow_dispatch", p, map[string]string{"github-token": w.token}, map[string]string{"GITHUB_REPOSITORY": "acme/config"})
	if r.Code != 2 || !strings.Contains(r.Stdout, "names no commit or pull request") {
		t.Fatalf("exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, q := range w.sim.Requests() {
		if strings.HasPrefix(q.Path, "/repos/acme/config/commits") {
			t.Errorf("the run asked GitHub %s %s", q.Method, q.Path)
		}
	}
}
