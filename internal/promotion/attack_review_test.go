package promotion_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// The attacks in this file go after the review side with what a writer
// who is not an approver (erin), a triage user (tess), a reader (dave) or
// an account with no access (mallory, as an outsider commenting on a
// public repository would) can do: forged hidden markers, commands
// without the rights, hand merges and dismissals.

// A writer writes Baton's hidden markers into her own comment: the reply
// marker of the comment id bob's next comment will get (ids are
// sequential), and the head marker of the head Baton just pushed, after
// deleting Baton's own "superseded" comment that carried the real one (a
// writer may delete anyone's comment). Neither forgery counts: bob's
// /approve is answered, and his approval made in the same second as the
// push stays undecided.
func TestAttackForgedMarkersInAWritersComment(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	r := req(t, "ghcr.io/acme/web:1.5.1")
	r.Ref = "refs/heads/main"
	if _, err := bump(context.Background(), s.gh, r); err != nil {
		t.Fatal(err)
	}
	head := s.head(t)
	for _, c := range s.sim.Comments("acme/config", s.pr) {
		if strings.Contains(c.Body, promotion.HeadMarker(head)) {
			if err := s.sim.DeleteComment("acme/config", c.ID, "erin"); err != nil {
				t.Fatal(err)
			}
		}
	}
	id, err := s.sim.AddComment("acme/config", s.pr, "erin", "Superseded.\n"+promotion.HeadMarker(head))
	if err != nil {
		t.Fatal(err)
	}
	// The reply markers of the next ids, in an edit of her own comment and
	// in a new one.
	next := id + 1
	if err := s.sim.EditComment("acme/config", id, "erin", fmt.Sprintf("Superseded.\n%s\n<!-- baton:reply %d -->\n<!-- baton:reply %d -->", promotion.HeadMarker(head), next, next+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.sim.AddComment("acme/config", s.pr, "erin", fmt.Sprintf("%s\n<!-- baton:reply %d -->\n<!-- baton:reply %d -->", promotion.HeadMarker(head), next+1, next+2)); err != nil {
		t.Fatal(err)
	}
	bob, err := s.sim.AddComment("acme/config", s.pr, "bob", "/approve")
	if err != nil {
		t.Fatal(err)
	}
	res := s.handle(t, promotion.CommentEvent{Repo: "acme/config", Number: s.pr, IsPR: true, CommentID: bob, Author: "bob", AuthorType: "User", Body: "/approve", Action: "created", CreatedAt: s.clock.Now()})
	if res.Ignored != "" || res.Reply == "" {
		t.Fatalf("a writer's forged reply marker silenced bob's /approve: %+v", res)
	}
	if res.Merged || strings.Contains(res.Reply, "counted") || !strings.Contains(res.Reply, "in the same second") {
		t.Fatalf("a writer's forged head marker ordered bob's same-second approval: %+v", res)
	}
}

// Commands from people without the rights: a reader's /hold holds
// nothing, their /cancel closes nothing, their /approve and a triage
// user's or an outsider's count for nothing; each is answered.
func TestAttackCommandsWithoutRights(t *testing.T) {
	t.Parallel()
	// approvals: 1 from anyone with write access (no approvers list).
	pol := strings.Replace(reviewPolicy, "    approvers: [\"@acme/sre\", \"carol\"]\n", "", 1)
	s := newStage(t, pol)
	if err := s.sim.SetPermission("acme/config", "tess", "triage"); err != nil {
		t.Fatal(err)
	}
	s.sim.AddUser("mallory")
	for _, c := range []struct{ who, cmd, want string }{
		{"dave", "/hold", "`/hold` refused: it needs write access to acme/config, and `@dave` has read"},
		{"dave", "/cancel", "`/cancel` refused"},
		{"mallory", "/hold", "`/hold` refused"},
		{"dave", "/approve", "`@dave`: your approval does not count: it needs write access"},
		{"tess", "/approve", "`@tess`: your approval does not count: it needs write access"},
		{"mallory", "/approve", "`@mallory`: your approval does not count"},
	} {
		res := s.handle(t, s.comment(t, c.who, c.cmd))
		if res.Merged || !strings.Contains(res.Reply, c.want) {
			t.Fatalf("%s by %s: %+v\nwant %q", c.cmd, c.who, res, c.want)
		}
	}
	if pr := s.sim.PullRequests("acme/config")[0]; pr.State != "open" || strings.Contains(fmt.Sprint(pr.Labels), promotion.LabelHold) {
		t.Fatalf("a reader's command changed the pull request: %s %v", pr.State, pr.Labels)
	}
	// The reader's and the outsider's /hold hold nothing: a writer's
	// approval merges.
	if res := s.handle(t, s.comment(t, "bob", "/approve")); !res.Merged {
		t.Fatalf("a reader's /hold held the merge: %+v", res)
	}
}

// An approver's /approve edited afterwards by a writer (here to add a
// remark, keeping the command) counts for nothing, like any edited
// comment.
func TestAttackApprovalEditedAfterwards(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	ev := s.comment(t, "bob", "/approve")
	if res := s.handle(t, ev); !strings.Contains(res.Reply, "Approvals: 1 of 2") {
		t.Fatalf("%+v", res)
	}
	s.clock.Advance(time.Second)
	if err := s.sim.EditComment("acme/config", ev.CommentID, "erin", "/approve and also ship 6.6.6"); err != nil {
		t.Fatal(err)
	}
	res := s.handle(t, s.comment(t, "carol", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Approvals: 1 of 2 (`@carol`)") || !strings.Contains(res.Reply, "by `@bob` was edited at") {
		t.Fatalf("an edited approval counted: %+v", res)
	}
}

// A writer merges Baton's pull request by hand (no approval) with a merge
// message copying Baton's record and naming approvers: the release
// credits nobody.
func TestAttackHandMergeMessageForgesApprovers(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	own, err := s.gh.Commit(ctx, "acme/config", s.head(t))
	if err != nil {
		t.Fatal(err)
	}
	record := strings.SplitN(own.Message, "\n\n", 2)[1]
	msg := record + fmt.Sprintf("Baton-Approved-By: bob, carol\nBaton-PR: #%d\n", s.pr)
	if _, err := s.as(t, "erin").Merge(ctx, "acme/config", s.pr, s.head(t), "squash", "chore(production): bump web to 1.5.0", msg); err != nil {
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
	if len(rels) != 1 || !strings.Contains(rels[0].Body, "| Approved by | no approval verified by Baton |") || strings.Contains(rels[0].Body, "@bob") || strings.Contains(rels[0].Body, "@carol") {
		t.Fatalf("the release credits the merge message's approvers:\n%+v", rels)
	}
	tag, err := s.gh.Tag(ctx, "acme/config", res.Release.Tag)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tag.Message, "Baton-Approved-By") {
		t.Errorf("the tag credits the merge message's approvers:\n%s", tag.Message)
	}
}

// A writer dismisses reviews (GitHub lets anyone with write access do it
// unless branch protection restricts dismissals). Dismissing an
// approver's approval takes it away; dismissing a changes request lifts
// that block, as GitHub's own rules do, but approves nothing: without an
// approval Baton does not merge.
func TestAttackDismissedReviewsByAWriter(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.review(t, "carol", "REQUEST_CHANGES")
	reviews := s.reviewIDs(t)
	s.api(t, "erin", "PUT", fmt.Sprintf("/repos/acme/config/pulls/%d/reviews/%d/dismissals", s.pr, reviews["carol"]), `{"message":"stale"}`, 200)
	res := s.checks(t, s.pr)
	if res.Merged || res.Waiting != "approvals" {
		t.Fatalf("after erin dismissed carol's changes request: %+v", res)
	}
	// bob approves by review; erin dismisses it: it no longer counts.
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 405, Times: 1})
	s.review(t, "bob", "APPROVE")
	reviews = s.reviewIDs(t)
	s.api(t, "erin", "PUT", fmt.Sprintf("/repos/acme/config/pulls/%d/reviews/%d/dismissals", s.pr, reviews["bob"]), `{"message":"no"}`, 200)
	s.clock.Advance(time.Second)
	if res := s.checks(t, s.pr); res.Merged || res.Waiting != "approvals" {
		t.Fatalf("a dismissed approval counted: %+v", res)
	}
}

// reviewIDs maps each reviewer to their latest review's id.
func (s *stage) reviewIDs(t *testing.T) map[string]int64 {
	t.Helper()
	list, err := s.gh.Reviews(context.Background(), "acme/config", s.pr)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range list {
		out[r.User.Login] = r.ID
	}
	return out
}

// A writer opens a pull request by hand on baton/staging/web and merges
// it herself: neither the closed event nor the sweep releases it.
func TestAttackSweepIgnoresAHandOpenedMerge(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	old := strings.ReplaceAll(stagingYAML, "1.4.0", "0.9.0")
	if _, err := s.sim.PushCommit("acme/config", "baton/staging/web", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &old}, Message: "chore(staging): bump web to 0.9.0\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:0.9.0\nBaton-Approved-By: bob\n",
	}); err != nil {
		t.Fatal(err)
	}
	erin := s.as(t, "erin")
	pr, err := erin.CreatePR(ctx, "acme/config", githost.NewPR{Title: "chore(staging): bump web to 0.9.0", Head: "baton/staging/web", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.sim.Merge("acme/config", pr.Number, "erin", "merge"); err != nil {
		t.Fatal(err)
	}
	load := command.PolicyLoader(s.gh, "acme/config", "")
	merged, err := s.gh.PR(ctx, "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := promotion.HandleClosed(ctx, s.gh, load, promotion.ClosedEvent{Repo: "acme/config", PR: merged, Action: "closed"}); err != nil || res.Release != nil {
		t.Fatalf("closed event released a hand-opened merge: %+v, %v", res, err)
	}
	if done, err := promotion.Reconcile(ctx, s.gh, load, "acme/config"); err != nil || len(done) != 0 {
		t.Fatalf("the sweep released a hand-opened merge: %+v, %v", done, err)
	}
	if n := len(s.sim.Releases("acme/config")); n != 0 {
		t.Errorf("%d releases", n)
	}
}

// A writer closes Baton's pull request, force-pushes the branch to her
// content and back to Baton's own commit, and reopens it: the head is
// Baton's commit again, but the push that put it there is hers.
func TestAttackCloseForcePushBackReopen(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	own := s.head(t)
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", s.pr), `{"state":"closed"}`, 200)
	evil := strings.ReplaceAll(stagingYAML, "1.4.0", "6.6.6")
	s.clock.Advance(time.Second)
	if _, err := s.sim.Push("acme/config", "baton/production/web", "erin", map[string]*string{"environments/production/web-deployment.yaml": &evil}, "6.6.6"); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	if err := s.sim.ForcePush("acme/config", "baton/production/web", "erin", own); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	s.api(t, "erin", "PATCH", fmt.Sprintf("/repos/acme/config/pulls/%d", s.pr), `{"state":"open"}`, 200)
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || s.merged(t) || !strings.Contains(res.Reply, "by `@erin`") {
		t.Fatalf("merged after a writer's force-push back: %+v", res)
	}
}

// A writer edits one of Baton's own replies (any writer can edit any
// comment) to add the reply markers of the comment ids bob's next
// commands will get: Baton must not take the edited reply for its answer
// and stay silent — the /cancel would not close, the /approve would not
// merge now.
func TestAttackWriterEditsBatonsReplyToAddMarkers(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	first := s.handle(t, s.comment(t, "bob", "/approve"))
	if !strings.Contains(first.Reply, "Approvals: 1 of 2") {
		t.Fatalf("%+v", first)
	}
	comments := s.sim.Comments("acme/config", s.pr)
	reply := comments[len(comments)-1]
	if reply.User == nil || reply.User.Login != "baton" {
		t.Fatalf("last comment is not Baton's reply: %+v", reply)
	}
	var marks []string
	for i := int64(1); i <= 4; i++ {
		marks = append(marks, fmt.Sprintf("<!-- baton:reply %d -->", reply.ID+i))
	}
	if err := s.sim.EditComment("acme/config", reply.ID, "erin", reply.Body+"\n"+strings.Join(marks, "\n")); err != nil {
		t.Fatal(err)
	}
	res := s.handle(t, s.comment(t, "carol", "/approve"))
	if res.Ignored != "" || !res.Merged {
		t.Fatalf("a writer's edit of Baton's reply silenced carol's /approve: %+v", res)
	}
}

// The same with the markers of native reviews not yet submitted (review
// ids are not comparable to comment ids): an edited reply of Baton's
// answers nothing.
func TestAttackWriterEditsBatonsReplyToAddReviewMarkers(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	if res := s.handle(t, s.comment(t, "bob", "/approve")); !strings.Contains(res.Reply, "Approvals: 1 of 2") {
		t.Fatalf("%+v", res)
	}
	comments := s.sim.Comments("acme/config", s.pr)
	reply := comments[len(comments)-1]
	var marks []string
	for i := int64(1); i <= 8; i++ {
		marks = append(marks, fmt.Sprintf("<!-- baton:reply review-%d -->", reply.ID+i))
	}
	s.clock.Advance(time.Second)
	if err := s.sim.EditComment("acme/config", reply.ID, "erin", reply.Body+"\n"+strings.Join(marks, "\n")); err != nil {
		t.Fatal(err)
	}
	res := s.review(t, "carol", "APPROVE")
	if res.Ignored != "" || !res.Merged {
		t.Fatalf("a writer's edit of Baton's reply silenced carol's review: %+v", res)
	}
}

// bob approved 1.3.0 → 1.5.0; a writer then moves the base under the
// promotion's file with her own commit that changes what runs (1.3.0 →
// 1.4.0). Baton's rebuild is another change (1.4.0 → 1.5.0): bob's
// approval must not carry to content he never saw.
func TestAttackBaseMovedByAWriterDoesNotCarryApprovals(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 409, Times: 1})
	if res := s.handle(t, s.comment(t, "bob", "/approve")); res.Merged {
		t.Fatal("the fault did not hold the merge")
	}
	s.clock.Advance(time.Second)
	moved := stagingYAML // production now runs 1.4.0, as staging does
	if _, err := s.sim.Push("acme/config", "main", "erin", map[string]*string{"environments/production/web-deployment.yaml": &moved}, "production to 1.4.0"); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	res := s.checks(t, s.pr)
	if res.Merged || res.Waiting != "rebuild" || !strings.Contains(res.Reply, "needs approval again") {
		t.Fatalf("rebuild after the writer's base change: %+v", res)
	}
	s.clock.Advance(time.Minute)
	if res := s.checks(t, s.pr); res.Merged || res.Waiting != "approvals" {
		t.Fatalf("bob's approval of 1.3.0 → 1.5.0 carried to 1.4.0 → 1.5.0: %+v", res)
	}
}

