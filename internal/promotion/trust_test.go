package promotion_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// The tests in this file perform, in the simulator, the attacks of the
// trust issue (rows 1–6, 10, 14) as a writer who is not an approver
// (erin), a triage user (tess) or a reader (dave) would, and show each
// fails with a reply that says why; and the positive cases that must
// still merge. README.md "Security: the trust model" lists the rows.

// checks runs the merge path as a check event on the pull request.
func (s *stage) checks(t *testing.T, number int) *promotion.Result {
	t.Helper()
	results, err := promotion.HandleChecks(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", Number: number})
	if err != nil {
		t.Fatalf("HandleChecks: %v", err)
	}
	if len(results) != 1 {
		t.Fatalf("HandleChecks: %d results", len(results))
	}
	return results[0]
}

// as is a client acting as login.
func (s *stage) as(t *testing.T, login string) *forge.Client {
	t.Helper()
	gh, err := forge.New(context.Background(), forge.Options{Token: s.sim.Token(login), APIURL: s.url, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return gh
}

// api sends one REST request as login and fails the test unless GitHub
// answers with want.
func (s *stage) api(t *testing.T, login, method, path, body string, want int) {
	t.Helper()
	r, err := http.NewRequest(method, s.url+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "token "+s.sim.Token(login))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %s: %d, want %d", method, path, login, resp.StatusCode, want)
	}
}

func (s *stage) head(t *testing.T) string {
	t.Helper()
	return s.sim.PullRequests("acme/config")[0].PR.HeadSHA
}

// Row 1: a writer edits an approver's ordinary comment into /approve and
// triggers a run: the edited comment counts for nothing.
func TestAttackEditedCommentIntoApprove(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.clock.Advance(time.Second)
	id, err := s.sim.AddComment("acme/config", s.pr, "bob", "Looks like the right image to me")
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	if err := s.sim.EditComment("acme/config", id, "erin", "/approve"); err != nil {
		t.Fatal(err)
	}
	for _, trigger := range []string{"/unhold", "status"} {
		var res *promotion.Result
		if trigger == "status" {
			res = s.checks(t, s.pr)
		} else {
			res = s.handle(t, s.comment(t, "erin", trigger))
		}
		if res.Merged || s.merged(t) {
			t.Fatalf("%s: merged on an edited comment: %+v", trigger, res)
		}
		if trigger != "status" && !strings.Contains(res.Reply, "A `/approve` comment by `@bob` was edited at") {
			t.Errorf("%s: reply does not say why: %q", trigger, res.Reply)
		}
	}
	if len(s.sim.Releases("acme/config")) != 0 {
		t.Error("released")
	}
}

// Row 2: after an approver approved the 1.5.1 head of a superseded pull
// request, a writer force-pushes Baton's own earlier 1.5.0 commit back.
func TestAttackForcePushBatonsOlderCommit(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	old := s.head(t)
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.Ref = "refs/heads/main"
	if out, err := bump(context.Background(), s.gh, r); err != nil || out.Outcome != promotion.Updated {
		t.Fatalf("supersede: %+v, %v", out, err)
	}
	s.clock.Advance(time.Minute)
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 405, Times: 1})
	if res := s.handle(t, s.comment(t, "bob", "/approve")); res.Merged {
		t.Fatal("the fault did not hold the merge")
	}
	s.clock.Advance(time.Second)
	if err := s.sim.ForcePush("acme/config", "baton/production/web", "erin", old); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	res := s.checks(t, s.pr)
	if res.Merged || s.merged(t) {
		t.Fatalf("1.5.0 merged on the 1.5.1 approval: %+v", res)
	}
	if want := "was put on `baton/production/web` by `@erin` (force push at"; !strings.Contains(res.Reply, want) {
		t.Errorf("reply %q\nwant it to contain %q", res.Reply, want)
	}
}

// Row 2, the binding itself: an approval given before Baton's own
// supersede does not count for the new head, and the reply says so
// without "counted".
func TestApprovalBindsToTheHeadAtItsTime(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if !strings.Contains(res.Reply, "Approval by `@bob` counted. Approvals: 1 of 2 (`@bob`)") {
		t.Fatalf("first approval: %q", res.Reply)
	}
	r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", "")
	r.Ref = "refs/heads/main"
	s.clock.Advance(time.Minute)
	if _, err := bump(context.Background(), s.gh, r); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Minute)
	res = s.handle(t, s.comment(t, "carol", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Approval by `@carol` counted. Approvals: 1 of 2 (`@carol`)") {
		t.Fatalf("after the supersede: %q", res.Reply)
	}
}

