package promotion

import (
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

// TestRecordOfProvenance is the provenance rule for reading Baton's
// record from a commit on its branch, row by row: the rule the merge
// decision uses (commitProvenance), fed by the branch's activity log.
func TestRecordOfProvenance(t *testing.T) {
	t.Parallel()
	ci := githost.User{ID: 7, Login: "ci"}
	bot := githost.User{ID: 99, Login: "baton[bot]", Type: "Bot"}
	mallory := githost.User{ID: 13, Login: "mallory"}
	webFlow := githost.User{ID: 19864447, Login: "web-flow"}
	token := githost.Identity{User: ci}
	app := githost.Identity{User: bot, AppID: 5, AppSlug: "baton"}
	const sha = "1111111111111111111111111111111111111111"
	msg := "chore(staging): bump web to 1.5.0\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:1.5.0\n"
	commit := func(author, committer githost.User, email string, verified bool) *githost.AuthoredCommit {
		return &githost.AuthoredCommit{SHA: sha, Message: msg, Author: author, Committer: committer, CommitterEmail: email, Verified: verified}
	}
	pushed := func(by githost.User, after string) []githost.Activity {
		return []githost.Activity{{ID: 1, After: after, Actor: by, Type: "force_push"}}
	}
	for _, tc := range []struct {
		name string
		c    *githost.AuthoredCommit
		self githost.Identity
		log  []githost.Activity
		want bool
	}{
		{"token: Baton pushed it", commit(ci, ci, "ci@example.com", false), token, pushed(ci, sha), true},
		{"token: Baton's e-mail on a commit a writer pushed", commit(ci, ci, "ci@example.com", false), token, pushed(mallory, sha), false},
		{"token: Baton pushed another commit", commit(ci, ci, "ci@example.com", false), token, pushed(ci, "2222222222222222222222222222222222222222"), false},
		{"token: no activity log", commit(ci, ci, "ci@example.com", false), token, nil, false},
		{"token: a writer's commit Baton pushed earlier, then she pushed it again", commit(mallory, mallory, "m@example.com", false), token,
			append(pushed(ci, sha), githost.Activity{ID: 2, After: sha, Actor: mallory}), true},
		{"app: Baton pushed its bot's commit, signed and committed by GitHub", commit(bot, webFlow, "noreply@github.com", true), app, pushed(bot, sha), true},
		{"app: signed by GitHub, pushed by a writer", commit(bot, webFlow, "noreply@github.com", true), app, pushed(mallory, sha), false},
		{"app: Baton's bot e-mail on an unsigned commit Baton pushed", commit(bot, bot, "noreply@github.com", false), app, pushed(bot, sha), false},
		{"app: a writer's own signature, Baton's bot as author", commit(bot, mallory, "m@example.com", true), app, pushed(bot, sha), false},
		{"app: another author, signed by GitHub (a web edit)", commit(mallory, webFlow, "noreply@github.com", true), app, pushed(bot, sha), false},
		{"identity unknown", commit(ci, ci, "ci@example.com", true), githost.Identity{}, pushed(githost.User{}, sha), false},
		{"no commit", nil, token, pushed(ci, sha), false},
	} {
		if got := recordOf(tc.c, tc.self, "baton/staging/web", tc.log) != nil; got != tc.want {
			t.Errorf("%s: Baton's record = %v, want %v", tc.name, got, tc.want)
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
