package reliability

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
)

// openPromotion bumps web to 1.5.0 in staging and moves the clock past
// the head change, so that a comment made now may count.
func openPromotion(t *testing.T) (*rig, int) {
	t.Helper()
	r := newRig(t, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy})
	r.t = t
	o, err := r.bump(context.Background(), "web", "ghcr.io/acme/web:1.5.0", "refs/heads/develop")
	if err != nil || o.PR == nil {
		t.Fatalf("bump: %+v, %v", o, err)
	}
	r.w.Clock.Advance(2 * time.Second)
	return r, o.PR.Number
}

// TestHostileComments: comment text is untrusted. Workflow commands,
// encoded newlines and long bodies never reach Baton's reply; look-alikes
// of /approve (another alphabet, full-width, zero-width characters, a
// quote) are not commands at all, so Baton neither reacts nor replies;
// and only the first line of a comment can be a command.
func TestHostileComments(t *testing.T) {
	t.Parallel()
	long := "/approve " + strings.Repeat("A", 70_000)
	for _, tc := range []struct {
		name, login, body string
		merged            bool
		ignored           bool     // not a command: no reaction, no reply, no write
		never             []string // text the reply must not carry
	}{
		{name: "a workflow command on the second line, from a reader", login: ghsimtest.Reader,
			body: "/approve\n::set-output name=merged::true\n::error::pwned", never: []string{"::", "set-output", "pwned"}},
		{name: "an encoded newline glued to /approve is no command", login: ghsimtest.Approver,
			body: "/approve%0A::set-output name=merged::true", ignored: true},
		{name: "an encoded newline after /approve, from a reader", login: ghsimtest.Reader,
			body: "/approve %0A::set-output name=merged::true", never: []string{"%0A", "::", "set-output"}},
		{name: "a carriage return hiding a second command", login: ghsimtest.Reader,
			body: "/approve\r::add-mask::x\r", never: []string{"::", "add-mask"}},
		{name: "a 70,000-character body", login: ghsimtest.Reader, body: long, never: []string{"AAAA"}},
		{name: "an approver's /approve with a workflow command as its remark: counts, never echoed", login: ghsimtest.Approver,
			body: "/approve ::set-output name=x::pwned", merged: true, never: []string{"::", "pwned"}},
		{name: "Cyrillic а in /аpprove", login: ghsimtest.Approver, body: "/аpprove", ignored: true},
		{name: "full-width solidus ／approve", login: ghsimtest.Approver, body: "／approve", ignored: true},
		{name: "zero-width space inside /ap\u200bprove", login: ghsimtest.Approver, body: "/ap\u200bprove", ignored: true},
		{name: "zero-width joiner after /approve\u200d", login: ghsimtest.Approver, body: "/approve\u200d", ignored: true},
		{name: "a zero-width space before \u200b/approve", login: ghsimtest.Approver, body: "\u200b/approve", ignored: true},
		{name: "a quoted /approve", login: ghsimtest.Approver, body: "> /approve", ignored: true},
		{name: "/approve on the second line", login: ghsimtest.Approver, body: "looks good\n/approve", ignored: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, number := openPromotion(t)
			r.w.Sim.ResetLog()
			ev := r.comment(number, tc.login, tc.body)
			res, err := r.approve(context.Background(), ev)
			if err != nil {
				t.Fatalf("approve: %v", err)
			}
			if res.Merged != tc.merged {
				t.Errorf("merged %v, want %v (reply %q)", res.Merged, tc.merged, res.Reply)
			}
			if tc.ignored {
				if res.Ignored == "" {
					t.Errorf("treated as a command; reply %q", res.Reply)
				}
				if w := writes(r.w.Sim.Requests()); len(w) > 0 {
					t.Errorf("a comment that is no command made writes:\n  %s", strings.Join(w, "\n  "))
				}
				return
			}
			var replies []string
			for _, c := range r.w.Sim.Comments(r.w.Config, number) {
				if c.ID > ev.CommentID {
					replies = append(replies, c.Body)
				}
			}
			if len(replies) != 1 {
				t.Fatalf("%d replies, want 1: %q", len(replies), replies)
			}
			for _, s := range tc.never {
				if strings.Contains(replies[0], s) {
					t.Errorf("the reply carries %q from the comment: %q", s, replies[0])
				}
			}
			if len(replies[0]) > 2000 {
				t.Errorf("reply of %d characters", len(replies[0]))
			}
		})
	}
}