// Same-second approvals: on a pull request whose head never moved since
// it was opened, an approval in the branch's creation second counts; after
// a push in the same second, with nothing to order the two, it does not,
// and the reply asks for a new approval; Baton's own marker comment for
// that head orders them.
func TestSameSecondApprovals(t *testing.T) {
	t.Parallel()
	t.Run("unchanged pull request counts", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		s.clock.Advance(-time.Minute) // back to the second of the bump
		id, err := s.sim.AddComment("acme/config", s.pr, "bob", "/approve")
		if err != nil {
			t.Fatal(err)
		}
		res := s.handle(t, promotion.CommentEvent{Repo: "acme/config", Number: s.pr, IsPR: true, CommentID: id, Author: "bob", AuthorType: "User", Body: "/approve", Action: "created", CreatedAt: s.clock.Now()})
		if !res.Merged || !strings.Contains(res.Reply, "Approval by `@bob` counted. Merged as") {
			t.Fatalf("same-second approval of an unchanged pull request: %+v", res)
		}
	})
	for _, marked := range []bool{false, true} {
		t.Run(fmt.Sprintf("after a push, marker %v", marked), func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", "")
			r.Ref = "refs/heads/main"
			if _, err := bump(context.Background(), s.gh, r); err != nil {
				t.Fatal(err)
			}
			if !marked {
				// The bump's "superseded" comment carries the marker; a
				// writer who edits it leaves no evidence of the order.
				for _, c := range s.sim.Comments("acme/config", s.pr) {
					if strings.Contains(c.Body, promotion.HeadMarker(s.head(t))) {
						if err := s.sim.EditComment("acme/config", c.ID, "bob", "Superseded."); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			id, err := s.sim.AddComment("acme/config", s.pr, "bob", "/approve")
			if err != nil {
				t.Fatal(err)
			}
			res := s.handle(t, promotion.CommentEvent{Repo: "acme/config", Number: s.pr, IsPR: true, CommentID: id, Author: "bob", AuthorType: "User", Body: "/approve", Action: "created", CreatedAt: s.clock.Now()})
			if marked {
				if !res.Merged {
					t.Fatalf("approval after Baton's marker did not count: %+v", res)
				}
				return
			}
			if res.Merged || strings.Contains(res.Reply, "counted") || !strings.Contains(res.Reply, "`@bob` your approval does not count: it was made in the same second") || !strings.Contains(res.Reply, "please comment `/approve` again") {
				t.Fatalf("undecidable order: %+v", res)
			}
		})
	}
}

// Row 3: with a token (no App), a writer pushes one commit attributed to
// Baton's user by e-mail, with 6.6.6 and Baton's trailers copied, a
// Baton-Since far in the past and a 2001 committer date.
func TestAttackCommitForgedAsBaton(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 405, Times: 1})
	if res := s.handle(t, s.comment(t, "bob", "/approve")); res.Merged {
		t.Fatal("the fault did not hold the merge")
	}
	own, err := s.gh.Commit(context.Background(), "acme/config", s.head(t))
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.ReplaceAll(stagingYAML, "1.4.0", "6.6.6")
	msg := strings.ReplaceAll(own.Message, "1.5.0", "6.6.6") + "Baton-Since: 2001-01-01T00:00:00Z\n"
	baton, _ := s.sim.User("baton")
	when := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	sig := ghsim.Signature{Name: "baton", Email: fmt.Sprintf("%d+baton@users.noreply.github.com", baton.ID), When: when}
	main := s.sim.Ref("acme/config", "refs/heads/main")
	s.clock.Advance(time.Second)
	if _, err := s.sim.PushCommit("acme/config", "baton/production/web", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/production/web-deployment.yaml": &evil}, Message: msg, Author: sig, Committer: sig, Parent: main,
	}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	res := s.checks(t, s.pr)
	if res.Merged || s.merged(t) {
		t.Fatalf("6.6.6 merged: %+v", res)
	}
	if !strings.Contains(res.Reply, "by `@erin` (force push at") || !strings.Contains(res.Reply, "not by Baton") {
		t.Errorf("reply %q", res.Reply)
	}
	// A fresh approval of the forged commit does not help either.
	res = s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "not by Baton") {
		t.Errorf("approved forged commit: %+v", res)
	}
}

