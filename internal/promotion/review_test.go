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
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

const reviewPolicy = `apps:
  web:
    image: ghcr.io/acme/web
environments:
  staging:
    branches: [develop]
    merge: auto
  production:
    branches: [main]
    approvals: 1
    approvers: ["@acme/sre", "carol"]
    self-approval: false
`

// stage is a config repo with one open production promotion by "baton"
// (a token user standing in for Baton's identity), built by alice: a
// ghsimtest World with this package's staging manifest and the people
// stagePeople names.
type stage struct {
	sim   *ghsim.Sim
	gh    *forge.Client
	clock *ghsimtest.Clock
	url   string
	pr    int
}

// stagePeople are a stage's collaborators; acme/sre is bob and alice.
var stagePeople = map[string]string{"baton": "write", "bob": "write", "carol": "write", "dave": "read", "erin": "write", "alice": "write"}

func newStage(t *testing.T, policyText string) *stage {
	t.Helper()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		StagingManifest: stagingYAML, Policy: policyText,
		NoDefaultPeople: true, Roles: stagePeople, Teams: map[string][]string{"acme/sre": {"bob", "alice"}},
		Sim: ghsim.Options{MergeableDelay: -1},
	})
	gh := client(t, w, "baton")
	st := &stage{sim: w.Sim, gh: gh, clock: w.Clock, url: w.URL}
	r := req(t, "ghcr.io/acme/web:1.5.0")
	r.Ref = "refs/heads/main"
	r = ranIn(t, w.Sim, r, "alice", "")
	res, err := bump(context.Background(), gh, r)
	if err != nil || res.Outcome != promotion.Created {
		t.Fatalf("bump: %+v, %v", res, err)
	}
	st.pr = res.PR.Number
	w.Clock.Advance(time.Minute)
	return st
}

func (s *stage) comment(t *testing.T, user, body string) promotion.CommentEvent {
	t.Helper()
	s.clock.Advance(time.Second)
	id, err := s.sim.AddComment("acme/config", s.pr, user, body)
	if err != nil {
		t.Fatal(err)
	}
	return promotion.CommentEvent{Repo: "acme/config", Number: s.pr, IsPR: true, CommentID: id, Author: user, AuthorType: "User", Body: body, Action: "created", CreatedAt: s.clock.Now()}
}

func (s *stage) handle(t *testing.T, ev promotion.CommentEvent) *promotion.Result {
	t.Helper()
	res, err := promotion.HandleComment(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), ev)
	if err != nil {
		t.Fatalf("HandleComment: %v", err)
	}
	return res
}

func (s *stage) merged(t *testing.T) bool {
	t.Helper()
	return s.sim.PullRequests("acme/config")[0].PR.Merged
}

