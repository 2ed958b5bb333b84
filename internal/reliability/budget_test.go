package reliability

import (
	"strconv"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestRequestBudgets holds each operation to its budget of requests to
// the config repository: a new bump ≤ 9, a re-run
// ≤ 4 with no write, an update ≤ 10, a no-op ≤ 4 with no write, approve →
// merge → release ≤ 16. Re-runs are routine (failed jobs, matrix builds)
// and GitHub's secondary limits count content-creating calls.
//
// A new bump, 9 (a budget of 8 assumed the optimistic path: create the ref
// and treat 422 as "look it up"; a re-run that must make no write needs
// one read before any write instead, and no REST answer that tells a
// re-run apart also carries the base's commit, tree or files):
//
//  1. GET contents/.baton.yaml: the policy (and the default branch's name).
//  2. GET pulls?head=…: Baton's open pull request, if any — the read that
//     keeps a re-run write-free.
//  3. GET branches/{default}: the parent commit and the base tree.
//  4. GET contents/{file}?ref=…: the file to edit (one per file).
//  5. POST git/trees, 6. POST git/commits, 7. POST git/refs: one commit.
//  8. POST pulls, 9. POST issues/{n}/labels (create takes no labels).
//
// Approve → merge → release, 16 (a budget of 12 predates the evidence reads
// of the trust model, issue 9), each request needed:
//
//  1. GET pulls/{n}: the pull request (author id, head, base, state).
//  2. POST comments/{id}/reactions: 👀; 201 makes this run the one that
//     answers, and its user is Baton's id (no GET /user).
//  3. GET issues/{n}/comments: the reply marker (answered already?), then
//     the evidence: approvals, holds, head markers.
//  4. GET contents/.baton.yaml: the policy, from the default branch.
//  5. GET collaborators/{login}/permission: may the commenter approve.
//  6. GET activity?ref=&direction=desc: who set the head, when (one page).
//  7. GET pulls/{n}/reviews: changes requested, native approvals.
//  8. GET compare/{base}...{head}: one commit, its files and patches.
//  9. GET contents/{file}?ref=merge-base: Baton's edit redone on the base.
//  10. GET pulls/{n}: mergeability, which GitHub computes after the first
//     read of a changed pull request (mergeable: null before).
//  11. PUT pulls/{n}/merge: at the verified head sha.
//  12. GET pulls/{n}: merged_at, which names the release.
//  13. POST git/tags, 14. POST git/refs: the annotated tag.
//  15. POST releases.
//  16. POST issues/{n}/comments: the reply.
func TestRequestBudgets(t *testing.T) {
	t.Parallel()
	budgets := map[string]struct{ requests, writes int }{
		"new bump":                            {9, -1},
		"re-run (PR already at the image)":    {4, 0},
		"update (newer image)":                {10, -1},
		"no-op (default branch at the image)": {4, 0},
		"approve → merge → release":           {16, -1},
	}
	r := newRig(t, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy})
	for _, op := range operations() {
		r.w.Sim.ResetLog()
		op.run(t, r)
		n, w, app := 0, 0, 0
		for _, q := range r.w.Sim.Requests() {
			if strings.HasPrefix(q.Path, "/repos/"+r.w.Config) {
				n++
				if q.Mutating() {
					w++
				}
			}
			if strings.HasPrefix(q.Path, "/repos/"+r.w.AppRepo+"/") {
				app++ // the changelog's compare, the build's workflow run
			}
		}
		t.Logf("%-36s %2d config-repo requests (%d writes), %d to the app repository", op.name, n, w, app)
		if want := 2; app > want {
			t.Errorf("%s: %d requests to the app repository, budget %d (the compare and the workflow run)", op.name, app, want)
		}
		want := budgets[op.name]
		if n > want.requests || want.writes >= 0 && w > want.writes {
			var log []string
			for _, q := range r.w.Sim.Requests() {
				log = append(log, q.Method+" "+q.Path+" → "+strconv.Itoa(q.Status))
			}
			t.Errorf("%s: %d requests to the config repo, %d writes; budget %d requests%s:\n  %s",
				op.name, n, w, want.requests, map[bool]string{true: ", no write", false: ""}[want.writes == 0], strings.Join(log, "\n  "))
		}
	}
}
