package promotion_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// BUMP-SIDE attacks (issue 9 rows 8 and 9), found by the attacker helper.
// They fail on the bump path as it is (internal/promotion/bump.go and
// internal/forge's FindOpenPR), which this helper does not own: each
// failure message says what the bump did wrong. The review side's merge
// decisions do not read the PR body, so none of these merges anything;
// they steer or silence the next bump.

// forgeBody replaces the baton:v1 block of Baton's pull request body, as
// any writer can (PATCH /repos/{o}/{r}/pulls/{n} body).
func (s *stage) forgeBody(t *testing.T, m promotion.Meta) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]string{"body": "Nothing to see.\n\n<!-- baton:v1 " + string(b) + " -->\n"})
	if err != nil {
		t.Fatal(err)
	}
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", s.pr), string(body), 200)
}

// Row 8: a forged baton:v1 block naming 99.0.0 makes the next bump of
// 1.5.1 refuse as "a downgrade from 99.0.0"; one naming 1.5.1 on the
// current base and head makes it say the pull request "already puts
// 1.5.1" while its commit still puts 1.5.0. Decisions must not read the
// PR body: the bump must update the pull request to 1.5.1 either way.
func TestAttackBumpReadsAForgedBodyBlock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		image string
	}{
		{"downgrade from 99.0.0", "ghcr.io/acme/web:99.0.0"},
		{"already puts 1.5.1", "ghcr.io/acme/web:1.5.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			main := s.sim.Ref("acme/config", "refs/heads/main")
			s.forgeBody(t, promotion.Meta{App: "web", Env: "production", Image: tc.image, Base: main, Commit: s.head(t), Files: []string{"environments/production/web-deployment.yaml"}})
			r := req(t, "ghcr.io/acme/web:1.5.1")
			r.Ref = "refs/heads/main"
			out, err := bump(context.Background(), s.gh, r)
			if err != nil {
				t.Fatalf("BUMP-SIDE HOLE (row 8): bump after a forged body block: %v", err)
			}
			got, _ := s.sim.FileAt("acme/config", "baton/production/web", "environments/production/web-deployment.yaml")
			if out.Outcome != promotion.Updated || !strings.Contains(got, "ghcr.io/acme/web:1.5.1") {
				t.Fatalf("BUMP-SIDE HOLE (row 8): a writer's forged baton:v1 block in the PR body decided the bump: outcome %v, notice %q; the branch does not put 1.5.1", out.Outcome, out.Notice)
			}
		})
	}
}

// Row 9: a writer opens a second pull request from Baton's head branch
// into another base. The next bump must update Baton's own pull request
// (found by author id, head and base), not hers.
func TestAttackBumpUpdatesASecondPRFromBatonsBranch(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	if _, err := s.sim.Push("acme/config", "legacy", "adam", map[string]*string{"README": ptr("old\n")}, "legacy line"); err != nil {
		t.Fatal(err)
	}
	theirs, err := s.as(t, "erin").CreatePR(ctx, "acme/config", githost.NewPR{Title: "same branch, other base", Head: "baton/production/web", Base: "legacy"})
	if err != nil {
		t.Fatal(err)
	}
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.Ref = "refs/heads/main"
	out, err := bump(ctx, s.gh, r)
	if err != nil {
		t.Fatalf("BUMP-SIDE HOLE (row 9): bump: %v", err)
	}
	if out.PR == nil || out.PR.Number != s.pr {
		n := 0
		if out.PR != nil {
			n = out.PR.Number
		}
		t.Fatalf("BUMP-SIDE HOLE (row 9): the bump updated pull request #%d (a writer's, into legacy) instead of Baton's #%d (outcome %v)", n, s.pr, out.Outcome)
	}
	for _, c := range s.sim.Comments("acme/config", theirs.Number) {
		t.Errorf("BUMP-SIDE HOLE (row 9): Baton commented on the writer's pull request #%d: %q", theirs.Number, c.Body)
	}
}
