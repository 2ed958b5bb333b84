package forge_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/githost"
)

func TestStatusesNameTheirCreatorOnEveryPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok, clk := setupClock(t)
	c := client(t, url, tok, &sleeps{})
	sha := sim.Ref("acme/config", "refs/heads/main")
	for i := range 120 {
		if err := sim.SetStatus("acme/config", sha, fmt.Sprint("ci/", i), "success", "mallory"); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Minute)
	posted := clk.Now()
	if err := c.CreateStatus(ctx, "acme/config", sha, "success", "baton/verified", "content verified"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	// A bot token posting shows its creator, so an installation token
	// learns its own id.
	bot := client(t, url, sim.BotToken("github-actions[bot]"), &sleeps{})
	if err := sim.SetPermission("acme/config", "github-actions[bot]", "write"); err != nil {
		t.Fatal(err)
	}
	mine, err := bot.PostStatus(ctx, "acme/config", sha, "pending", "baton/record", "")
	if err != nil {
		t.Fatal(err)
	}
	if mine.Creator.Login != "github-actions[bot]" || mine.Creator.Type != "Bot" || mine.Creator.ID == 0 || mine.Context != "baton/record" {
		t.Errorf("PostStatus = %+v", mine)
	}
	got, err := c.Statuses(ctx, "acme/config", sha)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 122 {
		t.Fatalf("%d statuses, want 122 over two pages", len(got))
	}
	if got[0].ID != mine.ID {
		t.Errorf("newest status %+v, want the bot's", got[0])
	}
	newest := got[1]
	newest.ID, newest.TargetURL = 0, ""
	want := githost.Status{Context: "baton/verified", State: "success", Description: "content verified",
		Creator: githost.User{ID: sim.AddUser("alice").ID, Login: "alice", Type: "User"}, CreatedAt: posted, UpdatedAt: posted}
	if diff := cmp.Diff(want, newest); diff != "" {
		t.Errorf("newest status (-want +got):\n%s", diff)
	}
	if m := got[121].Creator; m.Login != "mallory" || m.ID == want.Creator.ID || m.ID == 0 {
		t.Errorf("oldest status creator = %+v", m)
	}
}

func TestCheckRunsNameTheirApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	sha := sim.Ref("acme/config", "refs/heads/main")
	if err := sim.SetCheckRun("acme/config", sha, "build", "completed", "success"); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetCheckRun("acme/config", sha, "lint", "in_progress", ""); err != nil {
		t.Fatal(err)
	}
	got, err := c.CheckRuns(ctx, "acme/config", sha)
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		Name, Status, Conclusion, HeadSHA string
		App                               githost.App
	}
	var runs []run
	for _, r := range got {
		if r.ID == 0 || r.StartedAt.IsZero() {
			t.Errorf("run %q lacks id or start: %+v", r.Name, r)
		}
		runs = append(runs, run{r.Name, r.Status, r.Conclusion, r.HeadSHA, r.App})
	}
	slices.SortFunc(runs, func(a, b run) int { return strings.Compare(a.Name, b.Name) })
	actions := githost.App{ID: 15368, Slug: "github-actions"}
	want := []run{{"build", "completed", "success", sha, actions}, {"lint", "in_progress", "", sha, actions}}
	if diff := cmp.Diff(want, runs); diff != "" {
		t.Errorf("check runs (-want +got):\n%s", diff)
	}
}

func TestChecksSumsUpStatusesAndRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	sha := sim.Ref("acme/config", "refs/heads/main")
	for _, s := range []struct{ context, state string }{{"ci/a", "pending"}, {"ci/a", "success"}, {"ci/b", "failure"}, {"ci/c", "pending"}} {
		if err := sim.SetStatus("acme/config", sha, s.context, s.state, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []struct{ name, status, conclusion string }{{"build", "completed", "success"}, {"skip", "completed", "skipped"}, {"test", "completed", "failure"}, {"e2e", "queued", ""}} {
		if err := sim.SetCheckRun("acme/config", sha, r.name, r.status, r.conclusion); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Checks(ctx, "acme/config", sha)
	if err != nil {
		t.Fatal(err)
	}
	want := &githost.CheckState{Pending: []string{"ci/c", "e2e"}, Failing: []string{"ci/b", "test"}, Passed: []string{"build", "ci/a", "skip"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}
