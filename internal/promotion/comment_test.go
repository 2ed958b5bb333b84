package promotion_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/promotion"
)

// room is a ghsimtest World with one open production promotion of web
// 1.5.0, opened by Baton (the token user ghsimtest.BatonUser), built by
// alice; production takes one approval from @acme/sre or carol.
type room struct {
	w      *ghsimtest.World
	gh     *forge.Client // Baton's client
	policy promotion.PolicyFunc
	pr     int
}

// roomPolicy is the review tests' policy: production takes one approval
// from @acme/sre or carol, not the author's own.
const roomPolicy = reviewPolicy

func noSleep(context.Context, time.Duration) error { return nil }

// client is a forge client acting as login, never sleeping between retries.
func client(t *testing.T, w *ghsimtest.World, login string) *forge.Client {
	t.Helper()
	gh, err := forge.New(context.Background(), forge.Options{Token: w.Token(login), APIURL: w.URL, Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	return gh
}

func newRoom(t *testing.T, policyText string) *room {
	t.Helper()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{Policy: policyText, Sim: ghsim.Options{MergeableDelay: -1}})
	gh := client(t, w, ghsimtest.BatonUser)
	img, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pol, branch, err := command.LoadPolicy(ctx, gh, w.Config, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := promotion.Bump(ctx, gh, ranIn(t, w.Sim, promotion.BumpRequest{
		ConfigRepo: w.Config, App: "web", Image: img, Ref: "refs/heads/main", Policy: pol, DefaultBranch: branch,
		RunURL: "https://github.com/acme/web/actions/runs/1", Actor: ghsimtest.Approver2,
	}, ghsimtest.Approver2, ""))
	if err != nil || res.Outcome != promotion.Created {
		t.Fatalf("bump: %+v, %v", res, err)
	}
	w.Clock.Advance(time.Minute)
	return &room{w: w, gh: gh, policy: command.PolicyLoader(gh, w.Config, ""), pr: res.PR.Number}
}

// say adds a comment by login on pull request n and returns its event.
func (r *room) say(t *testing.T, n int, login, body string) promotion.CommentEvent {
	t.Helper()
	r.w.Clock.Advance(time.Second)
	id, err := r.w.Sim.AddComment(r.w.Config, n, login, body)
	if err != nil {
		t.Fatal(err)
	}
	return promotion.CommentEvent{Repo: r.w.Config, Number: n, IsPR: true, CommentID: id, Author: login, AuthorType: "User", Body: body, Action: "created", CreatedAt: r.w.Clock.Now()}
}

func (r *room) handle(t *testing.T, ev promotion.CommentEvent) *promotion.Result {
	t.Helper()
	res, err := promotion.HandleComment(context.Background(), r.gh, r.policy, ev)
	if err != nil {
		t.Fatalf("HandleComment: %v", err)
	}
	return res
}

// replies are Baton's comments on pull request n.
func (r *room) replies(n int) []string {
	var out []string
	for _, c := range r.w.Sim.Comments(r.w.Config, n) {
		if c.User.Login == ghsimtest.BatonUser {
			out = append(out, c.Body)
		}
	}
	return out
}

func (r *room) merged(n int) bool {
	for _, is := range r.w.Sim.PullRequests(r.w.Config) {
		if is.Number == n {
			return is.PR.Merged
		}
	}
	return false
}

func TestSameCommentDeliveredTwiceOneMergeOneReply(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
	first := r.handle(t, ev)
	if !first.Merged || first.Release == nil {
		t.Fatalf("first delivery: %+v", first)
	}
	r.w.Sim.ResetLog()
	again := r.handle(t, ev)
	n := len(r.w.Sim.Requests())
	t.Logf("second delivery of an answered comment: %d requests", n)
	if again.Ignored != fmt.Sprintf("comment %d was answered already", ev.CommentID) || again.Merged {
		t.Errorf("second delivery: %+v", again)
	}
	if n > 3 {
		t.Errorf("second delivery took %d requests, want 3 (pull request, reaction, comments)", n)
	}
	if got := r.replies(r.pr); len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("<!-- baton:reply %d -->", ev.CommentID)) {
		t.Errorf("replies %q", got)
	}
	if rels := r.w.Sim.Releases(r.w.Config); len(rels) != 1 {
		t.Errorf("%d releases", len(rels))
	}
}

// TestSecondDeliveryFinishesWhatTheFirstLeft: the first run merged and
// released but lost its reply (GitHub refused the comment); the second
// delivery of the same event answers once, and a third is ignored.
func TestSecondDeliveryFinishesWhatTheFirstLeft(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
	r.w.Sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/issues/{number}/comments", Kind: ghsim.FaultStatus, Status: 403})
	if _, err := promotion.HandleComment(context.Background(), r.gh, r.policy, ev); err == nil || !r.merged(r.pr) {
		t.Fatalf("first run: err %v, merged %v", err, r.merged(r.pr))
	}
	r.w.Sim.ClearFaults()
	res := r.handle(t, ev)
	if !res.Merged || res.Release == nil || !strings.Contains(res.Reply, "this pull request was merged as") {
		t.Fatalf("second delivery: %+v", res)
	}
	if res := r.handle(t, ev); !strings.Contains(res.Ignored, "answered already") {
		t.Errorf("third delivery: %+v", res)
	}
	if got := r.replies(r.pr); len(got) != 1 {
		t.Errorf("replies %q", got)
	}
	if rels := r.w.Sim.Releases(r.w.Config); len(rels) != 1 {
		t.Errorf("%d releases", len(rels))
	}
}

func TestForgedReplyMarkerIsNotTrusted(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
	// The first run reacts, then cannot merge (GitHub refuses): no reply.
	r.w.Sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 403})
	if _, err := promotion.HandleComment(context.Background(), r.gh, r.policy, ev); err == nil {
		t.Fatal("first run: no error")
	}
	r.w.Sim.ClearFaults()
	// A writer posts Baton's marker for that comment to silence the re-run.
	r.say(t, r.pr, ghsimtest.Writer, fmt.Sprintf("done\n\n<!-- baton:reply %d -->", ev.CommentID))
	res := r.handle(t, ev)
	if !res.Merged || res.Ignored != "" {
		t.Fatalf("re-run: %+v", res)
	}
	if got := r.replies(r.pr); len(got) != 1 {
		t.Errorf("replies %q", got)
	}
}

