// Package reliability proves Baton under a flaky API, racing pipelines and
// bad input, in-process against the GitHub simulator: every use case runs
// through internal/command (the entry both the CLI and the Action use),
// with the simulator's clock as the only clock, so faults, latency and
// retries cost no wall-clock time. It holds tests only.
//
// It lives beside the code rather than in e2e because the binary cannot
// be given a fake clock: its retries would sleep on the wall clock, and 50
// cycles with 10% faults would take minutes instead of seconds.
package reliability

import (
	"context"
	"crypto/sha1"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// seed seeds every random choice of the suite (faults, orders); a failure
// names it, and -reliability.seed=N replays that run.
var seed = flag.Uint64("reliability.seed", 20261130, "seed of the reliability suite's random faults and orders")

// rig is a simulated GitHub world and the ways Baton is run against it.
type rig struct {
	t testing.TB
	w *ghsimtest.World
}

func newRig(t testing.TB, opts ghsimtest.WorldOptions) *rig {
	t.Helper()
	return &rig{t: t, w: ghsimtest.NewWorld(t, opts)}
}

// auth is Baton's identity: the baton account's token, retries on the
// simulator's clock.
func (r *rig) auth() command.Auth {
	return command.Auth{Token: r.w.Token(ghsimtest.BatonUser), APIURL: r.w.URL, Sleep: r.w.Clock.SleepContext}
}

func (r *rig) configRepo() command.ConfigRepo {
	return command.ConfigRepo{Repo: r.w.Config, Auth: r.auth(), HTTPClient: &http.Client{Timeout: time.Minute}}
}

// bump runs "baton bump" as the app repository's pipeline of ref would.
func (r *rig) bump(ctx context.Context, app, img, ref string) (*command.BumpOutcome, error) {
	return command.Bump(ctx, r.bumpOptions(app, img, ref))
}

// The build's workflow run is recorded in the app repository, so the bump
// reads who triggered it as GitHub shows it.
func (r *rig) bumpOptions(app, img, ref string) command.BumpOptions {
	sha := fmt.Sprintf("%x", sha1.Sum([]byte(app+img)))
	run, err := r.w.Sim.AddWorkflowRun(r.w.AppRepo, ghsim.RunOptions{HeadSHA: sha, HeadBranch: strings.TrimPrefix(ref, "refs/heads/"), Actor: ghsimtest.Approver2})
	if err != nil {
		r.t.Fatal(err)
	}
	return command.BumpOptions{
		ConfigRepo: r.w.Config, App: app, Image: img, Auth: r.auth(), Now: r.w.Clock.Now(),
		HTTPClient: &http.Client{Timeout: time.Minute},
		Build: command.Build{
			Repo: r.w.AppRepo, SHA: sha, Ref: ref, RunID: strconv.FormatInt(run, 10),
			RunURL: fmt.Sprintf("https://github.com/acme/web/actions/runs/%d", run), Actor: ghsimtest.Approver2,
		},
	}
}

// comment posts body on pull request number as login and returns the
// issue_comment event GitHub would deliver for it.
func (r *rig) comment(number int, login, body string) *promotion.CommentEvent {
	r.t.Helper()
	id, err := r.w.Sim.AddComment(r.w.Config, number, login, body)
	if err != nil {
		r.t.Fatalf("comment on #%d: %v", number, err)
	}
	var at time.Time
	for _, c := range r.w.Sim.Comments(r.w.Config, number) {
		if c.ID == id {
			at = c.CreatedAt
		}
	}
	return &promotion.CommentEvent{Number: number, IsPR: true, CommentID: id, Author: login, AuthorType: "User", Body: body, Action: "created", CreatedAt: at}
}

// approve delivers an issue_comment event to "baton approve".
func (r *rig) approve(ctx context.Context, ev *promotion.CommentEvent) (*promotion.Result, error) {
	return command.Approve(ctx, command.ApproveOptions{ConfigRepo: r.configRepo(), Comment: ev})
}

// openPRs returns the open pull requests by head branch.
func (r *rig) openPRs() map[string][]ghsim.Issue {
	out := map[string][]ghsim.Issue{}
	for _, is := range r.w.Sim.PullRequests(r.w.Config) {
		if is.State == "open" {
			out[is.PR.Head] = append(out[is.PR.Head], is)
		}
	}
	return out
}

// writes returns the requests that asked for a change in a repository
// (minting an installation token changes nothing there).
func writes(reqs []ghsim.Request) []string {
	var out []string
	for _, q := range reqs {
		if q.Mutating() && strings.HasPrefix(q.Path, "/repos/") {
			out = append(out, fmt.Sprintf("%s %s → %d", q.Method, q.Path, q.Status))
		}
	}
	return out
}

// repeated describes RepeatedAfter4xx's findings.
func repeated(reqs []ghsim.Request) string {
	var b strings.Builder
	for _, q := range reqs {
		fmt.Fprintf(&b, "\n  %s %s?%s → %d", q.Method, q.Path, q.Query, q.Status)
	}
	return b.String()
}
