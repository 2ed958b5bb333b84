package promotion_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// ranIn records a push-triggered workflow run of acme/web at its main
// head, caused by actor (re-run by triggering, when not ""), and points r
// at it as the bump in that run's job would: the build's repository,
// commit and run id.
func ranIn(tb testing.TB, sim *ghsim.Sim, r promotion.BumpRequest, actor, triggering string) promotion.BumpRequest {
	tb.Helper()
	sha := sim.Ref("acme/web", "refs/heads/main")
	id, err := sim.AddWorkflowRun("acme/web", ghsim.RunOptions{HeadSHA: sha, HeadBranch: "main", Actor: actor, TriggeringActor: triggering})
	if err != nil {
		tb.Fatal(err)
	}
	r.SourceRepo, r.SourceSHA, r.RunID = "acme/web", sha, id
	return r
}

// record is the trailers of the promotion's head commit.
func (s *stage) record(t *testing.T) promotion.Trailers {
	t.Helper()
	c, err := s.gh.Commit(context.Background(), "acme/config", s.head(t))
	if err != nil {
		t.Fatal(err)
	}
	return promotion.ParseTrailers(c.Message)
}

// supersede bumps the stage's production promotion to 1.5.1 with r's
// build, and fails the test unless the pull request was updated.
func (s *stage) supersede(t *testing.T, r promotion.BumpRequest) {
	t.Helper()
	s.clock.Advance(time.Minute)
	r.Ref = "refs/heads/main"
	if out, err := bump(context.Background(), s.gh, r); err != nil || out.Outcome != promotion.Updated {
		t.Fatalf("bump: %+v, %v", out, err)
	}
	s.clock.Advance(time.Minute)
}

// Row 8: the actor recorded for self-approval is the workflow run's, as
// GitHub shows it, never the login or id the bump's caller gives. An
// approver who runs the bump claiming someone else is still "self", and
// a re-run makes both the run's actor and who re-ran it "self".
func TestAttackBumpClaimsAnotherActor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, actor, rerunBy string
		self                 []string // refused as self
		wantLogin            string
	}{
		{name: "bob runs the bump as carol", actor: "bob", self: []string{"bob"}, wantLogin: "bob"},
		{name: "bob re-runs alice's run", actor: "alice", rerunBy: "bob", self: []string{"alice", "bob"}, wantLogin: "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), tc.actor, tc.rerunBy)
			r.Actor = "carol" // the caller's GITHUB_ACTOR: not what GitHub says
			s.supersede(t, r)
			var ids []string
			for _, login := range []string{tc.actor, tc.rerunBy} {
				if u, ok := s.sim.User(login); ok {
					ids = append(ids, strconv.FormatInt(u.ID, 10))
				}
			}
			want := promotion.Trailers{promotion.TrailerActor: tc.wantLogin, promotion.TrailerActorID: strings.Join(ids, ", ")}
			rec := s.record(t)
			got := promotion.Trailers{promotion.TrailerActor: rec[promotion.TrailerActor], promotion.TrailerActorID: rec[promotion.TrailerActorID]}
			if diff := cmp.Diff(want, got); diff != "" || rec[promotion.TrailerActorVerified] != "" {
				t.Fatalf("record (-want +got):\n%s%s", diff, rec[promotion.TrailerActorVerified])
			}
			for _, login := range tc.self {
				res := s.handle(t, s.comment(t, login, "/approve"))
				if res.Merged || !strings.Contains(res.Reply, "triggered this promotion") {
					t.Fatalf("%s approved their own build: %+v", login, res)
				}
			}
			res := s.handle(t, s.comment(t, "carol", "/approve"))
			if !res.Merged || res.Release == nil {
				t.Fatalf("carol's approval did not merge: %+v", res)
			}
			rels := s.sim.Releases("acme/config")
			if body := rels[len(rels)-1].Body; !strings.Contains(body, "by @"+tc.wantLogin) || strings.Contains(body, "not verified") {
				t.Fatalf("release notes:\n%s", body)
			}
		})
	}
}

// A run that does not belong to the build (another commit of the app
// repository, or, as GitHub would answer, another repository) refuses the
// bump: the caller's GITHUB_* values are not this build's. Nothing is
// written.
func TestAttackBumpWithAnotherBuildsRun(t *testing.T) {
	t.Parallel()
	t.Run("another commit", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		head := s.head(t)
		r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", "")
		newer := "package main // v2\n"
		sha, err := s.sim.Push("acme/web", "main", "bob", map[string]*string{"main.go": &newer}, "v2")
		if err != nil {
			t.Fatal(err)
		}
		r.SourceSHA, r.Ref = sha, "refs/heads/main"
		_, err = bump(context.Background(), s.gh, r)
		var be *promotion.BuildError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "not the build's commit "+sha[:7]) {
			t.Fatalf("err %v, want a BuildError naming %s", err, sha[:7])
		}
		if s.head(t) != head {
			t.Fatal("the refused bump wrote the branch")
		}
	})
	t.Run("another repository", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", "")
		r.Ref = "refs/heads/main"
		// A run GitHub answers for acme/web but that belongs elsewhere
		// (the answer after a rename redirect, say).
		gh := &runElsewhere{Client: s.gh, repo: "acme/api"}
		_, err := bumpWith(context.Background(), s.gh, gh, r)
		var be *promotion.BuildError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "belongs to acme/api, not to the build's repository acme/web") {
			t.Fatalf("err %v, want a BuildError naming both repositories", err)
		}
	})
}