// Row 4: a writer opens a pull request by hand on baton/staging/web with
// the baton label, downgrading past versions:; Baton replies and does
// nothing.
func TestAttackHandOpenedBatonBranch(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "merge: auto", "merge: auto\n    versions: \">= 1.0.0\"", 1))
	old := strings.ReplaceAll(stagingYAML, "1.4.0", "0.9.0")
	if _, err := s.sim.PushCommit("acme/config", "baton/staging/web", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &old}, Message: "chore(staging): bump web to 0.9.0\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:0.9.0\n",
	}); err != nil {
		t.Fatal(err)
	}
	erin := s.as(t, "erin")
	pr, err := erin.CreatePR(context.Background(), "acme/config", githost.NewPR{Title: "chore(staging): bump web to 0.9.0", Head: "baton/staging/web", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if err := erin.AddLabels(context.Background(), "acme/config", pr.Number, []string{"baton", "env:staging"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res := s.checks(t, pr.Number)
		if res.Merged {
			t.Fatalf("hand-opened pull request merged: %+v", res)
		}
		if want := "Baton does nothing with pull request #2: it was opened by `@erin`, not by Baton (`@baton`)"; !strings.HasPrefix(res.Reply, want) {
			t.Errorf("reply %q\nwant %q", res.Reply, want)
		}
	}
	if n := len(s.sim.Comments("acme/config", pr.Number)); n != 1 {
		t.Errorf("%d replies; Baton says it once", n)
	}
}

// Row 4, the environment's rules at merge time: Baton's own pull request
// whose version the policy no longer takes is not merged.
func TestVersionsAppliedAgainAtMerge(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	// The policy on main changes after the bump: production takes 2.x only.
	pol := strings.Replace(reviewPolicy, "self-approval: false", "self-approval: false\n    versions: \">= 2.0.0\"", 1)
	if _, err := s.sim.Push("acme/config", "main", "adam", map[string]*string{".baton.yaml": &pol}, "production takes 2.x"); err != nil {
		t.Fatal(err)
	}
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "version 1.5.0 does not satisfy environment production's versions: >= 2.0.0") {
		t.Fatalf("%+v", res)
	}
}

// Row 5: a writer retargets Baton's pull request to another base: Baton
// neither merges it there nor releases a human merge of it.
func TestAttackRetargetedBase(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	if _, err := s.sim.Push("acme/config", "legacy", "adam", map[string]*string{"README": ptr("old\n")}, "legacy line"); err != nil {
		t.Fatal(err)
	}
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", s.pr), `{"base":"legacy"}`, 200)
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || s.merged(t) || !strings.Contains(res.Reply, "its base is `legacy`, not the default branch `main` (someone retargeted it)") {
		t.Fatalf("retargeted: %+v", res)
	}
	if _, err := s.sim.Merge("acme/config", s.pr, "erin", "squash"); err != nil {
		t.Fatal(err)
	}
	pr, err := s.gh.PR(context.Background(), "acme/config", s.pr)
	if err != nil {
		t.Fatal(err)
	}
	closed, err := promotion.HandleClosed(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"})
	if err != nil || closed.Release != nil || !strings.Contains(closed.Ignored, "not the default branch") {
		t.Fatalf("released a merge into legacy: %+v, %v", closed, err)
	}
	if len(s.sim.Releases("acme/config")) != 0 || len(s.sim.Refs("acme/config", "refs/tags/")) != 0 {
		t.Error("tagged or released")
	}
}

// Row 6: a triage user removes the hold and changes-requested labels; an
// approving review by another approver does not clear a changes request.
func TestAttackLabelsDoNotHoldState(t *testing.T) {
	t.Parallel()
	t.Run("hold", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		if err := s.sim.SetPermission("acme/config", "tess", "triage"); err != nil {
			t.Fatal(err)
		}
		s.handle(t, s.comment(t, "erin", "/hold"))
		s.api(t, "tess", "DELETE", fmt.Sprintf("/repos/acme/config/issues/%d/labels/baton:hold", s.pr), "", 200)
		res := s.handle(t, s.comment(t, "bob", "/approve"))
		if res.Merged || !strings.Contains(res.Reply, "Approval by `@bob` counted. Not merging: held by `@erin`") {
			t.Fatalf("hold gone with its label: %+v", res)
		}
		if pr := s.sim.PullRequests("acme/config")[0]; !strings.Contains(fmt.Sprint(pr.Labels), promotion.LabelHold) {
			t.Errorf("label not put back: %v", pr.Labels)
		}
		// A triage user's /unhold is refused; a writer's releases it.
		if res := s.handle(t, s.comment(t, "tess", "/unhold")); !strings.Contains(res.Reply, "`/unhold` refused") {
			t.Fatalf("triage unhold: %+v", res)
		}
		if res := s.handle(t, s.comment(t, "erin", "/unhold")); !res.Merged {
			t.Fatalf("unhold: %+v", res)
		}
	})
	t.Run("changes requested", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		if err := s.sim.SetPermission("acme/config", "tess", "triage"); err != nil {
			t.Fatal(err)
		}
		s.review(t, "carol", "REQUEST_CHANGES")
		s.api(t, "tess", "DELETE", fmt.Sprintf("/repos/acme/config/issues/%d/labels/baton:changes-requested", s.pr), "", 200)
		res := s.handle(t, s.comment(t, "bob", "/approve"))
		if res.Merged || !strings.Contains(res.Reply, "Approval by `@bob` counted. Not merging: changes were requested in a review by `@carol`") {
			t.Fatalf("label removal cleared the changes request: %+v", res)
		}
		res = s.review(t, "bob", "APPROVE")
		if res.Merged || !strings.Contains(res.Reply, "changes were requested in a review by `@carol`") {
			t.Fatalf("another approver's review cleared carol's changes request: %+v", res)
		}
		if res := s.review(t, "carol", "APPROVE"); !res.Merged {
			t.Fatalf("carol's approval: %+v", res)
		}
	})
	t.Run("another approver's review", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		s.review(t, "carol", "REQUEST_CHANGES")
		res := s.review(t, "bob", "APPROVE")
		if res.Merged || !strings.Contains(res.Reply, "Approving review by `@bob` counted. Not merging: changes were requested in a review by `@carol`") {
			t.Fatalf("bob's approving review cleared carol's changes request: %+v", res)
		}
	})
}

