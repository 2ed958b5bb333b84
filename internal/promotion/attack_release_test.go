package promotion_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/promotion"
)

// The attacks in this file go after the release: a writer (erin, not an
// approver) makes the release of a merged promotion before Baton does, so
// that its notes — approvers included — are hers, or so that the sweep
// thinks the merge is released.

// batonReleases are the releases of the config repository that Baton's
// identity made.
func (s *stage) batonReleases(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range s.sim.Releases("acme/config") {
		if r.Author != nil && r.Author.Login == "baton" {
			out = append(out, r.TagName)
		}
	}
	return out
}

// forgeRelease makes erin's release of tag on sha, whose notes credit bob.
func (s *stage) forgeRelease(t *testing.T, tag, sha string) {
	t.Helper()
	s.api(t, "erin", "POST", "/repos/acme/config/releases",
		fmt.Sprintf(`{"tag_name":%q,"target_commitish":%q,"name":"web 1.5.0 → production","body":"| Approved by | @bob |"}`, tag, sha), 201)
}

// A human merges Baton's pull request; before Baton's closed-event run,
// erin creates the release under the name Baton's template gives the
// merge (or under any name, on the merge commit, for the sweep). Baton
// must not take her release for its own: it releases under the next name,
// with its own notes.
func TestAttackReleaseMadeFirstByAWriter(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"closed event", "sweep"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			name := "v" + s.clock.Now().Format("20060102150405")
			sha, err := s.sim.Merge("acme/config", s.pr, "carol", "squash")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			load := command.PolicyLoader(s.gh, "acme/config", "")
			var got string
			switch path {
			case "closed event":
				s.forgeRelease(t, name, sha)
				pr, err := s.gh.PR(ctx, "acme/config", s.pr)
				if err != nil {
					t.Fatal(err)
				}
				res, err := promotion.HandleClosed(ctx, s.gh, load, promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"})
				if err != nil || res.Release == nil {
					t.Fatalf("HandleClosed: %+v, %v", res, err)
				}
				got = res.Release.Tag
			case "sweep":
				s.forgeRelease(t, "deployed-by-erin", sha)
				done, err := promotion.Reconcile(ctx, s.gh, load, "acme/config")
				if err != nil || len(done) != 1 {
					t.Fatalf("the sweep released %d merges (%v); the writer's release of the merge commit hid it", len(done), err)
				}
				got = done[0].Release.Tag
			}
			if mine := s.batonReleases(t); len(mine) != 1 || mine[0] != got {
				t.Fatalf("Baton answered release %q; Baton's own releases: %v (the writer's release was taken for Baton's)", got, mine)
			}
			for _, r := range s.sim.Releases("acme/config") {
				if r.TagName == got && strings.Contains(r.Body, "| Approved by | @bob |") {
					t.Errorf("the release credits bob, who never approved:\n%s", r.Body)
				}
			}
		})
	}
}

// atMerge is Baton's client with something slipped in once around
// Baton's PUT …/merge: before it (a writer's retarget of the pull
// request, another merge moving the base between Baton's checks and its
// merge) or after it succeeded and before the release (a writer acting
// in that gap). merges counts Baton's merge attempts.
type atMerge struct {
	*forge.Client
	before, after func()
	merges        int
}

func (g *atMerge) Merge(ctx context.Context, repo string, number int, sha, method, title, message string) (string, error) {
	g.merges++
	if g.before != nil {
		g.before()
		g.before = nil
	}
	out, err := g.Client.Merge(ctx, repo, number, sha, method, title, message)
	if err == nil && g.after != nil {
		g.after()
		g.after = nil
	}
	return out, err
}

