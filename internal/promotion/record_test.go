package promotion_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/promotion"
)

// The bump's record carries what later steps decide on: the numeric id of
// who triggered the build (self-approval survives a rename) and the
// allow-downgrade override (the merge-time downgrade check honours it).
func TestBumpRecordsActorIDAndDowngradeOverride(t *testing.T) {
	t.Parallel()
	t.Run("a renamed actor is still self", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, strings.Replace(reviewPolicy, "approvals: 1", "approvals: 2", 1))
		s.sim.SetTeamMember("acme", "sre", "erin", "member", "active")
		erin, _ := s.sim.User("erin")
		s.clock.Advance(time.Minute)
		r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.5.1"), "erin", "")
		r.Ref, r.Actor = "refs/heads/main", "erin"
		if _, err := bump(context.Background(), s.gh, r); err != nil {
			t.Fatal(err)
		}
		head, err := s.gh.Commit(context.Background(), "acme/config", s.head(t))
		if err != nil {
			t.Fatal(err)
		}
		if rec := promotion.ParseTrailers(head.Message); rec[promotion.TrailerActorID] != strconv.FormatInt(erin.ID, 10) || rec[promotion.TrailerDowngrade] != "" {
			t.Fatalf("record %v, want %s: %d and no %s", rec, promotion.TrailerActorID, erin.ID, promotion.TrailerDowngrade)
		}
		if err := s.sim.RenameUser("erin", "erin-renamed"); err != nil {
			t.Fatal(err)
		}
		res := s.handle(t, s.comment(t, "erin-renamed", "/approve"))
		if res.Merged || !strings.Contains(res.Reply, "`@erin-renamed` triggered this promotion") {
			t.Fatalf("the renamed actor approved their own promotion: %+v", res)
		}
	})
	t.Run("an allowed downgrade merges", func(t *testing.T) {
		t.Parallel()
		s := newStage(t, reviewPolicy)
		s.clock.Advance(time.Minute)
		r := ranIn(t, s.sim, req(t, "ghcr.io/acme/web:1.2.0"), "alice", "")
		r.Ref, r.AllowDowngrade = "refs/heads/main", true
		res, err := bump(context.Background(), s.gh, r)
		if err != nil || !res.Changed() {
			t.Fatalf("bump: %+v, %v", res, err)
		}
		head, err := s.gh.Commit(context.Background(), "acme/config", s.head(t))
		if err != nil {
			t.Fatal(err)
		}
		if rec := promotion.ParseTrailers(head.Message); rec[promotion.TrailerDowngrade] != "allowed" {
			t.Fatalf("record %v, want %s: allowed", rec, promotion.TrailerDowngrade)
		}
		s.clock.Advance(time.Minute)
		got := s.handle(t, s.comment(t, "bob", "/approve"))
		if !got.Merged || got.Release == nil || !strings.Contains(got.Release.Name, "1.2.0") {
			t.Fatalf("the allowed downgrade did not merge: %+v", got)
		}
	})
}