func TestApproveMergeRelease(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	ev := s.comment(t, "bob", "/approve\nlooks good")
	s.sim.ResetLog()
	res := s.handle(t, ev)
	n := len(s.sim.Requests())
	t.Logf("approve → merge → release: %d requests", n)
	// 15: the pull request, 👀 (whose user is Baton's id: no GET /user),
	// the comments (reply marker, approvals, holds), the policy, the
	// approver's team membership, the head branch's activity (newest
	// first, one page), the reviews, compare base...head, the base's copy
	// of the file, the merge, the pull request again (merged_at names the
	// release), tag object, tag ref, release, reply. The mergeability read
	// of internal/reliability's TestRequestBudgets (16) is not needed here:
	// this simulator computes mergeability at once.
	if n > 15 {
		t.Errorf("approve → merge → release took %d requests (budget 15):", n)
		for _, q := range s.sim.Requests() {
			t.Logf("  %s %s %d", q.Method, q.Path, q.Status)
		}
	}
	if !res.Merged || res.Release == nil {
		t.Fatalf("result %+v", res)
	}
	if res.Release.Tag != "v20261126053959" {
		t.Errorf("tag %s", res.Release.Tag)
	}
	if !strings.Contains(res.Reply, "Approval by `@bob` counted. Merged as") {
		t.Errorf("reply %q", res.Reply)
	}
	comments := s.sim.Comments("acme/config", s.pr)
	last := comments[len(comments)-1]
	if last.User.Login != "baton" || last.Body != res.Reply {
		t.Errorf("reply comment %+v", last)
	}
	if len(comments[len(comments)-2].Reactions) != 1 || comments[len(comments)-2].Reactions[0].Content != "eyes" {
		t.Errorf("no 👀 on the command: %+v", comments[len(comments)-2])
	}
	// The merge commit carries the trailers and the approver.
	msgs, _ := s.sim.Log("acme/config", "main")
	if !strings.Contains(msgs[0].Message, "Baton-Approved-By: bob\n") || !strings.Contains(msgs[0].Message, "Baton-Image: ghcr.io/acme/web:1.5.0\n") {
		t.Errorf("merge commit:\n%s", msgs[0].Message)
	}
	got, _ := s.sim.FileAt("acme/config", "main", "environments/production/web-deployment.yaml")
	if !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Error("main does not run 1.5.0")
	}
	if s.sim.Ref("acme/config", "refs/tags/v20261126053959") == "" {
		t.Error("no tag")
	}
	rels := s.sim.Releases("acme/config")
	if len(rels) != 1 || !rels[0].Latest || !strings.Contains(rels[0].Body, "| Approved by | @bob |") {
		t.Errorf("releases %+v", rels)
	}

	// The pull_request closed event arrives too (App-token merges start
	// workflows): the same release, not a second one.
	pr := s.sim.PullRequests("acme/config")[0]
	ghpr, err := s.gh.PR(context.Background(), "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	again, err := promotion.HandleClosed(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: ghpr, Action: "closed"})
	if err != nil || again.Release.Tag != res.Release.Tag {
		t.Fatalf("closed path: %+v, %v", again, err)
	}
	if rels := s.sim.Releases("acme/config"); len(rels) != 1 {
		t.Errorf("%d releases", len(rels))
	}
}

func TestApprovalRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, body, author, action, wantReply, wantIgnored string
	}{
		{name: "read-only user outside approvers", user: "dave", body: "/approve", wantReply: "`@dave`: your approval does not count: environment production takes approvals from `@acme/sre`, carol only."},
		{name: "writer outside the team", user: "erin", body: "/approve", wantReply: "`@erin`: your approval does not count: environment production takes approvals from `@acme/sre`, carol only."},
		{name: "the promotion's own actor", user: "alice", body: "/approve", wantReply: "`@alice` your approval does not count: `@alice` triggered this promotion, and environment production does not take self-approval. Approvals: 0 of 1."},
		{name: "bot", user: "renovate[bot]", body: "/approve", author: "Bot", wantIgnored: "comment by a bot"},
		{name: "edited comment", user: "bob", body: "/approve", action: "edited", wantIgnored: "comment edited, not created"},
		{name: "not on the first line", user: "bob", body: "please\n/approve", wantIgnored: "no command on the comment's first line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			ev := s.comment(t, tt.user, tt.body)
			if tt.author != "" {
				ev.AuthorType = tt.author
			}
			if tt.action != "" {
				ev.Action = tt.action
			}
			res := s.handle(t, ev)
			if !strings.HasPrefix(res.Ignored, tt.wantIgnored) || (tt.wantIgnored == "") != (res.Ignored == "") || !strings.Contains(res.Reply, tt.wantReply) {
				t.Errorf("result: ignored %q reply %q", res.Ignored, res.Reply)
			}
			if s.merged(t) {
				t.Error("merged")
			}
		})
	}
}

