package promotion_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// The attacks of this file run with Baton as a GitHub App on a public
// config repository: an outsider (mallory, no role: "read" on a public
// repository) comments commands, and a writer (erin) makes the release
// first in the gap between Baton's merge and its release.
func TestAttackAppPublicRepo(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true, PublicConfig: true, Start: time.Now().UTC().Truncate(time.Second)})
	ctx := context.Background()
	gh, err := forge.New(ctx, forge.Options{AppID: w.App.ID, PrivateKey: w.App.PrivateKeyPEM(), Repo: w.Config, AlsoRead: []string{w.AppRepo}, APIURL: w.URL, Sleep: w.Clock.SleepContext})
	if err != nil {
		t.Fatal(err)
	}
	r := ranIn(t, w.Sim, req(t, "ghcr.io/acme/web:1.5.0"), "alice", "")
	out, err := bump(ctx, gh, r)
	if err != nil || out.Outcome != promotion.Created {
		t.Fatalf("bump: %+v, %v", out, err)
	}
	n := out.PR.Number
	w.Clock.Advance(time.Minute)
	w.Sim.AddUser("mallory")
	load := command.PolicyLoader(gh, w.Config, "")
	say := func(g promotion.CommentGitHub, login, body string) *promotion.Result {
		t.Helper()
		w.Clock.Advance(time.Second)
		id, err := w.Sim.AddComment(w.Config, n, login, body)
		if err != nil {
			t.Fatal(err)
		}
		res, err := promotion.HandleComment(ctx, g, load, promotion.CommentEvent{Repo: w.Config, Number: n, IsPR: true, CommentID: id, Author: login, AuthorType: "User", Body: body, Action: "created", CreatedAt: w.Clock.Now()})
		if err != nil {
			t.Fatalf("HandleComment %s by %s: %v", body, login, err)
		}
		return res
	}
	for _, cmd := range []string{"/approve", "/hold", "/cancel"} {
		if res := say(gh, "mallory", cmd); res.Merged || !strings.Contains(res.Reply, "`@mallory`") || !strings.Contains(res.Reply, "read") {
			t.Fatalf("%s by an outsider: %+v", cmd, res)
		}
	}
	me, err := gh.Self(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := "v" + w.Clock.Now().Add(time.Second).Format("20060102150405")
	g := &atMerge{Client: gh, after: func() {
		pr, err := gh.PR(ctx, w.Config, n)
		if err != nil {
			t.Error(err)
			return
		}
		erin := client(t, w, ghsimtest.Writer)
		if _, err := erin.CreateRelease(ctx, w.Config, githost.NewRelease{Tag: name, Target: pr.MergeSHA, Name: "web 1.5.0 → staging", Body: "| Approved by | @carol |"}); err != nil {
			t.Error(err)
		}
	}}
	res := say(g, ghsimtest.Approver, "/approve")
	if !res.Merged || res.Release == nil {
		t.Fatalf("approve: %+v", res)
	}
	if res.Release.Tag == name || res.Release.Author.ID != me.User.ID {
		t.Fatalf("Baton (App, bot id %d) answered the writer's release %s by @%s", me.User.ID, res.Release.Tag, res.Release.Author.Login)
	}
	for _, rel := range w.Sim.Releases(w.Config) {
		if rel.TagName == res.Release.Tag && strings.Contains(rel.Body, "@carol") {
			t.Errorf("Baton's release credits carol:\n%s", rel.Body)
		}
	}
	if got := fmt.Sprint(len(w.Sim.Releases(w.Config))); got != "2" {
		t.Errorf("%s releases, want the writer's and Baton's", got)
	}
}

// Defence in depth as a GitHub App: should Baton's identity ever push a
// commit it did not make (the bump's put-back of a commit named in the
// PR body was one way, see attack_bump_test.go), GitHub's "Verified" is
// not enough — any user's own signature is Verified. A writer's commit
// signed with her own key, with Baton's record and Baton's bot as author
// e-mail, set on the branch by Baton's App, is refused.
func TestAttackAppForeignSignedCommitPushedByBaton(t *testing.T) {
	t.Parallel()
	w, gh, n := appWorld(t)
	ctx := context.Background()
	mine := writerSignedAsBot(t, w, gh, w.Sim.Ref(w.Config, "refs/heads/main"))
	if err := gh.UpdateRef(ctx, w.Config, "heads/baton/staging/web", mine, true); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Second)
	if _, err := w.Sim.AddComment(w.Config, n, ghsimtest.Approver, "/approve"); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Second)
	res := appChecks(t, w, gh, n)
	if res.Merged || res.Waiting != "verification" || !strings.Contains(res.Reply, "not as Baton's App commits are") {
		t.Fatalf("a writer's self-signed commit passed for Baton's App commit: %+v", res)
	}
}

// writerSignedAsBot is the writer's 6.6.6 commit on parent, carrying
// Baton's record, with Baton's bot as author and signed with the writer's
// own registered key (GitHub shows it Verified): what "Baton's App
// commit" must never be mistaken for.
func writerSignedAsBot(t *testing.T, w *ghsimtest.World, gh *forge.Client, parent string) string {
	t.Helper()
	me, err := gh.Self(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bot, _ := w.Sim.User(me.User.Login)
	writer, _ := w.Sim.User(ghsimtest.Writer)
	evil := strings.ReplaceAll(ghsimtest.StagingDeployment, "1.4.0", "6.6.6")
	msg := "chore(staging): bump web to 6.6.6\n\nBaton-App: web\nBaton-Env: staging\nBaton-Image: ghcr.io/acme/web:6.6.6\nBaton-From: 1.4.0\n"
	sha, err := w.Sim.PushCommit(w.Config, "erin/side", ghsimtest.Writer, ghsim.CommitOptions{
		Files: map[string]*string{"environments/staging/web-deployment.yaml": &evil}, Message: msg, Parent: parent, SignedByPusher: true,
		Author:    ghsim.Signature{Name: bot.Login, Email: bot.Email},
		Committer: ghsim.Signature{Name: writer.Login, Email: writer.Email},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := mustCommitIn(t, gh, w.Config, sha); !c.Verified {
		t.Fatalf("the writer's own signature is not Verified: %+v", c)
	}
	return sha
}
