package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestActionReleaseMadeFirstByAWriter is the trust model's row 12 through
// the Action: a human merges Baton's pull request and, before the
// pull_request closed run, a writer who is not an approver releases the
// name Baton's template gives the merge, on the merge commit, with notes
// crediting an approver. The run must not answer her release as Baton's:
// release-tag is Baton's own release, under the next name.
func TestActionReleaseMadeFirstByAWriter(t *testing.T) {
	t.Parallel()
	w := promoted(t)
	if err := w.sim.SetPermission("acme/config", "erin", "write"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.sim.Merge("acme/config", 1, "bob", "squash"); err != nil {
		t.Fatal(err)
	}
	pr := w.sim.PullRequests("acme/config")[0].PR
	name := "v" + pr.MergedAt.UTC().Format("20060102150405")
	body := fmt.Sprintf(`{"tag_name":%q,"target_commitish":%q,"name":"web 1.5.0 → staging","body":"| Approved by | @bob |"}`, name, pr.MergeSHA)
	req, err := http.NewRequest("POST", w.url+"/repos/acme/config/releases", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+w.sim.Token("erin"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("erin's release: %d", resp.StatusCode)
	}
	w.clock.Advance(time.Second)
	p := mergedPayload(t, w, 1, "staging")
	p["pull_request"].(map[string]any)["merged_by"].(map[string]any)["login"] = "bob"
	r := w.action(t, "pull_request", p, map[string]string{"github-token": w.token}, nil)
	if r.Code != 0 {
		t.Fatalf("closed: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := r.Outputs["release-tag"]; got == name || !strings.HasPrefix(got, name+"-pr") {
		t.Fatalf("release-tag %q: the writer's release %s was answered as Baton's", got, name)
	}
	for _, rel := range w.sim.Releases("acme/config") {
		if rel.TagName == r.Outputs["release-tag"] && (rel.Author == nil || rel.Author.Login != "ci" || strings.Contains(rel.Body, "| Approved by | @bob")) {
			t.Errorf("Baton's release %s: by %v, notes:\n%s", rel.TagName, rel.Author, rel.Body)
		}
	}
}
