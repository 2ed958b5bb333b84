package promotion_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
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

// Row 8, worse: the bump "puts the PR's own commit back" from the body's
// baton:v1 "commit" when it refuses a downgrade. A writer makes a commit
// of her own (6.6.6, Baton's trailers copied) on a side branch, then
// edits the staging PR's body: image 99.0.0 (so the next bump refuses as
// a downgrade) and commit = hers. The next bump then force-pushes HER
// commit onto Baton's branch AS BATON: the activity log shows Baton's
// push, provenance passes (token mode), the content is "Baton's edit" of
// 6.6.6, and staging (merge: auto) merges 6.6.6 with no approval.
func TestAttackBumpPutsBackACommitNamedInTheBody(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	out, err := bump(ctx, s.gh, req(t, "ghcr.io/acme/web:1.5.0")) // staging (develop)
	if err != nil || out.Outcome != promotion.Created {
		t.Fatalf("staging bump: %+v, %v", out, err)
	}
	staging := out.PR.Number
	s.clock.Advance(time.Minute)
	evil := strings.ReplaceAll(stagingYAML, "1.4.0", "6.6.6")
	msg := "chore(staging): bump web to 6.6.6\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:6.6.6\nBaton-From: 1.4.0\n"
	main := s.sim.Ref("acme/config", "refs/heads/main")
	mine, err := s.sim.PushCommit("acme/config", "erin/side", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &evil}, Message: msg, Parent: main,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(promotion.Meta{App: "web", Env: "staging", Image: "ghcr.io/acme/web:99.0.0", Base: main, Commit: mine, Files: []string{"environments/staging/web-deployment.yaml"}})
	body, _ := json.Marshal(map[string]string{"body": "<!-- baton:v1 " + string(b) + " -->\n"})
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", staging), string(body), 200)
	s.clock.Advance(time.Second)
	if _, err := bump(ctx, s.gh, req(t, "ghcr.io/acme/web:1.5.1")); err != nil {
		t.Logf("bump 1.5.1: %v", err)
	}
	if head := s.sim.Ref("acme/config", "refs/heads/baton/staging/web"); head == mine {
		t.Errorf("BUMP-SIDE HOLE (row 8): the bump force-pushed the writer's commit %s, named in the PR body, onto baton/staging/web as Baton", mine[:7])
	}
	s.clock.Advance(time.Second)
	results, err := promotion.HandleChecks(ctx, s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", Number: staging})
	if err != nil {
		t.Fatal(err)
	}
	// Staging merges by itself: what may merge is Baton's own 1.5.1, never
	// the writer's 6.6.6.
	if got, _ := s.sim.FileAt("acme/config", "main", "environments/staging/web-deployment.yaml"); len(results) == 1 && results[0].Merged && !strings.Contains(got, "web:1.5.1 ") {
		t.Fatalf("BUMP-SIDE HOLE (row 8): staging merged something other than Baton's 1.5.1; main's staging file now:\n%s", got)
	}
}

// The same as a GitHub App, where provenance also wants GitHub's
// "Verified": the writer signs her commit with her own registered key
// (GitHub verifies any user's own signature), the bump force-pushes it as
// Baton's App, and verification takes it for Baton's signed commit.
func TestAttackBumpPutsBackASignedCommitAsApp(t *testing.T) {
	t.Parallel()
	w, gh, n := appWorld(t)
	ctx := context.Background()
	evil := strings.ReplaceAll(ghsimtest.StagingDeployment, "1.4.0", "6.6.6")
	msg := "chore(staging): bump web to 6.6.6\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:6.6.6\nBaton-From: 1.4.0\n"
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	mine, err := w.Sim.PushCommit(w.Config, "erin/side", ghsimtest.Writer, ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &evil}, Message: msg, Parent: main, SignedByPusher: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := mustCommitIn(t, gh, w.Config, mine); !c.Verified {
		t.Fatalf("the writer's own signature is not Verified: %+v", c)
	}
	b, _ := json.Marshal(promotion.Meta{App: "web", Env: "staging", Image: "ghcr.io/acme/web:99.0.0", Base: main, Commit: mine, Files: []string{"environments/staging/web-deployment.yaml"}})
	erin := client(t, w, ghsimtest.Writer)
	if _, err := erin.UpdatePR(ctx, w.Config, n, "chore(staging): bump web to 1.5.0", "<!-- baton:v1 "+string(b)+" -->\n"); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Second)
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.SourceRepo, r.SourceSHA = "", ""
	if _, err := bump(ctx, gh, r); err != nil {
		t.Logf("bump 1.5.1: %v", err)
	}
	if head := w.Sim.Ref(w.Config, "refs/heads/baton/staging/web"); head == mine {
		t.Errorf("BUMP-SIDE HOLE (row 8, App): the bump force-pushed the writer's signed commit %s, named in the PR body, as Baton's App", mine[:7])
	}
	w.Clock.Advance(time.Second)
	// The branch holds Baton's own signed 1.5.1 (the writer's commit was
	// never put back), which waits for its approval.
	if got, _ := w.Sim.FileAt(w.Config, "baton/staging/web", "environments/staging/web-deployment.yaml"); !strings.Contains(got, "web:1.5.1") {
		t.Errorf("BUMP-SIDE HOLE (row 8, App): the branch holds\n%s", got)
	}
	if res := appChecks(t, w, gh, n); res.Merged || res.Waiting != "approvals" {
		t.Fatalf("BUMP-SIDE HOLE (row 8, App): want Baton's 1.5.1 waiting for approvals: %+v", res)
	}
}
