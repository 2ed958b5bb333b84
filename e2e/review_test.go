package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func template(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["repository"].(map[string]any)["full_name"] = "acme/config"
	return p
}

// commentPayload fills the recorded issue_comment template with a comment
// the simulator holds.
func commentPayload(t *testing.T, w *world, number int, user, body string) map[string]any {
	t.Helper()
	id, err := w.sim.AddComment("acme/config", number, user, body)
	if err != nil {
		t.Fatal(err)
	}
	created := w.sim.Comments("acme/config", number)
	p := template(t, "issue-comment-on-pr.json")
	c := p["comment"].(map[string]any)
	c["id"], c["body"], c["created_at"] = id, body, created[len(created)-1].CreatedAt.UTC().Format(time.RFC3339)
	c["user"].(map[string]any)["login"] = user
	c["user"].(map[string]any)["type"] = "User"
	p["issue"].(map[string]any)["number"] = number
	return p
}

// mergedPayload fills the recorded pull_request closed template with the
// merge of pull request number that the simulator holds, merged by ci.
func mergedPayload(t *testing.T, w *world, number int, env string) map[string]any {
	t.Helper()
	pr := w.sim.PullRequests("acme/config")[number-1]
	p := template(t, "pr-closed-merged.json")
	pp := p["pull_request"].(map[string]any)
	pp["number"], pp["merged"], pp["merged_at"], pp["merge_commit_sha"] = number, true, pr.PR.MergedAt.Format(time.RFC3339), pr.PR.MergeSHA
	pp["head"].(map[string]any)["ref"], pp["head"].(map[string]any)["sha"] = pr.PR.Head, pr.PR.HeadSHA
	pp["base"].(map[string]any)["ref"] = "main"
	pp["labels"] = []any{map[string]any{"name": "baton"}, map[string]any{"name": "env:" + env}}
	pp["merged_by"].(map[string]any)["login"] = "ci"
	pp["user"].(map[string]any)["login"] = "ci"
	return p
}

// promoted bumps develop → staging through the Action and returns the world.
func promoted(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, nil)
	for login, role := range map[string]string{"bob": "write", "dave": "read"} {
		if err := w.sim.SetPermission("acme/config", login, role); err != nil {
			t.Fatal(err)
		}
	}
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"}, nil)
	if r.Code != 0 || r.Outputs["pr-number"] != "1" {
		t.Fatalf("bump: exit %d\n%s", r.Code, r.Stdout)
	}
	// Comments made in the same second as Baton's commit do not count:
	// GitHub's timestamps have one-second precision. The simulator's clock
	// moves on instead of the test sleeping.
	w.clock.Advance(2 * time.Second)
	return w
}