// The same in the gap between Baton's own merge and its inline release.
func TestAttackReleaseMadeFirstInTheMergeGap(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ev := s.comment(t, "bob", "/approve")
	name := "v" + s.clock.Now().Format("20060102150405")
	g := &atMerge{Client: s.gh}
	g.after = func() {
		pr, err := s.gh.PR(context.Background(), "acme/config", s.pr)
		if err != nil {
			t.Error(err)
			return
		}
		s.forgeRelease(t, name, pr.MergeSHA)
	}
	res, err := promotion.HandleComment(context.Background(), g, command.PolicyLoader(s.gh, "acme/config", ""), ev)
	if err != nil || !res.Merged || res.Release == nil {
		t.Fatalf("HandleComment: %+v, %v", res, err)
	}
	if mine := s.batonReleases(t); len(mine) != 1 || mine[0] != res.Release.Tag || res.Release.Tag == name {
		t.Fatalf("Baton answered release %q; Baton's own releases: %v (the writer's release was taken for Baton's)", res.Release.Tag, mine)
	}
}

// A writer retargets Baton's pull request to another branch between
// Baton's checks and its merge. GitHub merges it there (the merge takes
// the head's sha, not the base's); Baton must not tag and release that
// as a deployment of production, and must say what happened.
func TestAttackRetargetBetweenChecksAndMerge(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	if _, err := s.sim.Push("acme/config", "legacy", "adam", map[string]*string{"README": ptr("old\n")}, "legacy line"); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	g := &atMerge{Client: s.gh, before: func() {
		s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", s.pr), `{"base":"legacy"}`, 200)
	}}
	ev := s.comment(t, "bob", "/approve")
	res, err := promotion.HandleComment(context.Background(), g, command.PolicyLoader(s.gh, "acme/config", ""), ev)
	if err != nil {
		t.Fatalf("HandleComment: %v", err)
	}
	if res.Release != nil || len(s.sim.Releases("acme/config")) != 0 || len(s.sim.Refs("acme/config", "refs/tags/")) != 0 {
		t.Fatalf("a merge into legacy was released as a production deployment: %+v", res.Release)
	}
	if !strings.Contains(res.Reply, "legacy") || !strings.Contains(res.Reply, "not released") {
		t.Errorf("the reply does not say the merge went into legacy and is not released: %q", res.Reply)
	}
}

// A human merges Baton's pull request without any approval; before
// Baton's run, erin makes an annotated tag of the release's name on the
// merge commit whose message copies Baton's record and adds
// "Baton-Approved-By: bob". The tag is the audit record git log shows:
// Baton must not adopt it (nor release it) as its own.
func TestAttackAnnotatedTagWithForgedApprovers(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	name := "v" + s.clock.Now().Format("20060102150405")
	own, err := s.gh.Commit(ctx, "acme/config", s.head(t))
	if err != nil {
		t.Fatal(err)
	}
	sha, err := s.sim.Merge("acme/config", s.pr, "carol", "squash")
	if err != nil {
		t.Fatal(err)
	}
	msg := "web 1.5.0 → production\n\n" + strings.SplitN(own.Message, "\n\n", 2)[1] + fmt.Sprintf("Baton-Approved-By: bob\nBaton-PR: #%d\nBaton-Merged-By: carol\n", s.pr)
	if err := s.as(t, "erin").CreateTag(ctx, "acme/config", name, msg, sha); err != nil {
		t.Fatal(err)
	}
	pr, err := s.gh.PR(ctx, "acme/config", s.pr)
	if err != nil {
		t.Fatal(err)
	}
	res, err := promotion.HandleClosed(ctx, s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"})
	if err != nil || res.Release == nil {
		t.Fatalf("HandleClosed: %+v, %v", res, err)
	}
	if res.Release.Tag == name {
		t.Fatalf("Baton released erin's tag %s, whose message credits bob, as its record", name)
	}
	tag, err := s.gh.Tag(ctx, "acme/config", res.Release.Tag)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tag.Message, "Baton-Approved-By") {
		t.Errorf("Baton's tag credits approvers nobody gave:\n%s", tag.Message)
	}
}

