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

// Row 8, worse: a bump that replaced a commit holding a newer version
// puts that commit back (the race design: a run that lowered a newer
// run's commit restores it). The commit to put back was once the PR
// body's baton:v1 "commit", then "Baton's record" of what the update
// replaced, recognised by the accounts GitHub links the commit's author
// and committer e-mails to. A writer makes a commit of her own (6.6.6,
// Baton's trailers, Baton's e-mail as author and committer), names it in
// the PR body as 99.0.0, and force-pushes it in the window between the
// bump's read and its write. The bump then put HER commit back AS BATON:
// the activity log shows Baton's push, provenance passes (token mode),
// the content is "Baton's edit" of 6.6.6, and staging (merge: auto)
// merged 6.6.6 with no approval. Only what the activity log shows Baton
// pushed may be put back; the body decides nothing.
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
	baton, _ := s.sim.User("baton")
	sig := ghsim.Signature{Name: "baton", Email: fmt.Sprintf("%d+baton@users.noreply.github.com", baton.ID)}
	main := s.sim.Ref("acme/config", "refs/heads/main")
	mine, err := s.sim.PushCommit("acme/config", "erin/side", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &evil}, Message: msg, Parent: main, Author: sig, Committer: sig,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(promotion.Meta{App: "web", Env: "staging", Image: "ghcr.io/acme/web:99.0.0", Base: main, Commit: mine, Files: []string{"environments/staging/web-deployment.yaml"}})
	body, _ := json.Marshal(map[string]string{"body": "<!-- baton:v1 " + string(b) + " -->\n"})
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", staging), string(body), 200)
	s.clock.Advance(time.Second)
	erin := s.as(t, "erin")
	gh := &beforeUpdate{Client: s.gh, hook: func() {
		if err := erin.UpdateRef(ctx, "acme/config", "heads/baton/staging/web", mine, true); err != nil {
			t.Error(err)
		}
	}}
	if _, err := bumpWith(ctx, s.gh, gh, req(t, "ghcr.io/acme/web:1.5.1")); err != nil {
		t.Logf("bump 1.5.1: %v", err)
	}
	if head := s.sim.Ref("acme/config", "refs/heads/baton/staging/web"); head == mine {
		t.Errorf("BUMP-SIDE HOLE (row 8): the bump force-pushed the writer's commit %s back onto baton/staging/web as Baton", mine[:7])
	}
	if got, _ := s.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml"); !strings.Contains(got, "ghcr.io/acme/web:1.5.1") {
		t.Errorf("the bump's own 1.5.1 is not on the branch:\n%s", got)
	}
	s.clock.Advance(time.Second)
	if _, err := promotion.HandleChecks(ctx, s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", Number: staging}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.sim.FileAt("acme/config", "main", "environments/staging/web-deployment.yaml"); strings.Contains(got, "6.6.6") {
		t.Fatalf("BUMP-SIDE HOLE (row 8): staging merged the writer's 6.6.6 with no approval; main's staging file now:\n%s", got)
	}
}