func TestActionApproveMergeRelease(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	in := map[string]string{"github-token": w.token}

	r := w.action(t, "issue_comment", commentPayload(t, w, 1, "dave", "/approve"), in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "false" {
		t.Fatalf("reader: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	comments := w.sim.Comments("acme/config", 1)
	if reply := comments[len(comments)-1].Body; !strings.Contains(reply, "`@dave`: your approval does not count: it needs write access to acme/config, and `@dave` has read") {
		t.Errorf("reply to dave: %q", reply)
	}

	body := "/approve\n::set-output name=x::pwned $(rm -rf /)"
	r = w.action(t, "issue_comment", commentPayload(t, w, 1, "bob", body), in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "true" || !strings.HasPrefix(r.Outputs["release-tag"], "v20") || r.Outputs["release-url"] == "" {
		t.Fatalf("bob: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	if strings.Contains(r.Stdout, "pwned") || strings.Contains(r.Summary, "pwned") {
		t.Error("comment text reached the log or the summary")
	}
	for _, v := range r.Outputs {
		if strings.Contains(v, "pwned") {
			t.Error("comment text reached an output")
		}
	}
	tag := r.Outputs["release-tag"]
	if w.sim.Ref("acme/config", "refs/tags/"+tag) == "" || len(w.sim.Releases("acme/config")) != 1 {
		t.Fatalf("tag %s or release missing", tag)
	}

	// The pull_request closed event of the same merge: released once.
	r = w.action(t, "pull_request", mergedPayload(t, w, 1, "staging"), in, nil)
	if r.Code != 0 || r.Outputs["release-tag"] != tag {
		t.Fatalf("closed: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	if n := len(w.sim.Releases("acme/config")); n != 1 {
		t.Errorf("%d releases", n)
	}
}

func TestActionHumanMergeReleased(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	if _, err := w.sim.Merge("acme/config", 1, "bob", "squash"); err != nil {
		t.Fatal(err)
	}
	pr := w.sim.PullRequests("acme/config")[0]
	p := template(t, "pr-closed-merged.json")
	pp := p["pull_request"].(map[string]any)
	pp["number"], pp["merged_at"], pp["merge_commit_sha"] = 1, pr.PR.MergedAt.Format(time.RFC3339), pr.PR.MergeSHA
	pp["head"].(map[string]any)["ref"], pp["head"].(map[string]any)["sha"] = pr.PR.Head, pr.PR.HeadSHA
	pp["labels"] = []any{map[string]any{"name": "baton"}}
	pp["merged_by"].(map[string]any)["login"] = "bob"
	for range 2 {
		r := w.action(t, "pull_request", p, map[string]string{"github-token": w.token}, nil)
		if r.Code != 0 || r.Outputs["release-tag"] != "v"+pr.PR.MergedAt.UTC().Format("20060102150405") {
			t.Fatalf("exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
		}
	}
	rels := w.sim.Releases("acme/config")
	if len(rels) != 1 || !strings.Contains(rels[0].Body, "| Merged by | @bob |") {
		t.Errorf("releases %+v", rels)
	}
	// A merged pull request that is not Baton's is ignored.
	pp["head"].(map[string]any)["ref"] = "feature/x"
	r := w.action(t, "pull_request", p, map[string]string{"github-token": w.token}, nil)
	if r.Code != 0 || !strings.Contains(r.Stdout, "::notice::ignored: pull request #1 is not a Baton promotion") {
		t.Errorf("other PR: exit %d\n%s", r.Code, r.Stdout)
	}
}

func TestActionNativeReview(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	pr := w.sim.PullRequests("acme/config")[0]
	// The review itself, in GitHub: the event only says where to look.
	if _, err := w.sim.AddReview("acme/config", 1, "bob", "APPROVE", ""); err != nil {
		t.Fatal(err)
	}
	p := template(t, "pr-synchronize.json")
	p["action"] = "submitted"
	p["pull_request"].(map[string]any)["number"] = 1
	p["review"] = map[string]any{
		"id": 80, "state": "approved", "commit_id": pr.PR.HeadSHA, "submitted_at": w.clock.Now().UTC().Format(time.RFC3339),
		"user": map[string]any{"login": "bob", "type": "User"}, "body": nil,
	}
	r := w.action(t, "pull_request_review", p, map[string]string{"github-token": w.token}, nil)
	if r.Code != 0 || r.Outputs["merged"] != "true" {
		t.Fatalf("exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
}

func TestActionAutoMergeOnChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t, map[string]string{".baton.yaml": "environments:\n  staging:\n    branches: [develop]\n    merge: auto\n    checks: [kubeconform]\n  production:\n    branches: [main]\n"})
	// The bump of an auto environment tries to merge at once; the
	// required check has not run yet, so it waits.
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1),
		map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "app": "web"}, nil)
	if r.Code != 0 || r.Outputs["pr-number"] != "1" || r.Outputs["merged"] == "true" || !strings.Contains(r.Stdout, "::notice::not merged yet: waiting for checks") {
		t.Fatalf("bump: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	head := w.sim.PullRequests("acme/config")[0].PR.HeadSHA
	suite := map[string]any{"action": "completed", "check_suite": map[string]any{"head_sha": head, "status": "completed"}, "repository": map[string]any{"full_name": "acme/config"}}
	if err := w.sim.SetCheckRun("acme/config", head, "kubeconform", "completed", "failure"); err != nil {
		t.Fatal(err)
	}
	r = w.action(t, "check_suite", suite, map[string]string{"github-token": w.token}, nil)
	if r.Code != 0 || r.Outputs["merged"] != "false" {
		t.Fatalf("failing check: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	if err := w.sim.SetCheckRun("acme/config", head, "kubeconform", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	run := map[string]any{"action": "completed", "workflow_run": map[string]any{"head_sha": head, "conclusion": "success"}, "repository": map[string]any{"full_name": "acme/config"}}
	r = w.action(t, "workflow_run", run, map[string]string{"github-token": w.token}, nil)
	if r.Code != 0 || r.Outputs["merged"] != "true" {
		t.Fatalf("green check: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	if rels := w.sim.Releases("acme/config"); len(rels) != 1 || rels[0].Latest {
		t.Errorf("releases %+v", rels)
	}
}