// A writer merges Baton's pull request by hand before anyone approved it;
// an approver's /approve (and approving review) after the merge, before
// Baton's release ran, approved nothing that was merged: the release
// must not credit them.
func TestAttackApprovalAfterAHandMerge(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"comment", "review"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			ctx := context.Background()
			s.clock.Advance(time.Second)
			if _, err := s.sim.Merge("acme/config", s.pr, "erin", "squash"); err != nil {
				t.Fatal(err)
			}
			s.clock.Advance(time.Second)
			var res *promotion.Result
			switch how {
			case "comment":
				res = s.handle(t, s.comment(t, "bob", "/approve"))
			case "review":
				if _, err := s.sim.AddReview("acme/config", s.pr, "bob", "APPROVE", ""); err != nil {
					t.Skipf("the simulator refuses a review of a merged pull request (%v), as GitHub does", err)
				}
				pr, err := s.gh.PR(ctx, "acme/config", s.pr)
				if err != nil {
					t.Fatal(err)
				}
				if res, err = promotion.HandleClosed(ctx, s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"}); err != nil {
					t.Fatal(err)
				}
			}
			if res.Release == nil {
				t.Fatalf("not released: %+v", res)
			}
			rels := s.sim.Releases("acme/config")
			if len(rels) != 1 || strings.Contains(rels[0].Body, "@bob") || !strings.Contains(rels[0].Body, "| Approved by | no approval verified by Baton |") {
				t.Fatalf("the release credits an approval made after the merge:\n%+v", rels)
			}
		})
	}
}

// A writer pushes her own commit onto Baton's branch — 6.6.6, with
// Baton's trailers copied and a Baton-Run link and Baton-Actor of her
// choosing — and merges it herself. The merge happened, so Baton
// releases it as unverified; but nothing she wrote may appear as fact in
// the notes (no link of hers, no one pinged), and an unverified release is
// not marked the latest deployment.
func TestAttackHandMergedForgedCommitNotes(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	evil := strings.ReplaceAll(stagingYAML, "1.4.0", "6.6.6")
	msg := "chore(production): bump web to 6.6.6\n\nBaton-App: web\nBaton-Env: production\nBaton-Image: ghcr.io/acme/web:6.6.6\nBaton-From: 1.3.0\nBaton-Source: acme/web@" + strings.Repeat("b", 40) +
		"\nBaton-Run: https://evil.example/acme/web/actions/runs/1\nBaton-Actor: carol\nBaton-Approved-By: bob\n"
	s.clock.Advance(time.Second)
	if _, err := s.sim.PushCommit("acme/config", "baton/production/web", "erin", ghsimCommit(evil, msg, s.sim.Ref("acme/config", "refs/heads/main"))); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	if _, err := s.sim.Merge("acme/config", s.pr, "erin", "squash"); err != nil {
		t.Fatal(err)
	}
	pr, err := s.gh.PR(ctx, "acme/config", s.pr)
	if err != nil {
		t.Fatal(err)
	}
	res, err := promotion.HandleClosed(ctx, s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"})
	if err != nil || res.Release == nil {
		t.Fatalf("HandleClosed: %+v, %v", res, err)
	}
	rels := s.sim.Releases("acme/config")
	if len(rels) != 1 {
		t.Fatalf("%d releases", len(rels))
	}
	body := rels[0].Body
	if !strings.Contains(body, "| Content | not verified by Baton: ") {
		t.Fatalf("notes do not say the content is unverified:\n%s", body)
	}
	for _, bad := range []string{"evil.example", "@carol", "@bob"} {
		if strings.Contains(body, bad) {
			t.Errorf("notes of unverified content carry the writer's %q:\n%s", bad, body)
		}
	}
	if rels[0].Latest {
		t.Errorf("the unverified release is marked the latest deployment")
	}
}

func ghsimCommit(content, message, parent string) ghsim.CommitOptions {
	return ghsim.CommitOptions{Files: map[string]*string{"environments/production/web-deployment.yaml": &content}, Message: message, Parent: parent}
}
