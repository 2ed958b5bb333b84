package promotion_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

const releasesRoute = "/repos/{owner}/{repo}/releases"

// failRelease approves and merges with a release route failing until
// the retries run out: the run fails after the merge.
func (r *room) failRelease(t *testing.T, route string) (promotion.CommentEvent, string) {
	t.Helper()
	ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
	name := "v" + r.w.Clock.Now().UTC().Format("20060102150405")
	r.w.Sim.Inject(ghsim.Fault{Method: "POST", Route: route, Kind: ghsim.FaultStatus, Status: 502})
	_, err := promotion.HandleComment(context.Background(), r.gh, r.policy, ev)
	if err == nil || !strings.Contains(err.Error(), "merged as") || !strings.Contains(err.Error(), "the release failed") || !errors.Is(err, githost.ErrRetryable) {
		t.Fatalf("first run: %v", err)
	}
	r.w.Sim.ClearFaults()
	if !r.merged(r.pr) || len(r.w.Sim.Releases(r.w.Config)) != 0 || len(r.replies(r.pr)) != 0 {
		t.Fatalf("after the failed run: merged %v, releases %d, replies %d", r.merged(r.pr), len(r.w.Sim.Releases(r.w.Config)), len(r.replies(r.pr)))
	}
	return ev, name
}