// The same as a GitHub App, where provenance also wants GitHub's
// "Verified": the writer signs her commit with her own registered key
// (GitHub verifies any user's own signature) and puts Baton's bot as its
// author, which is what "Baton's commit" once meant for an App. The bump
// must not put it back as Baton's App, and verification must not take it
// for Baton's signed commit.
func TestAttackBumpPutsBackASignedCommitAsApp(t *testing.T) {
	t.Parallel()
	w, gh, n := appWorld(t)
	ctx := context.Background()
	main := w.Sim.Ref(w.Config, "refs/heads/main")
	mine := writerSignedAsBot(t, w, gh, main)
	b, _ := json.Marshal(promotion.Meta{App: "web", Env: "staging", Image: "ghcr.io/acme/web:99.0.0", Base: main, Commit: mine, Files: []string{"environments/staging/web-deployment.yaml"}})
	erin := client(t, w, ghsimtest.Writer)
	if _, err := erin.UpdatePR(ctx, w.Config, n, "chore(staging): bump web to 1.5.0", "<!-- baton:v1 "+string(b)+" -->\n"); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Second)
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.SourceRepo, r.SourceSHA = "", ""
	racer := &beforeUpdate{Client: gh, hook: func() {
		if err := erin.UpdateRef(ctx, w.Config, "heads/baton/staging/web", mine, true); err != nil {
			t.Error(err)
		}
	}}
	if _, err := bumpWith(ctx, gh, racer, r); err != nil {
		t.Logf("bump 1.5.1: %v", err)
	}
	if head := w.Sim.Ref(w.Config, "refs/heads/baton/staging/web"); head == mine {
		t.Errorf("BUMP-SIDE HOLE (row 8, App): the bump force-pushed the writer's signed commit %s back as Baton's App", mine[:7])
	}
	if got, _ := w.Sim.FileAt(w.Config, "baton/staging/web", "environments/staging/web-deployment.yaml"); !strings.Contains(got, "ghcr.io/acme/web:1.5.1") {
		t.Errorf("the bump's own 1.5.1 is not on the branch:\n%s", got)
	}
	w.Clock.Advance(time.Second)
	if res := appChecks(t, w, gh, n); res.Merged {
		t.Fatalf("BUMP-SIDE HOLE (row 8, App): merged with no approval: %+v", res)
	}
}

// Row 3 on the bump side: a writer pushes to Baton's branch a commit with
// Baton's e-mail as author and committer and Baton's trailers naming
// 99.0.0 (or the very image of the next bump). GitHub links the e-mails
// to Baton's account, which once made the commit "Baton's record": the
// next bump refused as "a downgrade from 99.0.0", or said the pull
// request "already puts 1.5.1", and left her commit in place. Only what
// the activity log shows Baton pushed is Baton's record: the bump
// replaces her commit with its own.
func TestAttackBumpKeepsAForgedRecord(t *testing.T) {
	t.Parallel()
	for _, claimed := range []string{"99.0.0", "1.5.1"} {
		t.Run(claimed, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			ctx := context.Background()
			baton, _ := s.sim.User("baton")
			sig := ghsim.Signature{Name: "baton", Email: fmt.Sprintf("%d+baton@users.noreply.github.com", baton.ID)}
			evil := strings.ReplaceAll(stagingYAML, "1.4.0", claimed)
			msg := "chore(production): bump web to " + claimed + "\n\nBaton-App: web\nBaton-Env: production\nBaton-Image: ghcr.io/acme/web:" + claimed + "\nBaton-From: 1.3.0\n"
			s.clock.Advance(time.Second)
			forged, err := s.sim.PushCommit("acme/config", "baton/production/web", "erin", ghsim.CommitOptions{
				Files: map[string]*string{"environments/production/web-deployment.yaml": &evil}, Message: msg, Author: sig, Committer: sig,
				Parent: s.sim.Ref("acme/config", "refs/heads/main"),
			})
			if err != nil {
				t.Fatal(err)
			}
			s.clock.Advance(time.Second)
			r := req(t, "ghcr.io/acme/web:1.5.1")
			r.Ref = "refs/heads/main"
			out, err := bump(ctx, s.gh, r)
			if err != nil {
				t.Fatalf("bump: %v", err)
			}
			head := s.sim.Ref("acme/config", "refs/heads/baton/production/web")
			got, _ := s.sim.FileAt("acme/config", "baton/production/web", "environments/production/web-deployment.yaml")
			if out.Outcome != promotion.Updated || head == forged || !strings.Contains(got, "ghcr.io/acme/web:1.5.1") {
				t.Fatalf("BUMP-SIDE HOLE (row 3): a writer's commit with Baton's e-mail decided the bump: outcome %v, notice %q, head %s (hers %s)", out.Outcome, out.Notice, head[:7], forged[:7])
			}
		})
	}
}
