package promotion

import (
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

// TestIsBatonCommit is the provenance rule for reading Baton's record
// from a branch head, row by row.
func TestIsBatonCommit(t *testing.T) {
	t.Parallel()
	ci := githost.User{ID: 7, Login: "ci"}
	bot := githost.User{ID: 99, Login: "baton[bot]", Type: "Bot"}
	mallory := githost.User{ID: 13, Login: "mallory"}
	token := githost.Identity{User: ci}
	app := githost.Identity{User: bot, AppID: 5, AppSlug: "baton"}
	commit := func(author, committer githost.User, verified bool) *githost.AuthoredCommit {
		c := &githost.AuthoredCommit{Author: author, Committer: committer, Verified: verified, CommitterEmail: committer.Login + "@users.noreply.github.com"}
		if committer.Login == "web-flow" {
			c.CommitterEmail = "noreply@github.com"
		}
		return c
	}
	for _, tc := range []struct {
		name string
		c    *githost.AuthoredCommit
		self githost.Identity
		want bool
	}{
		{"token: author and committer are Baton's account", commit(ci, ci, false), token, true},
		{"app: Baton's bot, signed and committed by GitHub", commit(bot, githost.User{ID: 19864447, Login: "web-flow"}, true), app, true},
		{"app: Baton's bot e-mail on an unsigned commit", commit(bot, bot, false), app, false},
		{"app: another author, signed", commit(mallory, githost.User{ID: 19864447, Login: "web-flow"}, true), app, false},
		{"app: Baton's bot as author, signed by a writer as committer", commit(bot, mallory, true), app, false},
		{"another author", commit(mallory, ci, false), token, false},
		{"another committer", commit(ci, mallory, false), token, false},
		{"Baton's login on another account (renamed)", commit(githost.User{ID: 8, Login: "ci"}, githost.User{ID: 8, Login: "ci"}, true), token, false},
		{"no account linked", commit(githost.User{}, githost.User{}, true), token, false},
		{"identity unknown", commit(ci, ci, true), githost.Identity{}, false},
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
	self := githost.Identity{User: githost.User{ID: 7, Login: "ci"}}
	pr := func(n int, login string, id int64, base, headRepo string) *githost.PR {
		return &githost.PR{Number: n, Author: login, User: githost.User{ID: id, Login: login}, Head: "baton/staging/web", Base: base,
			State: "open", HeadRepo: headRepo, BaseRepo: "acme/config", DefaultBranch: "main"}
	}
	for _, tc := range []struct {
		name string
		prs  []*githost.PR
		want int // 0: none
	}{
		{"Baton's", []*githost.PR{pr(1, "ci", 7, "main", "acme/config")}, 1},
		{"hand-opened on Baton's branch", []*githost.PR{pr(2, "mallory", 13, "main", "acme/config")}, 0},
		{"Baton's branch against another base", []*githost.PR{pr(3, "ci", 7, "release", "acme/config")}, 0},
		{"a renamed account reusing Baton's login", []*githost.PR{pr(4, "ci", 8, "main", "acme/config")}, 0},
		{"from a fork", []*githost.PR{pr(5, "ci", 7, "main", "mallory/config")}, 0},
		{"Baton's among others", []*githost.PR{pr(6, "mallory", 13, "release", "acme/config"), pr(7, "ci", 7, "main", "acme/config")}, 7},
	} {
		got, n := ownPR(tc.prs, self, "acme/config", "baton/staging/web"), 0
		if got != nil {
			n = got.Number
		}
		if n != tc.want {
			t.Errorf("%s: #%d, want #%d (0: none)", tc.name, n, tc.want)
		}
	}
	if ownPR([]*githost.PR{pr(1, "ci", 7, "main", "acme/config")}, githost.Identity{}, "acme/config", "baton/staging/web") != nil {
		t.Error("with an unknown identity nothing is Baton's")
	}
}

// TestIsArchived recognizes GitHub's refusal to write to an archived
// repository (the simulator has no archived repositories yet).
func TestIsArchived(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&githost.Error{Op: "create tree in acme/config", Status: 403, Message: "Repository was archived so is read-only.", Kind: githost.ErrForbidden}, true},
		{&githost.Error{Op: "create tree in acme/config", Status: 403, Message: "Resource not accessible by integration", Kind: githost.ErrForbidden}, false},
		{&githost.Error{Op: "create tree in acme/config", Status: 500, Message: "archived", Kind: githost.ErrRetryable}, false},
		{nil, false},
	} {
		if got := isArchived(tc.err); got != tc.want {
			t.Errorf("isArchived(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
