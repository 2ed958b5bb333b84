package forge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/githost"
)

func TestActivityOrdersPushesByServerTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	main := sim.Ref("acme/config", "refs/heads/main")
	alice := githost.User{ID: sim.AddUser("alice").ID, Login: "alice", Type: "User"}

	before := clk.Now()
	clk.Advance(time.Minute)
	created := clk.Now()
	if err := c.CreateRef(ctx, "acme/config", "heads/bump", main); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	pushed := clk.Now()
	two := "image: x:2\n"
	if _, err := sim.Push("acme/config", "bump", "alice", map[string]*string{"a.yaml": &two}, "two"); err != nil {
		t.Fatal(err)
	}
	afterPush := sim.Ref("acme/config", "refs/heads/bump")
	clk.Advance(time.Minute)
	forced := clk.Now()
	if err := c.UpdateRef(ctx, "acme/config", "heads/bump", main, true); err != nil {
		t.Fatal(err)
	}

	got, err := c.Activity(ctx, "acme/config", "bump", before)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i].ID == 0 {
			t.Errorf("activity %d has no id", i)
		}
		got[i].ID = 0
	}
	zero := strings.Repeat("0", 40)
	want := []githost.Activity{
		{Before: zero, After: main, Ref: "refs/heads/bump", Timestamp: created, Type: "branch_creation", Actor: alice},
		{Before: main, After: afterPush, Ref: "refs/heads/bump", Timestamp: pushed, Type: "push", Actor: alice},
		{Before: afterPush, After: main, Ref: "refs/heads/bump", Timestamp: forced, Type: "force_push", Actor: alice},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("activity (-want +got):\n%s", diff)
	}

	// since drops what came before it.
	got, err = c.Activity(ctx, "acme/config", "refs/heads/bump", pushed)
	if err != nil || len(got) != 2 || got[0].Type != "push" {
		t.Errorf("since the push: %+v, %v", got, err)
	}
}

func TestActivityReadsEveryPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	clk.Advance(time.Second) // after the repository's initial commit
	since := clk.Now()
	for i := range 130 {
		clk.Advance(time.Second)
		content := fmt.Sprintf("image: x:%d\n", i)
		if _, err := sim.Push("acme/config", "main", "alice", map[string]*string{"a.yaml": &content}, "bump"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Activity(ctx, "acme/config", "main", since)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 130 {
		t.Fatalf("%d entries, want 130 over two pages", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Before != got[i-1].After || !got[i].Timestamp.After(got[i-1].Timestamp) {
			t.Errorf("entry %d does not follow entry %d: %+v after %+v", i, i-1, got[i], got[i-1])
		}
	}
}

// TestRecentActivityStopsWhenEnough: a branch with a long history costs
// one request when the newest entries suffice; the entries come oldest
// first and end with the push that set the head.
func TestRecentActivityStopsWhenEnough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	var head string
	for i := range 230 {
		clk.Advance(time.Second)
		content := fmt.Sprintf("image: x:%d\n", i)
		sha, err := sim.Push("acme/config", "main", "alice", map[string]*string{"a.yaml": &content}, "bump")
		if err != nil {
			t.Fatal(err)
		}
		head = sha
	}
	for _, tc := range []struct {
		name     string
		enough   func([]githost.Activity) bool
		entries  int // at least
		requests int
	}{
		{name: "the newest three", enough: func(l []githost.Activity) bool { return len(l) >= 3 }, entries: 3, requests: 1},
		{name: "never enough: the whole log", enough: func([]githost.Activity) bool { return false }, entries: 231, requests: 3},
	} {
		sim.ResetLog()
		got, err := c.RecentActivity(ctx, "acme/config", "main", tc.enough)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n := 0
		for _, q := range sim.Requests() {
			if strings.HasSuffix(q.Path, "/activity") {
				n++
			}
		}
		if len(got) < tc.entries || n != tc.requests || got[len(got)-1].After != head {
			t.Errorf("%s: %d entries in %d requests, last %+v; want ≥ %d in %d ending at %.7s", tc.name, len(got), n, got[len(got)-1], tc.entries, tc.requests, head)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Before != got[i-1].After {
				t.Errorf("%s: entry %d does not follow entry %d", tc.name, i, i-1)
			}
		}
	}
}