// TestFailedReleaseIsFinishedByAnyLaterRun: a merge whose release ran out
// of retries is released, exactly once, by a re-run of the same event, by
// the next command on any pull request, or by the schedule's reconcile;
// the notes credit the approval Baton counted at merge time.
func TestFailedReleaseIsFinishedByAnyLaterRun(t *testing.T) {
	t.Parallel()
	for name, later := range map[string]func(t *testing.T, r *room, ev promotion.CommentEvent){
		"re-run of the same event": func(t *testing.T, r *room, ev promotion.CommentEvent) {
			r.w.Sim.ResetLog()
			res := r.handle(t, ev)
			t.Logf("re-run that finishes the release: %d requests", len(r.w.Sim.Requests()))
			if res.Release == nil || !strings.Contains(res.Reply, "this pull request was merged as") {
				t.Errorf("re-run: %+v", res)
			}
			if again := r.handle(t, ev); again.Ignored == "" {
				t.Errorf("a third run answered again: %+v", again)
			}
		},
		"schedule": func(t *testing.T, r *room, _ promotion.CommentEvent) {
			r.w.Sim.ResetLog()
			done, err := promotion.Reconcile(context.Background(), r.gh, r.policy, r.w.Config)
			t.Logf("reconcile that finishes the release: %d requests", len(r.w.Sim.Requests()))
			if err != nil || len(done) != 1 || done[0].PR.Number != r.pr {
				t.Errorf("reconcile: %+v, %v", done, err)
			}
			r.w.Sim.ResetLog()
			done, err = promotion.Reconcile(context.Background(), r.gh, r.policy, r.w.Config)
			if err != nil || len(done) != 0 {
				t.Errorf("second reconcile: %+v, %v", done, err)
			}
			t.Logf("reconcile with nothing to do: %d requests", len(r.w.Sim.Requests()))
			if n := len(r.w.Sim.Requests()); n > 3 {
				t.Errorf("a reconcile with nothing to do took %d requests", n)
			}
		},
		"next command on another pull request": func(t *testing.T, r *room, _ promotion.CommentEvent) {
			n := r.openHandMadePR(t, "feature")
			ev := r.say(t, n, ghsimtest.Approver, "/hold")
			res, err := command.Approve(context.Background(), command.ApproveOptions{
				ConfigRepo: command.ConfigRepo{Repo: r.w.Config, Auth: command.Auth{Token: r.w.Token(ghsimtest.BatonUser), APIURL: r.w.URL}},
				Comment:    &ev,
			})
			if err != nil || !strings.Contains(res.Reply, "Baton does nothing with pull request #2") {
				t.Errorf("other command: %+v, %v", res, err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRoom(t, roomPolicy)
			ev, tag := r.failRelease(t, releasesRoute)
			later(t, r, ev)
			rels := r.w.Sim.Releases(r.w.Config)
			if len(rels) != 1 || rels[0].TagName != tag || !strings.Contains(rels[0].Body, "| Approved by | @bob |") || !strings.Contains(rels[0].Body, "| Merged by | @baton |") {
				t.Fatalf("releases %+v", rels)
			}
			if tags := r.w.Sim.Refs(r.w.Config, "refs/tags/"); len(tags) != 1 {
				t.Errorf("tags %v", tags)
			}
		})
	}
}

// TestReleaseLostAnswersMakeNoDuplicates: an answer lost after GitHub made
// the tag object, the tag's ref or the release is found again.
func TestReleaseLostAnswersMakeNoDuplicates(t *testing.T) {
	t.Parallel()
	for _, route := range []string{"/repos/{owner}/{repo}/git/tags", "/repos/{owner}/{repo}/git/refs", releasesRoute} {
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			r := newRoom(t, roomPolicy)
			ev := r.say(t, r.pr, ghsimtest.Approver, "/approve")
			tag := "v" + r.w.Clock.Now().UTC().Format("20060102150405")
			r.w.Sim.Inject(ghsim.Fault{Method: "POST", Route: route, Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
			res := r.handle(t, ev)
			if !res.Merged || res.Release == nil || res.Release.Tag != tag {
				t.Fatalf("result %+v", res)
			}
			if rels := r.w.Sim.Releases(r.w.Config); len(rels) != 1 {
				t.Errorf("%d releases", len(rels))
			}
			if tags := r.w.Sim.Refs(r.w.Config, "refs/tags/"); len(tags) != 1 {
				t.Errorf("tags %v", tags)
			}
		})
	}
}

// TestTagNamesTakenInAdvance: names someone took before the merge, on
// other commits or on the merge commit itself, never leave the merge
// unreleased; every name taken is an error naming them, and a later run
// releases once a name is free.
func TestTagNamesTakenInAdvance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("on other commits", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		erin := client(t, r.w, ghsimtest.Writer)
		main := r.w.Sim.Ref(r.w.Config, "refs/heads/main")
		ts := "v" + r.w.Clock.Now().Add(1e9).UTC().Format("20060102150405") // the merge's second
		for _, name := range []string{ts, ts + "-pr1"} {
			if err := erin.CreateRef(ctx, r.w.Config, "refs/tags/"+name, main); err != nil {
				t.Fatal(err)
			}
		}
		res := r.handle(t, r.say(t, r.pr, ghsimtest.Approver, "/approve"))
		if !res.Merged || res.Release == nil || res.Release.Tag != ts+"-pr1-2" {
			t.Fatalf("result %+v", res)
		}
	})
	t.Run("on the merge commit, by someone else", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		_, ts := r.failRelease(t, "/repos/{owner}/{repo}/git/tags")
		erin := client(t, r.w, ghsimtest.Writer)
		merge := r.w.Sim.PullRequests(r.w.Config)[0].PR.MergeSHA
		if err := erin.CreateRef(ctx, r.w.Config, "refs/tags/"+ts, merge); err != nil {
			t.Fatal(err)
		}
		done, err := promotion.Reconcile(ctx, r.gh, r.policy, r.w.Config)
		if err != nil || len(done) != 1 || done[0].Release.Tag != ts+"-pr1" {
			t.Fatalf("reconcile: %+v, %v", done, err)
		}
		if rels := r.w.Sim.Releases(r.w.Config); len(rels) != 1 || !strings.Contains(rels[0].Body, "| Approved by | @bob |") {
			t.Errorf("releases %+v", rels)
		}
	})
	t.Run("on the merge commit with a release", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		_, ts := r.failRelease(t, releasesRoute)
		merge := r.w.Sim.PullRequests(r.w.Config)[0].PR.MergeSHA
		if _, err := client(t, r.w, ghsimtest.Writer).CreateRelease(ctx, r.w.Config, githost.NewRelease{Tag: ts, Target: merge, Name: "mine"}); err != nil {
			t.Fatal(err)
		}
		// The release of the merge commit exists: nothing to finish.
		done, err := promotion.Reconcile(ctx, r.gh, r.policy, r.w.Config)
		if err != nil || len(done) != 0 || len(r.w.Sim.Releases(r.w.Config)) != 1 {
			t.Fatalf("reconcile: %+v, %v", done, err)
		}
	})
	t.Run("every name taken", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		erin := client(t, r.w, ghsimtest.Writer)
		main := r.w.Sim.Ref(r.w.Config, "refs/heads/main")
		ts := "v" + r.w.Clock.Now().Add(1e9).UTC().Format("20060102150405")
		names := []string{ts, ts + "-pr1", ts + "-pr1-2", ts + "-pr1-3", ts + "-pr1-4", ts + "-pr1-5"}
		for _, name := range names {
			if err := erin.CreateRef(ctx, r.w.Config, "refs/tags/"+name, main); err != nil {
				t.Fatal(err)
			}
		}
		_, err := promotion.HandleComment(ctx, r.gh, r.policy, r.say(t, r.pr, ghsimtest.Approver, "/approve"))
		if err == nil || !strings.Contains(err.Error(), "every tag name Baton tries is taken: "+ts+" (on ") || !strings.Contains(err.Error(), ts+"-pr1-5 (on ") {
			t.Fatalf("err %v", err)
		}
		if err := erin.DeleteRef(ctx, r.w.Config, "refs/tags/"+ts+"-pr1-3"); err != nil {
			t.Fatal(err)
		}
		done, err := promotion.Reconcile(ctx, r.gh, r.policy, r.w.Config)
		if err != nil || len(done) != 1 || done[0].Release.Tag != ts+"-pr1-3" {
			t.Fatalf("reconcile: %+v, %v", done, err)
		}
	})
}