func TestTwoApprovalsAndSupersede(t *testing.T) {
	t.Parallel()
	s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Approvals: 1 of 2 (`@bob`)") {
		t.Fatalf("first approval: %+v", res)
	}
	// A newer build supersedes the PR: bob's approval no longer counts.
	s.clock.Advance(time.Minute)
	r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", "")
	r.Ref = "refs/heads/main"
	if out, err := bump(context.Background(), s.gh, r); err != nil || out.Outcome != promotion.Updated {
		t.Fatalf("supersede: %+v, %v", out, err)
	}
	s.clock.Advance(time.Minute)
	res = s.handle(t, s.comment(t, "carol", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Approvals: 1 of 2 (`@carol`)") {
		t.Fatalf("after supersede: %+v", res)
	}
	res = s.handle(t, s.comment(t, "bob", "/approve"))
	if !res.Merged || !strings.Contains(res.Release.Name, "1.5.1") {
		t.Fatalf("second approval: %+v", res)
	}
	msgs, _ := s.sim.Log("acme/config", "main")
	if !strings.Contains(msgs[0].Message, "Baton-Approved-By: bob, carol\n") {
		t.Errorf("merge commit:\n%s", msgs[0].Message)
	}
}

func TestHoldUnhold(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	res := s.handle(t, s.comment(t, "erin", "/hold"))
	if !strings.Contains(res.Reply, "Held by `@erin`") {
		t.Fatalf("hold: %+v", res)
	}
	res = s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Not merging: held") {
		t.Fatalf("approve while held: %+v", res)
	}
	res = s.handle(t, s.comment(t, "dave", "/unhold"))
	if !strings.Contains(res.Reply, "`/unhold` refused: it needs write access to acme/config, and `@dave` has read") {
		t.Fatalf("unhold by reader: %+v", res)
	}
	res = s.handle(t, s.comment(t, "erin", "/unhold"))
	if !res.Merged || !strings.Contains(res.Reply, "Hold lifted by `@erin`.") {
		t.Fatalf("unhold: %+v", res)
	}
}

func TestFailingCheckWaitsThenAutoMerges(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	// A staging promotion: merge: auto.
	r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.0"), "alice", "")
	out, err := bump(context.Background(), s.gh, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.sim.SetCheckRun("acme/config", out.PR.HeadSHA, "kubeconform", "completed", "failure"); err != nil {
		t.Fatal(err)
	}
	results, err := promotion.HandleChecks(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", SHA: out.PR.HeadSHA})
	if err != nil || len(results) != 1 || results[0].Merged || results[0].Waiting != "checks" || !strings.Contains(results[0].Reply, "check kubeconform failed") {
		t.Fatalf("failing check: %+v, %v", results, err)
	}
	if err := s.sim.SetCheckRun("acme/config", out.PR.HeadSHA, "kubeconform", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	results, err = promotion.HandleChecks(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", SHA: out.PR.HeadSHA})
	if err != nil || len(results) != 1 || !results[0].Merged {
		t.Fatalf("green check: %+v, %v", results, err)
	}
	if rels := s.sim.Releases("acme/config"); len(rels) != 1 || rels[0].Latest {
		t.Errorf("staging release must not be latest: %+v", rels)
	}
}

func TestMergeConflict409(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 409, Times: 1})
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Not merged: the branch changed while Baton was merging") {
		t.Fatalf("409: %+v", res)
	}
	if s.merged(t) {
		t.Error("merged blind")
	}
}

// review submits a native review in the simulator and runs its event.
func (s *stage) review(t *testing.T, user, event string) *promotion.Result {
	t.Helper()
	s.clock.Advance(time.Second)
	return s.deliverReview(t, s.reviewEvent(t, user, event))
}

// reviewEvent adds a review by user and returns its event.
func (s *stage) reviewEvent(t *testing.T, user, event string) promotion.ReviewEvent {
	t.Helper()
	id, err := s.sim.AddReview("acme/config", s.pr, user, event, "")
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{"APPROVE": "approved", "REQUEST_CHANGES": "changes_requested"}[event]
	pr := s.sim.PullRequests("acme/config")[0]
	return promotion.ReviewEvent{Repo: "acme/config", Number: s.pr, ReviewID: id, Author: user, State: state, CommitID: pr.PR.HeadSHA, Action: "submitted", Submitted: s.clock.Now()}
}

func (s *stage) deliverReview(t *testing.T, ev promotion.ReviewEvent) *promotion.Result {
	t.Helper()
	res, err := promotion.HandleReview(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), ev)
	if err != nil {
		t.Fatalf("HandleReview: %v", err)
	}
	return res
}

