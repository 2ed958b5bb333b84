package forge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/githost"
)

// TestAcknowledgeSaysWhoReactedAndWhetherFirst: the reaction's answer
// names the client's account, and a second reaction is not new (200).
func TestAcknowledgeSaysWhoReactedAndWhetherFirst(t *testing.T) {
	t.Parallel()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	ctx := context.Background()
	pr := openPR(t, sim, c, "x", "image: x:2\n")
	id, err := sim.AddComment("acme/config", pr.Number, "alice", "/approve")
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for range 2 {
		r, err := c.Acknowledge(ctx, "acme/config", id, "eyes")
		if err != nil {
			t.Fatal(err)
		}
		if r.User.Login != "alice" || r.User.ID == 0 || r.Content != "eyes" {
			t.Errorf("reaction %+v", r)
		}
		got = append(got, r.New)
	}
	if diff := cmp.Diff([]bool{true, false}, got); diff != "" {
		t.Errorf("New (-want +got):\n%s", diff)
	}
}

// TestTagAndRecentListings: Tag tells an annotated tag from a lightweight
// one, and the sweep's one-page listings hold what they should.
func TestTagAndRecentListings(t *testing.T) {
	t.Parallel()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	ctx := context.Background()
	main := sim.Ref("acme/config", "refs/heads/main")
	if err := c.CreateTag(ctx, "acme/config", "v1", "release v1\n\nBaton-PR: #1\n", main); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateRef(ctx, "acme/config", "refs/tags/v2", main); err != nil {
		t.Fatal(err)
	}
	var got []githost.Tag
	for _, name := range []string{"v1", "v2"} {
		tag, err := c.Tag(ctx, "acme/config", name)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *tag)
	}
	want := []githost.Tag{
		{Name: "v1", Commit: main, Annotated: true, Message: "release v1\n\nBaton-PR: #1\n"},
		{Name: "v2", Commit: main},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if _, err := c.Tag(ctx, "acme/config", "v3"); !errors.Is(err, githost.ErrNotFound) {
		t.Errorf("missing tag: %v", err)
	}

	if _, err := c.CreateRelease(ctx, "acme/config", githost.NewRelease{Tag: "v1", Target: main, Name: "one"}); err != nil {
		t.Fatal(err)
	}
	rels, err := c.RecentReleases(ctx, "acme/config", 10)
	if err != nil || len(rels) != 1 || rels[0].Tag != "v1" || rels[0].Target != main {
		t.Errorf("releases %+v, %v", rels, err)
	}

	open := openPR(t, sim, c, "a", "image: x:2\n")
	closed := openPR(t, sim, c, "b", "image: x:3\n")
	if err := c.ClosePR(ctx, "acme/config", closed.Number); err != nil {
		t.Fatal(err)
	}
	list, err := c.RecentlyClosedPRs(ctx, "acme/config", 5)
	if err != nil || len(list) != 1 || list[0].Number != closed.Number || list[0].Number == open.Number {
		t.Errorf("closed %+v, %v", list, err)
	}
}
