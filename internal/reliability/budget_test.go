package reliability

import (
	"strconv"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestRequestBudgets holds each operation to its budget of requests to
// the config repository (DESIGN §8, issue 10): a new bump ≤ 8, a re-run
// ≤ 4 with no write, an update ≤ 10, a no-op ≤ 4 with no write, approve →
// merge → release ≤ 12. Re-runs are routine (failed jobs, matrix builds)
// and GitHub's secondary limits count content-creating calls.
func TestRequestBudgets(t *testing.T) {
	t.Parallel()
	budgets := map[string]struct{ requests, writes int }{
		"new bump":                            {8, -1},
		"re-run (PR already at the image)":    {4, 0},
		"update (newer image)":                {10, -1},
		"no-op (default branch at the image)": {4, 0},
		"approve → merge → release":           {12, -1},
	}
	r := newRig(t, ghsimtest.WorldOptions{Policy: webPolicy})
	for _, op := range operations() {
		r.w.Sim.ResetLog()
		op.run(t, r)
		n, w := 0, 0
		for _, q := range r.w.Sim.Requests() {
			if strings.HasPrefix(q.Path, "/repos/"+r.w.Config) {
				n++
				if q.Mutating() {
					w++
				}
			}
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