// runElsewhere answers every workflow run as one of another repository.
type runElsewhere struct {
	*forge.Client
	repo string
}

func (g *runElsewhere) WorkflowRun(ctx context.Context, repo string, id int64) (*githost.WorkflowRun, error) {
	run, err := g.Client.WorkflowRun(ctx, repo, id)
	if run != nil {
		run.Repo = g.repo
	}
	return run, err
}

// A run Baton cannot read (no run id, a run id of another repository:
// 404) records no actor id and marks the actor unverified. Without
// self-approval nobody can then be told apart as "self": one more
// approval than required is needed, and the reply and the release notes
// say why.
func TestUnverifiedActorNeedsOneMoreApproval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		run  func(s *stage, r promotion.BumpRequest) promotion.BumpRequest
	}{
		{"no run id", func(_ *stage, r promotion.BumpRequest) promotion.BumpRequest { r.RunID = 0; return r }},
		{"a run of another repository", func(s *stage, r promotion.BumpRequest) promotion.BumpRequest {
			if _, err := s.sim.CreateRepo("acme/api", ghsim.RepoOptions{Files: map[string]string{"main.go": "package main\n"}}); err != nil {
				t.Fatal(err)
			}
			id, err := s.sim.AddWorkflowRun("acme/api", ghsim.RunOptions{HeadSHA: s.sim.Ref("acme/api", "refs/heads/main"), Actor: "dave"})
			if err != nil {
				t.Fatal(err)
			}
			r.RunID = id
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			r := tc.run(s, ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "alice", ""))
			r.Actor = "carol"
			s.supersede(t, r)
			rec := s.record(t)
			if rec[promotion.TrailerActorVerified] != "no" || rec[promotion.TrailerActorID] != "" || rec[promotion.TrailerActor] != "carol" {
				t.Fatalf("record %v, want %s: no, no %s", rec, promotion.TrailerActorVerified, promotion.TrailerActorID)
			}
			if body := s.sim.PullRequests("acme/config")[0].Body; !strings.Contains(body, "| Triggered by | carol (not verified)") {
				t.Fatalf("the pull request body does not say the actor is unverified:\n%s", body)
			}
			res := s.handle(t, s.comment(t, "bob", "/approve"))
			if res.Merged || !strings.Contains(res.Reply, "Approvals: 1 of 2") || !strings.Contains(res.Reply, "GitHub did not vouch for who triggered this build") {
				t.Fatalf("one approval merged an unverified build: %+v", res)
			}
			// The named actor is no evidence either way: carol's approval
			// is the second.
			res = s.handle(t, s.comment(t, "carol", "/approve"))
			if !res.Merged {
				t.Fatalf("two approvals did not merge: %+v", res)
			}
			rels := s.sim.Releases("acme/config")
			if body := rels[len(rels)-1].Body; !strings.Contains(body, "not verified") {
				t.Fatalf("release notes do not say the actor is unverified:\n%s", body)
			}
		})
	}
}

// An app whose policy declares repo: is bumped only by builds of that
// repository; without repo: any build may bump it.
func TestAttackCrossAppBump(t *testing.T) {
	t.Parallel()
	withRepo := strings.Replace(reviewPolicy, "    image: ghcr.io/acme/web\n", "    image: ghcr.io/acme/web\n    repo: acme/web\n", 1)
	for _, tc := range []struct {
		name, policy, source, want string
	}{
		{"another repository", withRepo, "acme/api", "app web is built in acme/web (its repo: in the policy), but this build is of acme/api"},
		{"no repository named", withRepo, "", "app web is built in acme/web (its repo: in the policy), but this bump names no build repository"},
		{"no repo: declared", reviewPolicy, "acme/api", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, tc.policy)
			head := s.head(t)
			r := req(t, "ghcr.io/acme/web:1.5.1")
			r.Ref, r.SourceRepo, r.RunID = "refs/heads/main", tc.source, 0
			out, err := bump(context.Background(), s.gh, r)
			if tc.want == "" {
				if err != nil || out.Outcome != promotion.Updated {
					t.Fatalf("bump: %+v, %v", out, err)
				}
				return
			}
			var be *promotion.BuildError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want a BuildError: %s", err, tc.want)
			}
			if s.head(t) != head {
				t.Fatal("the refused bump wrote the branch")
			}
		})
	}
}
