package e2e

import (
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
)

// batonReplies counts the comments on pull request 1 that answer a
// comment (they carry Baton's reply marker).
func batonReplies(w *world) int {
	n := 0
	for _, c := range w.sim.Comments("acme/config", 1) {
		if c.User.Login == "ci" && strings.Contains(c.Body, "<!-- baton:reply ") {
			n++
		}
	}
	return n
}

// TestActionFinishesAFailedRelease: the run that merged fails on the
// release (exit 1); a re-run of the same event, or the schedule's run,
// releases the merge exactly once, and the comment is answered once.
func TestActionFinishesAFailedRelease(t *testing.T) {
	t.Parallel()
	for _, later := range []string{"re-run", "schedule"} {
		t.Run(later, func(t *testing.T) {
			t.Parallel()
			w := promoted(t)
			in := map[string]string{"github-token": w.token}
			approve := commentPayload(t, w, 1, "bob", "/approve")
			w.sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/releases", Kind: ghsim.FaultStatus, Status: 403})
			r := w.action(t, "issue_comment", approve, in, nil)
			if r.Code != 1 || !strings.Contains(r.Stdout, "the release failed") || !w.sim.PullRequests("acme/config")[0].PR.Merged {
				t.Fatalf("failing run: exit %d\n%s", r.Code, r.Stdout)
			}
			w.sim.ClearFaults()
			if n := len(w.sim.Releases("acme/config")); n != 0 {
				t.Fatalf("%d releases after the failed run", n)
			}

			switch later {
			case "re-run":
				r = w.action(t, "issue_comment", approve, in, nil)
			default:
				r = w.action(t, "schedule", map[string]any{"schedule": "*/30 * * * *", "repository": map[string]any{"full_name": "acme/config"}}, in, nil)
			}
			if r.Code != 0 || r.Outputs["merged"] != "true" || !strings.HasPrefix(r.Outputs["release-tag"], "v20") {
				t.Fatalf("%s: exit %d outputs %v\n%s%s", later, r.Code, r.Outputs, r.Stdout, r.Stderr)
			}
			// Every later run finds nothing left to do.
			for _, event := range []string{"issue_comment", "schedule"} {
				payload := approve
				if event == "schedule" {
					payload = map[string]any{"schedule": "*/30 * * * *", "repository": map[string]any{"full_name": "acme/config"}}
				}
				if r := w.action(t, event, payload, in, nil); r.Code != 0 {
					t.Fatalf("%s afterwards: exit %d\n%s", event, r.Code, r.Stdout)
				}
			}
			if n := len(w.sim.Releases("acme/config")); n != 1 {
				t.Errorf("%d releases", n)
			}
			// After the schedule, the comment's re-run is its one answer.
			if n := batonReplies(w); n != 1 {
				t.Errorf("%d answers to the comment, want 1", n)
			}
		})
	}
}

// TestActionCommentInjectionIsNeverACommand: look-alike and injected
// commands change nothing and get no answer.
func TestActionCommentInjectionIsNeverACommand(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	in := map[string]string{"github-token": w.token}
	for _, body := range []string{"::set-output name=merged::true", "%0A/approve", "\u200b/approve", "／approve", "hi\n/approve"} {
		r := w.action(t, "issue_comment", commentPayload(t, w, 1, "bob", body), in, nil)
		if r.Code != 0 || r.Outputs["merged"] != "false" || strings.Contains(r.Stdout, "set-output name=merged") {
			t.Errorf("%q: exit %d outputs %v\n%s", body, r.Code, r.Outputs, r.Stdout)
		}
	}
	if w.sim.PullRequests("acme/config")[0].PR.Merged || batonReplies(w) != 0 {
		t.Error("an injected command acted or was answered")
	}
}