// TestReviewDeliveredTwiceAnsweredOnce: the reply to a native review
// carries the review's marker, so a second delivery of the event is not
// answered again; a reviewer who may not approve is named in a code span.
func TestReviewDeliveredTwiceAnsweredOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, user, event, reply string
	}{
		{name: "changes requested by an approver", user: "carol", event: "REQUEST_CHANGES", reply: "changes were requested in a review by `@carol`"},
		{name: "a reviewer who may not approve", user: "erin", event: "APPROVE", reply: "`@erin` your review does not count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			s.clock.Advance(time.Second)
			ev := s.reviewEvent(t, tc.user, tc.event)
			first := s.deliverReview(t, ev)
			marker := fmt.Sprintf("<!-- baton:reply review-%d -->", ev.ReviewID)
			if !strings.Contains(first.Reply, tc.reply) || !strings.HasSuffix(first.Reply, marker) {
				t.Fatalf("first delivery: %q, want %q and the marker %q", first.Reply, tc.reply, marker)
			}
			again := s.deliverReview(t, ev)
			if again.Reply != "" || !strings.Contains(again.Ignored, "answered already") {
				t.Errorf("second delivery: %+v", again)
			}
			n := 0
			for _, c := range s.sim.Comments("acme/config", s.pr) {
				if strings.Contains(c.Body, marker) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d replies carry the marker, want 1", n)
			}
		})
	}
}

func TestNativeReviews(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	res := s.review(t, "carol", "REQUEST_CHANGES")
	if res.Merged || !strings.Contains(res.Reply, "changes were requested in a review by `@carol`") {
		t.Fatalf("changes requested: %+v", res)
	}
	res = s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Approval by `@bob` counted. Not merging: changes were requested in a review by `@carol`") {
		t.Fatalf("approve after changes requested: %+v", res)
	}
	res = s.review(t, "carol", "APPROVE")
	if !res.Merged || !strings.Contains(res.Reply, "Approving review by `@carol` counted. Merged as") {
		t.Fatalf("approving review: %+v", res)
	}
}

func TestHumanMergeReleasedOnceAndTagCollision(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	// Someone already used the tag name the merge time will produce, on
	// another commit.
	main := s.sim.Ref("acme/config", "refs/heads/main")
	name := "v" + s.clock.Now().Format("20060102150405")
	if err := s.gh.CreateRef(context.Background(), "acme/config", "refs/tags/"+name, main); err != nil {
		t.Fatal(err)
	}
	if _, err := s.sim.Merge("acme/config", s.pr, "carol", "squash"); err != nil {
		t.Fatal(err)
	}
	pr, err := s.gh.PR(context.Background(), "acme/config", s.pr)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for range 2 { // the closed event twice: a re-run, or both paths
		res, err := promotion.HandleClosed(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: pr, Action: "closed"})
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, res.Release.Tag)
	}
	if tags[0] != name+"-pr1" || tags[1] != tags[0] {
		t.Errorf("tags %v", tags)
	}
	rels := s.sim.Releases("acme/config")
	if len(rels) != 1 || !strings.Contains(rels[0].Body, "| Merged by | @carol |") || !strings.Contains(rels[0].Body, "| Approved by | no approval verified by Baton |") {
		t.Errorf("releases %+v", rels)
	}
	// Closing without merge and other PRs are ignored.
	other := *pr
	other.Head = "feature"
	res, _ := promotion.HandleClosed(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.ClosedEvent{Repo: "acme/config", PR: &other, Action: "closed"})
	if res.Ignored == "" {
		t.Error("non-Baton PR released")
	}
}