// Row 10: the promotion's actor renamed is still the actor (ids, not
// logins); an approver renamed keeps the approval.
func TestRenamesKeepIdentity(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	s.sim.SetTeamMember("acme", "sre", "erin", "member", "active")
	erin, _ := s.sim.User("erin")
	// Baton's commit records erin (by id) as who triggered the build.
	own, err := s.gh.Commit(context.Background(), "acme/config", s.head(t))
	if err != nil {
		t.Fatal(err)
	}
	msg := regexp.MustCompile(`Baton-Actor: alice\nBaton-Actor-ID: \d+`).ReplaceAllString(own.Message, fmt.Sprintf("Baton-Actor: erin\nBaton-Actor-ID: %d", erin.ID))
	if msg == own.Message {
		t.Fatalf("no actor trailer in\n%s", own.Message)
	}
	s.clock.Advance(time.Second)
	main := s.sim.Ref("acme/config", "refs/heads/main")
	tree, err := s.gh.CreateTree(context.Background(), "acme/config", mustCommit(t, s.gh, main).Tree, map[string][]byte{"environments/production/web-deployment.yaml": []byte(strings.ReplaceAll(stagingYAML, "1.4.0", "1.5.0"))})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.gh.CreateCommit(context.Background(), "acme/config", msg, tree, []string{main})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.gh.UpdateRef(context.Background(), "acme/config", "heads/baton/production/web", c.SHA, true); err != nil {
		t.Fatal(err)
	}
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if !strings.Contains(res.Reply, "Approvals: 1 of 2 (`@bob`)") {
		t.Fatalf("bob: %q", res.Reply)
	}
	if err := s.sim.RenameUser("bob", "robert"); err != nil {
		t.Fatal(err)
	}
	if err := s.sim.RenameUser("erin", "erin-renamed"); err != nil {
		t.Fatal(err)
	}
	res = s.handle(t, s.comment(t, "erin-renamed", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "`@erin-renamed` triggered this promotion") {
		t.Fatalf("renamed actor approved their own promotion: %+v", res)
	}
	res = s.handle(t, s.comment(t, "carol", "/approve"))
	if !res.Merged || !strings.Contains(res.Release.Name, "1.5.0") {
		t.Fatalf("robert's (bob's) approval was lost: %+v", res)
	}
}

// Row 14: required checks name their source; a writer's same-named
// status, or another App's check run, does not satisfy them.
func TestAttackRequiredCheckFromAnotherSource(t *testing.T) {
	t.Parallel()
	pol := strings.Replace(reviewPolicy, "self-approval: false", "self-approval: false\n    checks: [security-scan, {status: deploy/preview, creator: ci}]", 1)
	s := newStage(t, pol)
	head := s.head(t)
	other, err := s.sim.AddApp("scanner-lookalike")
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []error{
		s.sim.SetStatus("acme/config", head, "security-scan", "success", "erin"),
		s.sim.SetStatus("acme/config", head, "deploy/preview", "success", "erin"),
		s.sim.SetCheckRunBy("acme/config", head, "security-scan", "completed", "success", other),
	} {
		if set != nil {
			t.Fatal(set)
		}
	}
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "check run security-scan (app github-actions) has not reported") || !strings.Contains(res.Reply, "status deploy/preview (by `@ci`) has not reported") {
		t.Fatalf("checks from the wrong sources: %+v", res)
	}
	if err := s.sim.SetCheckRun("acme/config", head, "security-scan", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	if err := s.sim.SetStatus("acme/config", head, "deploy/preview", "success", "ci"); err != nil {
		t.Fatal(err)
	}
	if res := s.checks(t, s.pr); !res.Merged {
		t.Fatalf("checks from their sources: %+v", res)
	}
}

func mustCommit(t *testing.T, gh *forge.Client, sha string) *githost.Commit {
	t.Helper()
	c, err := gh.Commit(context.Background(), "acme/config", sha)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr(s string) *string { return &s }

// appWorld is a World where Baton runs as its GitHub App, with one open
// staging promotion of 1.5.0 (the default policy: one approval by a
// writer).
func appWorld(t *testing.T) (*ghsimtest.World, *forge.Client, int) {
	t.Helper()
	// The App's JWT carries the wall clock's issue time, which the
	// simulator checks against its own clock: start that clock now.
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true, Start: time.Now().UTC().Truncate(time.Second)})
	ctx := context.Background()
	gh, err := forge.New(ctx, forge.Options{AppID: w.App.ID, PrivateKey: w.App.PrivateKeyPEM(), Repo: w.Config, AlsoRead: []string{w.AppRepo}, APIURL: w.URL, Sleep: w.Clock.SleepContext})
	if err != nil {
		t.Fatal(err)
	}
	r := ranIn(t, w.Sim, req(t, "ghcr.io/acme/web:1.5.0"), "alice", "")
	out, err := bump(ctx, gh, r)
	if err != nil || out.Outcome != promotion.Created {
		t.Fatalf("bump: %+v, %v", out, err)
	}
	w.Clock.Advance(time.Minute)
	return w, gh, out.PR.Number
}