// TestHumanMergeNotesNameOnlyVerifiedApprovals: a person merges with a
// message naming approvers; the notes name who merged (merged_by) and the
// approvals Baton recounts from evidence, or say there is none.
func TestHumanMergeNotesNameOnlyVerifiedApprovals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		approve bool
		want    string
	}{
		"with an approval":  {approve: true, want: "| Approved by | @bob |"},
		"without approvals": {want: "| Approved by | no approval verified by Baton |"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRoom(t, strings.Replace(roomPolicy, "approvals: 1", "approvals: 2", 1))
			if tc.approve {
				if res := r.handle(t, r.say(t, r.pr, ghsimtest.Approver, "/approve")); res.Merged {
					t.Fatal("merged on one of two approvals")
				}
			}
			erin := client(t, r.w, ghsimtest.Writer)
			pr, err := erin.PR(ctx, r.w.Config, r.pr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := erin.Merge(ctx, r.w.Config, r.pr, pr.HeadSHA, "squash", "ship it", "Baton-Approved-By: carol, adam\nApproved-by: @carol"); err != nil {
				t.Fatal(err)
			}
			pr, err = erin.PR(ctx, r.w.Config, r.pr)
			if err != nil {
				t.Fatal(err)
			}
			res, err := promotion.HandleClosed(ctx, r.gh, r.policy, promotion.ClosedEvent{Repo: r.w.Config, PR: pr, Action: "closed"})
			if err != nil || res.Release == nil {
				t.Fatalf("closed: %+v, %v", res, err)
			}
			rels := r.w.Sim.Releases(r.w.Config)
			if len(rels) != 1 || !strings.Contains(rels[0].Body, tc.want) || !strings.Contains(rels[0].Body, "| Merged by | @erin |") ||
				strings.Contains(rels[0].Body, "carol") || strings.Contains(rels[0].Body, "adam") {
				t.Errorf("notes:\n%s", rels[0].Body)
			}
		})
	}
}

// TestReleaseRefusals: a merged pull request on Baton's branch name that
// Baton did not open is not released as a deployment, and the sweep
// refuses to guess when it cannot learn Baton's identity.
func TestReleaseRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRoom(t, roomPolicy)
	n := r.openHandMadePR(t, "baton/staging/web")
	if _, err := r.w.Sim.Merge(r.w.Config, n, ghsimtest.Writer, "squash"); err != nil {
		t.Fatal(err)
	}
	pr, err := r.gh.PR(ctx, r.w.Config, n)
	if err != nil {
		t.Fatal(err)
	}
	res, err := promotion.HandleClosed(ctx, r.gh, r.policy, promotion.ClosedEvent{Repo: r.w.Config, PR: pr, Action: "closed"})
	if err != nil || !strings.HasPrefix(res.Ignored, "pull request #2 is not released: it was opened by @erin, not by Baton") {
		t.Errorf("hand-made: %+v, %v", res, err)
	}
	if done, err := promotion.Reconcile(ctx, r.gh, r.policy, r.w.Config); err != nil || len(done) != 0 {
		t.Errorf("reconcile released a hand-made pull request: %+v, %v", done, err)
	}
	if rels := r.w.Sim.Releases(r.w.Config); len(rels) != 0 {
		t.Errorf("releases %+v", rels)
	}

	// An installation token passed as a plain token cannot read GET /user.
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true})
	_, err = command.Reconcile(ctx, command.ReconcileOptions{ConfigRepo: command.ConfigRepo{Repo: w.Config, Auth: command.Auth{Token: w.InstallationToken(), APIURL: w.URL}}})
	if err == nil || !strings.Contains(err.Error(), "Baton must know its own identity to recognise its pull requests") {
		t.Errorf("reconcile without an identity: %v", err)
	}
}