// openHandMadePR opens a pull request by erin on branch with one change.
func (r *room) openHandMadePR(t *testing.T, branch string) int {
	t.Helper()
	text := "hello\n"
	if _, err := r.w.Sim.Push(r.w.Config, branch, ghsimtest.Writer, map[string]*string{"notes.txt": &text}, "notes"); err != nil {
		t.Fatal(err)
	}
	pr, err := client(t, r.w, ghsimtest.Writer).CreatePR(context.Background(), r.w.Config, githost.NewPR{Title: "notes", Head: branch, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	return pr.Number
}

// TestCommandsBatonDoesNotActOnGetAnAnswer: every command Baton owns gets
// one answer saying why nothing happened; ordinary comments and other
// bots' words get none.
func TestCommandsBatonDoesNotActOnGetAnAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, r *room) int // returns the pull request to comment on
		user  string
		body  string
		reply string // "" when Baton must not answer
		merge bool
	}{
		{name: "reader holds", user: ghsimtest.Reader, body: "/hold", reply: "`@dave`: `/hold` refused: it needs write access to acme/config"},
		{name: "reader cancels", user: ghsimtest.Reader, body: "/cancel", reply: "`@dave`: `/cancel` refused: it needs write access"},
		{name: "triage unholds", user: ghsimtest.Triage, body: "/unhold", reply: "`@tess`: `/unhold` refused: it needs write access"},
		{name: "writer outside the approvers", user: ghsimtest.Writer, body: "/approve", reply: "`@erin`: your approval does not count: environment production takes approvals from"},
		{name: "unknown baton subcommand", user: ghsimtest.Approver, body: "/baton deploy everything", reply: "`@bob`: that is not a Baton command. Baton commands"},
		{name: "baton alone is help", user: ghsimtest.Reader, body: "/baton", reply: "Baton commands (first line of a comment)"},
		{name: "closed without merge", user: ghsimtest.Approver, body: "/approve",
			setup: func(t *testing.T, r *room) int {
				if err := r.gh.ClosePR(context.Background(), r.w.Config, r.pr); err != nil {
					t.Fatal(err)
				}
				return r.pr
			}, reply: "`/approve`: this pull request was closed without merging; there is nothing to do."},
		{name: "label removed still approves", user: ghsimtest.Approver, body: "/approve", merge: true,
			setup: func(t *testing.T, r *room) int {
				if err := client(t, r.w, ghsimtest.Triage).RemoveLabel(context.Background(), r.w.Config, r.pr, "baton"); err != nil {
					t.Fatal(err)
				}
				return r.pr
			}, reply: "Merged as"},
		{name: "approve on a hand-made pull request", user: ghsimtest.Approver, body: "/approve",
			setup: func(t *testing.T, r *room) int { return r.openHandMadePR(t, "feature") },
			reply: "`/approve`: Baton does nothing with pull request #2: its head branch `feature` is not baton/<environment>/<app>."},
		{name: "hand-made pull request on Baton's branch name", user: ghsimtest.Approver, body: "/hold",
			setup: func(t *testing.T, r *room) int {
				n := r.openHandMadePR(t, "baton/staging/web")
				if err := client(t, r.w, ghsimtest.Writer).AddLabels(context.Background(), r.w.Config, n, []string{"baton"}); err != nil {
					t.Fatal(err)
				}
				return n
			},
			reply: "`/hold`: Baton does nothing with pull request #2: it was opened by `@erin`, not by Baton (`@baton`)"},
		{name: "lgtm on a pull request that is not Baton's", user: ghsimtest.Approver, body: "/lgtm",
			setup: func(t *testing.T, r *room) int { return r.openHandMadePR(t, "feature") }},
		{name: "lgtm on a hand-made pull request on Baton's branch name", user: ghsimtest.Approver, body: "/lgtm",
			setup: func(t *testing.T, r *room) int { return r.openHandMadePR(t, "baton/staging/web") }},
		{name: "command on an issue", user: ghsimtest.Approver, body: "/approve",
			setup: func(t *testing.T, r *room) int { return -1 }},
		{name: "ordinary comment on a Baton pull request", user: ghsimtest.Approver, body: "looks fine to me"},
		{name: "another bot's command", user: ghsimtest.Approver, body: "/retest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRoom(t, roomPolicy)
			n := r.pr
			if tt.setup != nil {
				n = tt.setup(t, r)
			}
			issue := n == -1
			if issue { // an issue comment: the pull request's number, but not a pull request
				n = r.pr
			}
			ev := r.say(t, n, tt.user, tt.body)
			ev.IsPR = !issue
			res := r.handle(t, ev)
			got := r.replies(n)
			if tt.reply == "" {
				if len(got) != 0 || res.Ignored == "" {
					t.Errorf("answered %q (result %+v)", got, res)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tt.reply) || got[0] != res.Reply {
				t.Errorf("replies %q, want one containing %q", got, tt.reply)
			}
			if r.merged(n) != tt.merge {
				t.Errorf("merged = %v", r.merged(n))
			}
			if mentions(got[0]) || strings.Contains(got[0], "deploy everything") {
				t.Errorf("reply mentions someone or echoes the comment: %q", got[0])
			}
		})
	}
}

