package promotion

import (
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

// TestIsBatonCommit is the provenance rule for reading Baton's record
// from a branch head, row by row.
func TestIsBatonCommit(t *testing.T) {
	t.Parallel()
	token := githost.Identity{Login: "ci", ID: 7}
	app := githost.Identity{Login: "baton[bot]", ID: 99, App: true}
	byBaton := func(id githost.Identity, verified bool) *githost.AuthoredCommit {
		return &githost.AuthoredCommit{AuthorLogin: id.Login, AuthorID: id.ID, CommitterLogin: id.Login, CommitterID: id.ID, Verified: verified}
	}
	for _, tc := range []struct {
		name string
		c    *githost.AuthoredCommit
		self githost.Identity
		want bool
	}{
		{"token: author and committer are Baton's account", byBaton(token, false), token, true},
		{"app: Baton's bot, verified", byBaton(app, true), app, true},
		{"app: Baton's bot e-mail on an unsigned commit", byBaton(app, false), app, false},
		{"another author", &githost.AuthoredCommit{AuthorLogin: "mallory", AuthorID: 13, CommitterLogin: "ci", CommitterID: 7}, token, false},
		{"another committer", &githost.AuthoredCommit{AuthorLogin: "ci", AuthorID: 7, CommitterLogin: "mallory", CommitterID: 13}, token, false},
		{"Baton's old login, now another account's id", &githost.AuthoredCommit{AuthorLogin: "ci", AuthorID: 8, CommitterLogin: "ci", CommitterID: 8}, token, false},
		{"no account linked", &githost.AuthoredCommit{}, token, false},
		{"identity unknown", byBaton(token, true), githost.Identity{}, false},
		{"no commit", nil, token, false},
	} {
		if got := isBatonCommit(tc.c, tc.self); got != tc.want {
			t.Errorf("%s: isBatonCommit = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestOwnPR is the rule that finds Baton's pull request among the open
// ones on its branch.
func TestOwnPR(t *testing.T) {
	t.Parallel()
	self := githost.Identity{Login: "ci", ID: 7}
	pr := func(n int, author string, id int64, base string) *githost.PR {
		return &githost.PR{Number: n, Author: author, AuthorID: id, Head: "baton/staging/web", Base: base, State: "open"}
	}
	for _, tc := range []struct {
		name string
		prs  []*githost.PR
		want int // 0: none
	}{
		{"Baton's", []*githost.PR{pr(1, "ci", 7, "main")}, 1},
		{"hand-opened on Baton's branch", []*githost.PR{pr(2, "mallory", 13, "main")}, 0},
		{"Baton's branch against another base", []*githost.PR{pr(3, "ci", 7, "release")}, 0},
		{"a renamed account reusing Baton's login", []*githost.PR{pr(4, "ci", 8, "main")}, 0},
		{"Baton's among others", []*githost.PR{pr(5, "mallory", 13, "release"), pr(6, "ci", 7, "main")}, 6},
	} {
		got := ownPR(tc.prs, self, "baton/staging/web", "main")
		if n := 0; got != nil {
			n = got.Number
			if n != tc.want {
				t.Errorf("%s: #%d, want #%d", tc.name, n, tc.want)
			}
		} else if tc.want != 0 {
			t.Errorf("%s: none, want #%d", tc.name, tc.want)
		}
	}
	if ownPR([]*githost.PR{pr(1, "ci", 7, "main")}, githost.Identity{}, "baton/staging/web", "main") != nil {
		t.Error("with an unknown identity nothing is Baton's")
	}
}