func appChecks(t *testing.T, w *ghsimtest.World, gh *forge.Client, number int) *promotion.Result {
	t.Helper()
	results, err := promotion.HandleChecks(context.Background(), gh, command.PolicyLoader(gh, w.Config, ""), promotion.MergeEvent{Repo: w.Config, Number: number})
	if err != nil || len(results) != 1 {
		t.Fatalf("HandleChecks: %+v, %v", results, err)
	}
	return results[0]
}

// Baton as a GitHub App: its own signed commit merges; a writer's commit
// with the same content and record, pushed over it, does not.
func TestAppSignedCommits(t *testing.T) {
	t.Parallel()
	t.Run("Baton's signed commit merges", func(t *testing.T) {
		t.Parallel()
		w, gh, n := appWorld(t)
		head := w.Sim.PullRequests(w.Config)[0].PR.HeadSHA
		if c := mustCommitIn(t, gh, w.Config, head); !c.Verified {
			t.Fatalf("Baton's App commit is not verified: %+v", c)
		}
		if _, err := w.Sim.AddComment(w.Config, n, ghsimtest.Approver, "/approve"); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Second)
		if res := appChecks(t, w, gh, n); !res.Merged || res.Release == nil {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("a writer's copy does not", func(t *testing.T) {
		t.Parallel()
		w, gh, n := appWorld(t)
		pr := w.Sim.PullRequests(w.Config)[0].PR
		own := mustCommitIn(t, gh, w.Config, pr.HeadSHA)
		content, err := w.Sim.FileAt(w.Config, pr.HeadSHA, "environments/staging/web-deployment.yaml")
		if err != nil {
			t.Fatal(err)
		}
		bot := ghsim.Signature{Name: "baton[bot]", Email: "baton[bot]@users.noreply.github.com", When: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := w.Sim.PushCommit(w.Config, pr.Head, ghsimtest.Writer, ghsim.CommitOptions{
			Files: map[string]*string{"environments/staging/web-deployment.yaml": &content}, Message: own.Message, Author: bot, Committer: bot,
			Parent: w.Sim.Ref(w.Config, "refs/heads/main"),
		}); err != nil {
			t.Fatal(err)
		}
		res := appChecks(t, w, gh, n)
		if res.Merged || !strings.Contains(res.Reply, "by `@erin` (force push at") {
			t.Fatalf("%+v", res)
		}
	})
}

func mustCommitIn(t *testing.T, gh *forge.Client, repo, sha string) *githost.Commit {
	t.Helper()
	c, err := gh.Commit(context.Background(), repo, sha)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Labels decide nothing: with the baton label removed by a triage user,
// Baton's pull request is still Baton's (and /approve is not ignored).
func TestBatonLabelRemovedStillBatons(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	if err := s.sim.SetPermission("acme/config", "tess", "triage"); err != nil {
		t.Fatal(err)
	}
	s.api(t, "tess", "DELETE", fmt.Sprintf("/repos/acme/config/issues/%d/labels/baton", s.pr), "", 200)
	if res := s.handle(t, s.comment(t, "bob", "/approve")); !res.Merged {
		t.Fatalf("%+v", res)
	}
}

// Row 4, no downgrade at merge: when what runs on the base became newer
// than the promotion's image after the bump, Baton neither rebuilds into
// a downgrade nor merges it.
func TestNoDowngradeAtMerge(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	newer := strings.ReplaceAll(stagingYAML, "1.4.0", "1.6.0")
	if _, err := s.sim.Push("acme/config", "main", "adam", map[string]*string{"environments/production/web-deployment.yaml": &newer}, "hotfix 1.6.0"); err != nil {
		t.Fatal(err)
	}
	head := s.head(t)
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || s.merged(t) || !strings.Contains(res.Reply, "now runs 1.6.0 on main; refusing to downgrade from 1.6.0 to 1.5.0") {
		t.Fatalf("%+v", res)
	}
	if s.head(t) != head {
		t.Error("rebuilt into a downgrade")
	}
}

// A review binds to its commit_id: an approving review of an earlier head
// does not count for the current one, and the reply says so.
func TestReviewBindsToItsCommit(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	if res := s.review(t, "bob", "APPROVE"); !strings.Contains(res.Reply, "Approving review by `@bob` counted. Approvals: 1 of 2 (`@bob`)") {
		t.Fatalf("first review: %q", res.Reply)
	}
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.Ref = "refs/heads/main"
	s.clock.Advance(time.Minute)
	if _, err := bump(context.Background(), s.gh, r); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Minute)
	res, err := promotion.HandleReview(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ReviewEvent{Repo: "acme/config", Number: s.pr, Author: "bob", State: "approved", Action: "submitted"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || strings.Contains(res.Reply, "counted") || !strings.Contains(res.Reply, "`@bob` your approving review does not count: the review is of") {
		t.Fatalf("stale review: %+v", res)
	}
}