// TestInjectionAttemptsAreNotCommands: look-alikes and injection attempts
// count as no command, get no reaction and no answer; the text of an
// unknown /baton command is never echoed.
func TestInjectionAttemptsAreNotCommands(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"workflow command":        "::set-output name=approved::true",
		"url-encoded newline":     "%0A/approve",
		"not on the first line":   "please merge\n/approve",
		"zero-width space before": "\u200b/approve",
		"zero-width space inside": "/\u200bapprove",
		"zero-width space after":  "/approve\u200b",
		"word joiner before":      "\u2060/approve",
		"fullwidth solidus":       "／approve",
		"division slash":          "∕approve",
		"no-break space before":   "\u00a0/approve",
		"very long then approve":  strings.Repeat("a", 70000) + "\n/approve",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRoom(t, roomPolicy)
			ev := r.say(t, r.pr, ghsimtest.Approver, body)
			res := r.handle(t, ev)
			if res.Ignored != "no command on the comment's first line" || r.merged(r.pr) || len(r.replies(r.pr)) != 0 {
				t.Errorf("result %+v, replies %q", res, r.replies(r.pr))
			}
			for _, c := range r.w.Sim.Comments(r.w.Config, r.pr) {
				if c.ID == ev.CommentID && len(c.Reactions) != 0 {
					t.Error("reacted to a non-command")
				}
			}
		})
	}
	r := newRoom(t, roomPolicy)
	evil := "/baton ::set-output name=x::y%0A::add-mask::z @everyone `rm -rf /` <img src=x onerror=alert(1)> [x](javascript:1)\n::warning::pwned"
	res := r.handle(t, r.say(t, r.pr, "mallory-x", evil))
	if res.Reply == "" {
		t.Fatal("no answer to an unknown /baton command")
	}
	if mentions(res.Reply) {
		t.Errorf("reply mentions someone: %q", res.Reply)
	}
	for _, bad := range []string{"::", "%0A", "everyone", "rm -rf", "<img", "javascript", "pwned"} {
		if strings.Contains(res.Reply, bad) {
			t.Errorf("reply echoes %q: %q", bad, res.Reply)
		}
	}
	if !strings.HasPrefix(res.Reply, "`@mallory-x`: ") {
		t.Errorf("user not in a code span: %q", res.Reply)
	}
}