func TestBaseMovedRebuildKeepsApprovals(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	// Someone changes the production file on main (not the image).
	moved := strings.Replace(strings.ReplaceAll(stagingYAML, "1.4.0", "1.3.0"), "name: web\n", "name: web\n  labels: {tier: front}\n", 1)
	if _, err := s.sim.Push("acme/config", "main", "erin", map[string]*string{"environments/production/web-deployment.yaml": &moved}, "label it"); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Minute)
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || res.Waiting != "rebuild" || !strings.Contains(res.Reply, "main changed environments/production/web-deployment.yaml since this pull request was made, so Baton redid its edit") ||
		!strings.Contains(res.Reply, "approvals given so far still count") {
		t.Fatalf("rebuild: %+v", res)
	}
	got, _ := s.sim.FileAt("acme/config", "baton/production/web", "environments/production/web-deployment.yaml")
	if !strings.Contains(got, "labels: {tier: front}") || !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Fatalf("rebuilt file:\n%s", got)
	}
	// The next event merges with bob's approval, which still counts.
	s.clock.Advance(time.Minute)
	results, err := promotion.HandleChecks(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", Number: s.pr})
	if err != nil || len(results) != 1 || !results[0].Merged {
		t.Fatalf("merge after rebuild: %+v, %v", results, err)
	}
	got, _ = s.sim.FileAt("acme/config", "main", "environments/production/web-deployment.yaml")
	if !strings.Contains(got, "labels: {tier: front}") || !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Fatalf("main after merge:\n%s", got)
	}
}

func TestMergeAnswerLost(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if !res.Merged || res.Release == nil {
		t.Fatalf("lost merge answer: %+v", res)
	}
	if rels := s.sim.Releases("acme/config"); len(rels) != 1 {
		t.Errorf("%d releases", len(rels))
	}
}

func TestTeamMembershipUnreadable(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.sim.Inject(ghsim.Fault{Method: "GET", Route: "/orgs/{org}/teams/{slug}/memberships/{user}", Kind: ghsim.FaultStatus, Status: 403})
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "Baton cannot read the membership of `@acme/sre`") {
		t.Fatalf("unreadable team: %+v", res)
	}
}

// TestNotMergeableAfterTheBaseMovedRebuilds: GitHub refuses the merge
// (405) because another merge changed the line next to the image while
// Baton was checking. The same event does not leave the pull request
// waiting for an event that will not come: it sees the base moved under
// the file, redoes Baton's edit on the new base (the same change, so the
// approval carries over) and says so; the next check event merges.
func TestNotMergeableAfterTheBaseMovedRebuilds(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	const file = "environments/production/web-deployment.yaml"
	moved := strings.Replace(strings.ReplaceAll(stagingYAML, "1.4.0", "1.3.0"), "        - name: web\n", "        - name: web-main\n", 1)
	g := &atMerge{Client: s.gh, before: func() {
		if _, err := s.sim.Push("acme/config", "main", "erin", map[string]*string{file: &moved}, "rename the container"); err != nil {
			t.Error(err)
		}
	}}
	ev := s.comment(t, "bob", "/approve")
	res, err := promotion.HandleComment(context.Background(), g, command.PolicyLoader(s.gh, "acme/config", ""), ev)
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || res.Waiting != "rebuild" || g.merges != 1 ||
		!strings.Contains(res.Reply, "main changed "+file+" since this pull request was made, so Baton redid its edit") ||
		!strings.Contains(res.Reply, "approvals given so far still count") {
		t.Fatalf("after the 405: %d merge attempts, %+v", g.merges, res)
	}
	if got, _ := s.sim.FileAt("acme/config", "baton/production/web", file); !strings.Contains(got, "name: web-main") || !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Fatalf("rebuilt file:\n%s", got)
	}
	s.clock.Advance(time.Minute)
	results, err := promotion.HandleChecks(context.Background(), s.gh, command.PolicyLoader(s.gh, "acme/config", ""), promotion.MergeEvent{Repo: "acme/config", Number: s.pr})
	if err != nil || len(results) != 1 || !results[0].Merged {
		t.Fatalf("the next event: %+v, %v", results, err)
	}
	if got, _ := s.sim.FileAt("acme/config", "main", file); !strings.Contains(got, "name: web-main") || !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Fatalf("main after the merge:\n%s", got)
	}
}
