package command_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// TestBumpReadsTheBuildsRun: the bump finds the build's workflow run from
// GITHUB_RUN_ID, or from the CLI's --run-url when that is a run of the
// source repository, and records the run's actor by id, whatever
// GITHUB_ACTOR and GITHUB_ACTOR_ID say; a run id that is no number is an
// input error; with no run, the record says the actor is unverified.
func TestBumpReadsTheBuildsRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		build   func(run int64) command.Build
		wantErr string
		want    string // the record's actor lines
	}{
		{name: "GITHUB_RUN_ID", build: func(run int64) command.Build {
			return command.Build{RunID: fmt.Sprint(run), Actor: "carol"}
		}, want: "Baton-Actor: erin\nBaton-Actor-ID: %d\n"},
		{name: "--run-url", build: func(run int64) command.Build {
			return command.Build{RunURL: fmt.Sprintf("https://github.com/acme/web/actions/runs/%d/attempts/1", run), Actor: "carol"}
		}, want: "Baton-Actor: erin\nBaton-Actor-ID: %d\n"},
		{name: "a run URL of another repository", build: func(run int64) command.Build {
			return command.Build{RunURL: fmt.Sprintf("https://github.com/acme/api/actions/runs/%d", run), Actor: "carol"}
		}, want: "Baton-Actor: carol\nBaton-Actor-Verified: no\n"},
		{name: "no number", build: func(int64) command.Build { return command.Build{RunID: "12a"} },
			wantErr: `GITHUB_RUN_ID "12a" is not a workflow run id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
			sha := w.Sim.Ref(w.AppRepo, "refs/heads/main")
			run, err := w.Sim.AddWorkflowRun(w.AppRepo, ghsim.RunOptions{HeadSHA: sha, HeadBranch: "develop", Actor: "erin"})
			if err != nil {
				t.Fatal(err)
			}
			b := tc.build(run)
			b.Repo, b.SHA, b.Ref = w.AppRepo, sha, "refs/heads/develop"
			_, err = command.Bump(t.Context(), command.BumpOptions{
				ConfigRepo: w.Config, Image: "ghcr.io/acme/web:1.5.0", Names: cliNames, Build: b,
				Auth: command.Auth{Token: w.Token(ghsimtest.BatonUser), APIURL: w.URL, Sleep: w.Clock.SleepContext},
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || command.ExitCode(err) != command.ExitInput {
					t.Fatalf("%v (exit %d), want %q", err, command.ExitCode(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			erin, _ := w.Sim.User("erin")
			want := tc.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, erin.ID)
			}
			log, err := w.Sim.Log(w.Config, "refs/heads/baton/staging/web")
			if err != nil || len(log) == 0 || !strings.Contains(log[0].Message, want) {
				t.Fatalf("record %v, want %q in\n%+v", err, want, log)
			}
			if rec := promotion.ParseTrailers(log[0].Message); rec[promotion.TrailerActorID] == "1" {
				t.Fatal("GITHUB_ACTOR_ID was recorded")
			}
		})
	}
}