// Defence in depth in token mode: should Baton's identity ever push a
// commit it did not make (the bump's put-back of a commit named in the PR
// body was one way, see attack_bump_test.go), its Baton-Rebuilt-From
// trailer must not carry bob's approval of 1.5.0 to the writer's 6.6.6:
// a rebuild carries approvals only when the head it replaced put the same
// image over the same versions.
func TestAttackForgedRebuiltFromDoesNotCarryApprovals(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ctx := context.Background()
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 409, Times: 1})
	if res := s.handle(t, s.comment(t, "bob", "/approve")); res.Merged || !strings.Contains(res.Reply, "counted") {
		t.Fatalf("bob: %+v", res)
	}
	approved := s.head(t)
	own := mustCommit(t, s.gh, approved)
	evil := strings.ReplaceAll(stagingYAML, "1.4.0", "6.6.6")
	msg := strings.ReplaceAll(own.Message, "1.5.0", "6.6.6") + "Baton-Rebuilt-From: " + approved + "\n"
	s.clock.Advance(time.Second)
	mine, err := s.sim.PushCommit("acme/config", "erin/side", "erin", ghsim.CommitOptions{
		Files: map[string]*string{"environments/production/web-deployment.yaml": &evil}, Message: msg, Parent: own.Parents[0],
	})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	if err := s.gh.UpdateRef(ctx, "acme/config", "heads/baton/production/web", mine, true); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	res := s.checks(t, s.pr)
	if res.Merged || s.merged(t) {
		got, _ := s.sim.FileAt("acme/config", "main", "environments/production/web-deployment.yaml")
		t.Fatalf("bob's approval of 1.5.0 merged the writer's 6.6.6 through a forged Baton-Rebuilt-From:\n%s", got)
	}
	if res.Waiting != "approvals" {
		t.Errorf("waiting %q, want approvals: %+v", res.Waiting, res)
	}
}