// mentions reports an @ outside a code span: a mention GitHub would render.
func mentions(reply string) bool {
	inCode := false
	for i := 0; i < len(reply); i++ {
		switch {
		case reply[i] == '`':
			inCode = !inCode
		case reply[i] == '@' && !inCode:
			return true
		}
	}
	return false
}

// TestOnlyTheRunThatReactedFirstActs: GitHub answers 201 to the first
// creation of Baton's 👀 on a comment and 200 after it, so of several
// runs of one comment event exactly one acts and answers; the others
// neither act nor reply, even while the first has not answered yet.
func TestOnlyTheRunThatReactedFirstActs(t *testing.T) {
	t.Parallel()
	t.Run("another run reacted and is still working", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
		if re, err := r.gh.Acknowledge(context.Background(), r.w.Config, ev.CommentID, "eyes"); err != nil || !re.New {
			t.Fatalf("the other run's reaction: %+v, %v", re, err)
		}
		r.w.Sim.ResetLog()
		res := r.handle(t, ev)
		if !strings.Contains(res.Ignored, "another run reacted to it first") || res.Reply != "" || res.Merged {
			t.Errorf("second run: %+v", res)
		}
		for _, q := range r.w.Sim.Requests() {
			if q.Mutating() && !strings.HasSuffix(q.Path, "/reactions") {
				t.Errorf("the second run wrote: %s %s → %d", q.Method, q.Path, q.Status)
			}
		}
		if got := r.replies(r.pr); len(got) != 0 || r.merged(r.pr) {
			t.Errorf("replies %q, merged %v", got, r.merged(r.pr))
		}
	})
	t.Run("a run killed after reacting: its claim goes stale", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
		// The killed run reacted and never answered nor took its 👀 back.
		if re, err := r.gh.Acknowledge(context.Background(), r.w.Config, ev.CommentID, "eyes"); err != nil || !re.New {
			t.Fatalf("the killed run's reaction: %+v, %v", re, err)
		}
		r.w.Clock.Advance(9 * time.Minute)
		if res := r.handle(t, ev); !strings.Contains(res.Ignored, "another run reacted to it first") {
			t.Fatalf("a re-run 9 minutes on (the claim may still be live): %+v", res)
		}
		r.w.Clock.Advance(time.Minute)
		if res := r.handle(t, ev); !res.Merged || res.Ignored != "" {
			t.Fatalf("a re-run 10 minutes on: %+v", res)
		}
		if got := r.replies(r.pr); len(got) != 1 {
			t.Errorf("replies %q", got)
		}
	})
	t.Run("five deliveries at once", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
		results := make([]*promotion.Result, 5)
		errs := make([]error, 5)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = promotion.HandleComment(context.Background(), client(t, r.w, ghsimtest.BatonUser), r.policy, ev)
			}()
		}
		wg.Wait()
		acted := 0
		for i, res := range results {
			if errs[i] != nil {
				t.Errorf("delivery %d: %v", i, errs[i])
				continue
			}
			if res.Ignored == "" {
				acted++
			}
		}
		if got := r.replies(r.pr); acted != 1 || len(got) != 1 || !r.merged(r.pr) || len(r.w.Sim.Releases(r.w.Config)) != 1 {
			t.Errorf("%d runs acted, replies %q, merged %v, %d releases", acted, got, r.merged(r.pr), len(r.w.Sim.Releases(r.w.Config)))
		}
	})
}

