package promotion

import (
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

// TestEnoughLog: reading the head branch's log newest first stops at the
// first entry the rebuild chain cannot pass, or after maxRebuildChain+1
// entries; a chain of Baton's linked pushes needs more.
func TestEnoughLog(t *testing.T) {
	t.Parallel()
	e := &evidence{self: githost.Identity{User: githost.User{ID: 7, Login: "baton"}}}
	baton, writer := githost.User{ID: 7}, githost.User{ID: 9}
	push := func(by githost.User, before, after string) githost.Activity {
		return githost.Activity{Actor: by, Before: before, After: after}
	}
	chain := func(n int) []githost.Activity { // newest first, linked
		var out []githost.Activity
		for i := n; i > 0; i-- {
			out = append(out, push(baton, string(rune('a'+i-1)), string(rune('a'+i))))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		log  []githost.Activity
		want bool
	}{
		{"nothing read yet", nil, false},
		{"Baton's head alone: the one before may continue the chain", chain(1), false},
		{"a chain of three Baton pushes", chain(3), false},
		{"a chain as long as the bound", chain(maxRebuildChain + 1), true},
		{"the head was pushed by a writer", []githost.Activity{push(writer, "a", "b"), push(baton, "z", "a")}, true},
		{"a writer's push before Baton's head", []githost.Activity{push(baton, "a", "b"), push(writer, "z", "a")}, true},
		{"Baton's pushes that do not follow each other", []githost.Activity{push(baton, "a", "b"), push(baton, "y", "z")}, true},
	} {
		if got := e.enoughLog(tc.log); got != tc.want {
			t.Errorf("%s: enoughLog = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestNoAccountNoCommand: GitHub's schema lets a comment's or a review's
// user be null; such a comment commands nothing and such a review is no
// one's, so neither can become an approval of "" (user id 0).
func TestNoAccountNoCommand(t *testing.T) {
	t.Parallel()
	e := &evidence{self: githost.Identity{User: githost.User{ID: 7, Login: "baton"}}}
	alice := githost.User{ID: 9, Login: "alice", Type: "User"}
	for _, tc := range []struct {
		name string
		user githost.User
		want string
	}{
		{"a writer's /approve", alice, "approve"},
		{"user null", githost.User{}, ""},
		{"Baton's own", e.self.User, ""},
	} {
		c := githost.Comment{ID: 1, Body: "/approve", User: tc.user, Author: tc.user.Login}
		if got := e.command(c); got != tc.want {
			t.Errorf("%s: command = %q, want %q", tc.name, got, tc.want)
		}
	}
	e.reviews = []githost.Review{{ID: 1, State: "APPROVED", CommitID: "abc"}, {ID: 2, State: "APPROVED", CommitID: "abc", User: alice}}
	got := e.latestReviews()
	if _, ok := got[0]; ok || len(got) != 1 || got[alice.ID].ID != 2 {
		t.Errorf("latestReviews = %+v; want alice's review only", got)
	}
}