// TestReleaseAfterTheFactRefusals covers the remaining branches of the
// release after the fact: a tag someone made on the merge commit counts
// when its release exists; a person's merge of content Baton cannot
// verify is released with no approver and the reason; a re-run whose
// release still fails fails.
func TestReleaseAfterTheFactRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("someone's tag and release on the merge commit", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		_, ts := r.failRelease(t, "/repos/{owner}/{repo}/git/tags")
		pr, err := r.gh.PR(ctx, r.w.Config, r.pr)
		if err != nil {
			t.Fatal(err)
		}
		erin := client(t, r.w, ghsimtest.Writer)
		if err := erin.CreateRef(ctx, r.w.Config, "refs/tags/"+ts, pr.MergeSHA); err != nil {
			t.Fatal(err)
		}
		theirs, err := erin.CreateRelease(ctx, r.w.Config, githost.NewRelease{Tag: ts, Target: pr.MergeSHA, Name: "by hand"})
		if err != nil {
			t.Fatal(err)
		}
		merge, err := r.gh.Commit(ctx, r.w.Config, pr.MergeSHA)
		if err != nil {
			t.Fatal(err)
		}
		pol, err := r.policy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := promotion.Release(ctx, r.gh, promotion.ReleaseRequest{Repo: r.w.Config, Policy: pol, PR: pr, Record: promotion.ParseTrailers(merge.Message), MergedBy: pr.MergedBy})
		if err != nil || rel.ID != theirs.ID || len(r.w.Sim.Releases(r.w.Config)) != 1 {
			t.Fatalf("release %+v, %v", rel, err)
		}
	})
	t.Run("a person's merge of unverifiable content", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		extra := "ops: true\n"
		if _, err := r.w.Sim.Push(r.w.Config, "baton/production/web", ghsimtest.Writer, map[string]*string{"extra.yaml": &extra}, "one more thing"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.w.Sim.Merge(r.w.Config, r.pr, ghsimtest.Writer, "squash"); err != nil {
			t.Fatal(err)
		}
		pr, err := r.gh.PR(ctx, r.w.Config, r.pr)
		if err != nil {
			t.Fatal(err)
		}
		res, err := promotion.HandleClosed(ctx, r.gh, r.policy, promotion.ClosedEvent{Repo: r.w.Config, PR: pr, Action: "closed"})
		if err != nil || res.Release == nil {
			t.Fatalf("closed: %+v, %v", res, err)
		}
		body := r.w.Sim.Releases(r.w.Config)[0].Body
		if !strings.Contains(body, "| Approved by | no approval verified by Baton |") || !strings.Contains(body, "| Content | not verified by Baton: ") || !strings.Contains(body, "| Merged by | @erin |") {
			t.Errorf("notes:\n%s", body)
		}
	})
	t.Run("a re-run whose release still fails", func(t *testing.T) {
		t.Parallel()
		r := newRoom(t, roomPolicy)
		ev, _ := r.failRelease(t, releasesRoute)
		r.w.Sim.Inject(ghsim.Fault{Method: "POST", Route: releasesRoute, Kind: ghsim.FaultStatus, Status: 403})
		_, err := promotion.HandleComment(ctx, r.gh, r.policy, ev)
		if err == nil || !strings.Contains(err.Error(), "#1 was merged as") || !strings.Contains(err.Error(), "but its release failed") || len(r.replies(r.pr)) != 0 {
			t.Fatalf("err %v, replies %q", err, r.replies(r.pr))
		}
	})
}