// TestFailedRunGivesTheCommentBack: a run that reacted first and then
// failed takes its 👀 back, so a re-run of the event reacts first and
// answers; a re-run after that is told the comment was answered.
func TestFailedRunGivesTheCommentBack(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
	r.w.Sim.Inject(ghsim.Fault{Method: "PUT", Route: "/repos/{owner}/{repo}/pulls/{number}/merge", Kind: ghsim.FaultStatus, Status: 403})
	if _, err := promotion.HandleComment(context.Background(), r.gh, r.policy, ev); err == nil {
		t.Fatal("first run: no error")
	}
	r.w.Sim.ClearFaults()
	for _, c := range r.w.Sim.Comments(r.w.Config, r.pr) {
		if c.ID == ev.CommentID && len(c.Reactions) != 0 {
			t.Errorf("the failed run left %d reactions", len(c.Reactions))
		}
	}
	if res := r.handle(t, ev); !res.Merged || res.Ignored != "" {
		t.Fatalf("re-run: %+v", res)
	}
	for _, c := range r.w.Sim.Comments(r.w.Config, r.pr) {
		if c.ID == ev.CommentID && len(c.Reactions) != 1 {
			t.Errorf("after the re-run the comment has %d reactions, want Baton's 👀", len(c.Reactions))
		}
	}
	if res := r.handle(t, ev); !strings.Contains(res.Ignored, "answered already") {
		t.Errorf("third run: %+v", res)
	}
	if got := r.replies(r.pr); len(got) != 1 {
		t.Errorf("replies %q", got)
	}
}

// TestRefusalsOfTheCommentPath covers the answers the table above does
// not reach: Baton's own comment, and a policy that no longer has the
// pull request's environment.
func TestRefusalsOfTheCommentPath(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	res := r.handle(t, r.say(t, r.pr, ghsimtest.BatonUser, "/approve"))
	if res.Ignored != "comment by Baton itself" || len(r.replies(r.pr)) != 1 {
		t.Errorf("own comment: %+v", res)
	}
	gone := strings.Replace(roomPolicy, "  production:\n    branches: [main]\n    approvals: 1\n    approvers: [\"@acme/sre\", \"carol\"]\n    self-approval: false\n", "", 1)
	if _, err := r.w.Sim.Push(r.w.Config, "main", ghsimtest.Admin, map[string]*string{".baton.yaml": &gone}, "drop production"); err != nil {
		t.Fatal(err)
	}
	res = r.handle(t, r.say(t, r.pr, ghsimtest.Approver, "/approve"))
	if !strings.Contains(res.Reply, "`@bob`: Baton cannot act on this pull request: `environment \"production\" is no longer in .baton.yaml`") || r.merged(r.pr) {
		t.Errorf("environment gone: %+v", res)
	}
}

// TestReplyAnswerLostPostsOnce: GitHub made the reply but its answer was
// lost; the retry finds it instead of posting it again.
func TestReplyAnswerLostPostsOnce(t *testing.T) {
	t.Parallel()
	r := newRoom(t, roomPolicy)
	ev := r.say(t, r.pr, ghsimtest.Reader, "/hold")
	r.w.Sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/issues/{number}/comments", Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
	res := r.handle(t, ev)
	if got := r.replies(r.pr); len(got) != 1 || got[0] != res.Reply {
		t.Errorf("replies %q", got)
	}
	if r.w.Sim.FaultHits() != 1 {
		t.Errorf("the fault was hit %d times", r.w.Sim.FaultHits())
	}
}
