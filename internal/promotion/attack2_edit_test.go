package promotion_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// Second attack round: the merge-time check ("the head is exactly Baton's
// edit of the base") and the rebuild after the base moved must redo the
// bump's own edit — with the environment's key paths and tag pattern —
// not a wider one. Otherwise the promotion can never merge (the check's
// wider edit differs from the bump's), and a rebuild after a writer's
// push to the base changes places the policy says Baton never touches
// (the alpine variant gets the bookworm image).

const variantsManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0-bookworm
        - name: web-lite
          image: ghcr.io/acme/web:1.4.0-alpine
`

func TestAttack2VerifyAndRebuildUseTheBumpsEditOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, app string }{
		{"app tag-pattern", "    tag-pattern: \"-bookworm$\"\n"},
		{"environment tag-pattern", "    environments:\n      production:\n        tag-pattern: \"-bookworm$\"\n"},
		{"environment keys", "    environments:\n      production:\n        keys: [\"spec.template.spec.containers.0.image\"]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pol := "apps:\n  web:\n    image: ghcr.io/acme/web\n" + tc.app +
				"environments:\n  staging:\n    branches: [develop]\n    merge: auto\n  production:\n    branches: [main]\n    approvals: 1\n    approvers: [carol]\n"
			w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
				StagingManifest: variantsManifest, Policy: pol, NoDefaultPeople: true, Roles: stagePeople,
				Sim: ghsim.Options{MergeableDelay: -1},
			})
			gh := client(t, w, "baton")
			ctx := context.Background()
			r := ranIn(t, w.Sim, req(t, "ghcr.io/acme/web:1.5.0-bookworm"), "alice", "")
			r.Ref = "refs/heads/main"
			res, err := bump(ctx, gh, r)
			if err != nil || res.Outcome != promotion.Created {
				t.Fatalf("bump: %+v, %v", res, err)
			}
			const path = "environments/production/web-deployment.yaml"
			if got, _ := w.Sim.FileAt("acme/config", "baton/production/web", path); !strings.Contains(got, "web:1.3.0-alpine") {
				t.Fatalf("the bump changed the alpine variant:\n%s", got)
			}
			s := &stage{sim: w.Sim, gh: gh, clock: w.Clock, url: w.URL, pr: res.PR.Number}
			w.Clock.Advance(time.Minute)

			// A writer pushes to main: a comment line in the same file.
			// The approval then meets a stale branch and Baton rebuilds it.
			base, _ := w.Sim.FileAt("acme/config", "main", path)
			edited := "# owned by the web team\n" + base
			if _, err := w.Sim.Push("acme/config", "main", "erin", map[string]*string{path: &edited}, "docs"); err != nil {
				t.Fatal(err)
			}
			w.Clock.Advance(time.Minute)
			out := s.handle(t, s.comment(t, "carol", "/approve"))
			head, _ := w.Sim.FileAt("acme/config", "baton/production/web", path)
			if strings.Contains(head, "1.5.0-bookworm\n        - name: web-lite\n          image: ghcr.io/acme/web:1.5.0") || !strings.Contains(head, "web:1.3.0-alpine") {
				t.Fatalf("the rebuild changed a place the policy excludes (reply %q):\n%s", out.Reply, head)
			}
			if strings.Contains(out.Reply, "differs from Baton's edit") {
				t.Fatalf("the merge check's edit is not the bump's: %q", out.Reply)
			}
			if !out.Merged && out.Waiting != "rebuild" {
				t.Fatalf("approval of Baton's own edit did not merge or rebuild: waiting %q, reply %q", out.Waiting, out.Reply)
			}
			if !out.Merged {
				// The rebuild keeps the approval (same change); the next
				// check event merges.
				res := s.checks(t, s.pr)
				if !res.Merged {
					t.Fatalf("after the rebuild: waiting %q, reply %q", res.Waiting, res.Reply)
				}
			}
			got, _ := w.Sim.FileAt("acme/config", "main", path)
			if want := strings.Replace(edited, "1.3.0-bookworm", "1.5.0-bookworm", 1); got != want {
				t.Fatalf("merged content is not exactly the base with Baton's edit:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