// TestHumanPRWithBatonsRecordIsNotMerged: a writer opens a pull request
// from a baton/* branch, labels it baton, copies Baton's hidden record into
// the body and Baton's trailers into the commit, and slips in a change
// besides the image. An approver's /approve must not merge it: the record
// and trailers are text anyone can write; the head tree is not Baton's
// edit.
func TestHumanPRWithBatonsRecordIsNotMerged(t *testing.T) {
	t.Parallel()
	r, real := openPromotion(t)
	ctx := context.Background()
	realPR := r.w.Sim.PullRequests(r.w.Config)[real-1]
	head, _ := r.w.Sim.FileAt(r.w.Config, realPR.PR.HeadSHA, stagingFile)
	evil := strings.Replace(head, "containerPort: 8080", "containerPort: 8080\n          securityContext: {privileged: true}", 1)
	commits, err := r.w.Sim.Log(r.w.Config, "refs/heads/baton/staging/web")
	if err != nil || len(commits) == 0 {
		t.Fatalf("log: %v", err)
	}
	if _, err := r.w.Sim.Push(r.w.Config, "baton/production/web", ghsimtest.Writer, map[string]*string{
		"environments/production/web-deployment.yaml": &evil,
	}, strings.ReplaceAll(commits[0].Message, "staging", "production")); err != nil {
		t.Fatal(err)
	}
	gh, err := forge.New(ctx, forge.Options{Token: r.w.Token(ghsimtest.Writer), APIURL: r.w.URL, Sleep: r.w.Clock.SleepContext})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(realPR.Body, "staging", "production")
	pr, err := gh.CreatePR(ctx, r.w.Config, githost.NewPR{Title: "chore(production): bump web to 1.5.0", Head: "baton/production/web", Base: "main", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if err := gh.AddLabels(ctx, r.w.Config, pr.Number, []string{"baton", "env:production"}); err != nil {
		t.Fatal(err)
	}
	r.w.Clock.Advance(2 * time.Second)
	ev := r.comment(pr.Number, ghsimtest.Approver, "/approve")
	r.w.Sim.ResetLog()
	res, err := r.approve(ctx, ev)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if res.Merged {
		t.Fatalf("merged a writer's pull request that copied Baton's record: %q", res.Reply)
	}
	if got, _ := r.w.Sim.FileAt(r.w.Config, "main", "environments/production/web-deployment.yaml"); strings.Contains(got, "privileged") {
		t.Error("the slipped-in change reached main")
	}
	// The pull request is a writer's, not Baton's (its author id is not
	// Baton's: trust model row 2), so Baton says that and reads nothing
	// further; what differs in its files is never reached.
	if !strings.Contains(res.Reply, "Baton does nothing with pull request #") || !strings.Contains(res.Reply, "not by Baton") {
		t.Errorf("the reply does not say the pull request is not Baton's: %q", res.Reply)
	}
	// The only writes the /approve may cause: the 👀 reaction and the reply.
	for _, w := range writes(r.w.Sim.Requests()) {
		if !strings.HasPrefix(w, "POST /repos/acme/config/issues/comments/") && !strings.HasPrefix(w, fmt.Sprintf("POST /repos/acme/config/issues/%d/comments ", pr.Number)) {
			t.Errorf("a write beside the reaction and the reply: %s", w)
		}
	}
	t.Logf("reply: %s", res.Reply)
}
