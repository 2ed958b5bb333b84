package forge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
)

func TestCommentsReadEveryPageWithIdsAndEdits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	if err := sim.SetPermission("acme/config", "mallory", "write"); err != nil {
		t.Fatal(err)
	}
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	for i := range 150 {
		if _, err := sim.AddComment("acme/config", pr.Number, "bob", fmt.Sprint("comment ", i)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Minute)
	posted := clk.Now()
	id, err := c.Comment(ctx, "acme/config", pr.Number, "looks fine")
	if err != nil {
		t.Fatal(err)
	}
	// Another writer edits alice's comment: GitHub lets any writer.
	clk.Advance(time.Hour)
	edited := clk.Now()
	api(t, url, sim.Token("mallory"), "PATCH", fmt.Sprintf("/repos/acme/config/issues/comments/%d", id), map[string]any{"body": "/approve"}, nil)

	got, err := c.Comments(ctx, "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 151 {
		t.Fatalf("%d comments, want 151 over two pages", len(got))
	}
	if got[0].Body != "comment 0" || got[149].Body != "comment 149" {
		t.Errorf("order: first %q, 150th %q", got[0].Body, got[149].Body)
	}
	want := githost.Comment{ID: id, Author: "alice", Body: "/approve", CreatedAt: posted, UpdatedAt: edited,
		User: githost.User{ID: sim.AddUser("alice").ID, Login: "alice", Type: "User"}}
	if diff := cmp.Diff(want, got[150]); diff != "" {
		t.Errorf("edited comment (-want +got):\n%s", diff)
	}
	if bob := got[0].User; bob.ID == 0 || bob.ID == want.User.ID || bob.Login != "bob" {
		t.Errorf("bob's comment user = %+v", bob)
	}
}

func TestLabelsAndReactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	if err := c.AddLabels(ctx, "acme/config", pr.Number, []string{"baton", "baton:hold"}); err != nil {
		t.Fatal(err)
	}
	// The body is the documented {"labels": [...]}, not a bare array.
	wantBody := sha256.Sum256([]byte(`{"labels":["baton","baton:hold"]}` + "\n"))
	sent := 0
	for _, r := range sim.Requests() {
		if r.Route == "POST /repos/{owner}/{repo}/issues/{number}/labels" {
			sent++
			if r.BodyHash != hex.EncodeToString(wantBody[:]) {
				t.Errorf("labels body hash %s; want that of {\"labels\": [...]}", r.BodyHash)
			}
		}
	}
	if sent != 1 {
		t.Errorf("%d label requests, want 1", sent)
	}
	if err := c.RemoveLabel(ctx, "acme/config", pr.Number, "baton:hold"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveLabel(ctx, "acme/config", pr.Number, "baton:hold"); err != nil {
		t.Errorf("removing a label the PR lacks: %v", err)
	}
	got, err := c.PR(ctx, "acme/config", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"baton"}, got.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	id, err := sim.AddComment("acme/config", pr.Number, "bob", "/approve")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.React(ctx, "acme/config", id, "eyes"); err != nil {
		t.Fatal(err)
	}
	var reactions []struct {
		Content string `json:"content"`
		User    struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	api(t, url, tok, "GET", fmt.Sprintf("/repos/acme/config/issues/comments/%d/reactions", id), nil, &reactions)
	if len(reactions) != 1 || reactions[0].Content != "eyes" || reactions[0].User.Login != "alice" {
		t.Errorf("reactions = %+v", reactions)
	}
}

// TestAcknowledgeTellsTheFirstRun: GitHub answers 201 to the first 👀 of
// an account on a comment and 200, with the original reaction, after
// that; Acknowledge reports which, names the account (priming Self, so no
// GET /user follows), and Unacknowledge gives the comment back. A retry
// after a lost answer finds its own reaction and still reports it new.
func TestAcknowledgeTellsTheFirstRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	first, second := client(t, url, tok, &sleeps{}), client(t, url, tok, &sleeps{})
	pr := openPR(t, sim, first, "bump", "image: x:2\n")
	id, err := sim.AddComment("acme/config", pr.Number, "bob", "/approve")
	if err != nil {
		t.Fatal(err)
	}
	made := clk.Now()
	sim.ResetLog()
	a, err := first.Acknowledge(ctx, "acme/config", id, "eyes")
	if err != nil || !a.New || a.User.Login != "alice" || a.User.ID == 0 {
		t.Fatalf("first reaction: %+v, %v", a, err)
	}
	self, err := first.Self(ctx)
	if err != nil || self.User != a.User {
		t.Errorf("Self after the reaction: %+v, %v; want %+v", self, err, a.User)
	}
	for _, q := range sim.Requests() {
		if q.Path == "/user" {
			t.Error("Self asked GET /user although the reaction named the account")
		}
	}
	clk.Advance(time.Minute)
	b, err := second.Acknowledge(ctx, "acme/config", id, "eyes")
	if err != nil || b.New || b.ID != a.ID {
		t.Fatalf("second reaction: %+v, %v (want the first one, not new)", b, err)
	}
	var listed []struct {
		CreatedAt time.Time `json:"created_at"`
	}
	api(t, url, tok, "GET", fmt.Sprintf("/repos/acme/config/issues/comments/%d/reactions", id), nil, &listed)
	if len(listed) != 1 || !listed[0].CreatedAt.Equal(made) {
		t.Errorf("reactions %+v, want one made at %v", listed, made)
	}
	if err := first.Unacknowledge(ctx, "acme/config", id, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := first.Unacknowledge(ctx, "acme/config", id, a.ID); err != nil {
		t.Errorf("removing a reaction already gone: %v", err)
	}
	sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/issues/comments/{id}/reactions", Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
	if c, err := second.Acknowledge(ctx, "acme/config", id, "eyes"); err != nil || !c.New {
		t.Errorf("reaction after a lost answer: %+v, %v (want new: it is this run's own)", c, err)
	}
	if sim.FaultHits() != 1 {
		t.Errorf("the fault was hit %d times", sim.FaultHits())
	}
}

// Reply after a lost answer: the comment GitHub made is found, not posted
// twice; but a writer's comment with the same body, posted first, is not
// taken for Baton's.
func TestReplyAfterALostAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	if err := sim.SetPermission("acme/config", "erin", "write"); err != nil {
		t.Fatal(err)
	}
	c := client(t, url, tok, &sleeps{})
	pr := openPR(t, sim, c, "bump", "image: x:2\n")
	body := "Approval counted.\n<!-- baton:reply 7 -->"
	forged, err := sim.AddComment("acme/config", pr.Number, "erin", body)
	if err != nil {
		t.Fatal(err)
	}
	sim.Inject(ghsim.Fault{Method: "POST", Route: "/repos/{owner}/{repo}/issues/{number}/comments", Kind: ghsim.FaultStatusAfter, Status: 502, Times: 1})
	id, err := c.Reply(ctx, "acme/config", pr.Number, body)
	if err != nil {
		t.Fatal(err)
	}
	var mine []int64
	for _, cm := range sim.Comments("acme/config", pr.Number) {
		if cm.Body == body && cm.User.Login == "alice" {
			mine = append(mine, cm.ID)
		}
	}
	if id == forged || len(mine) != 1 || mine[0] != id {
		t.Errorf("Reply returned %d (the writer's is %d); the client's own copies: %v", id, forged, mine)
	}
}
