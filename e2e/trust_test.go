package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestActionEditedCommentNeverCounts is the trust model's row 5 (the
// issue's first attack) through the Action: a writer who is not an
// approver edits an approver's ordinary comment into /approve, then
// triggers a run with /unhold. Nothing merges, and the reply says why.
func TestActionEditedCommentNeverCounts(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	if err := w.sim.SetPermission("acme/config", "erin", "write"); err != nil {
		t.Fatal(err)
	}
	in := map[string]string{"github-token": w.token}
	id, err := w.sim.AddComment("acme/config", 1, "bob", "Deploying this after lunch.")
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Second)
	if err := w.sim.EditComment("acme/config", id, "erin", "/approve"); err != nil {
		t.Fatal(err)
	}
	// The edit's own event is ignored …
	edited := commentPayload(t, w, 1, "erin", "x")
	c := edited["comment"].(map[string]any)
	c["id"], c["body"], c["user"].(map[string]any)["login"] = id, "/approve", "bob"
	edited["action"] = "edited"
	if r := w.action(t, "issue_comment", edited, in, nil); r.Code != 0 || r.Outputs["merged"] == "true" {
		t.Fatalf("edited event: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	// … and a run for another reason does not count it either.
	w.clock.Advance(time.Second)
	r := w.action(t, "issue_comment", commentPayload(t, w, 1, "erin", "/unhold"), in, nil)
	if r.Code != 0 || r.Outputs["merged"] != "false" {
		t.Fatalf("unhold: exit %d outputs %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	comments := w.sim.Comments("acme/config", 1)
	if reply := comments[len(comments)-1].Body; !strings.Contains(reply, "A `/approve` comment by `@bob` was edited at") {
		t.Errorf("reply %q does not say why", reply)
	}
	if len(w.sim.Releases("acme/config")) != 0 {
		t.Error("released")
	}
}
