package forge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
)

// WorkflowRun reads who caused a run and what it built; a run id of
// another repository is not found there, and an App installation without
// the actions permission is forbidden, as on GitHub.
func TestWorkflowRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		perms   map[string]string // the App installation's, laid over the defaults
		repo    string            // where the run is asked for
		want    func(alice, bob githost.User, id int64, sha string) *githost.WorkflowRun
		wantErr error
	}{
		{name: "a re-run", repo: ghsimtest.AppRepo, want: func(alice, bob githost.User, id int64, sha string) *githost.WorkflowRun {
			return &githost.WorkflowRun{ID: id, Repo: ghsimtest.AppRepo, HeadSHA: sha, HeadBranch: "main", Event: "push", Actor: alice, TriggeringActor: bob, RunAttempt: 2}
		}},
		{name: "another repository's run", repo: ghsimtest.ConfigRepo, wantErr: githost.ErrNotFound},
		{name: "an App without actions: read", perms: map[string]string{"actions": ""}, repo: ghsimtest.AppRepo, wantErr: githost.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := world(t, ghsimtest.WorldOptions{WallClock: true, App: true, AppPermissions: tc.perms})
			sha := w.Sim.Ref(w.AppRepo, "refs/heads/main")
			id, err := w.Sim.AddWorkflowRun(w.AppRepo, ghsim.RunOptions{HeadSHA: sha, HeadBranch: "main", Actor: "alice", TriggeringActor: "bob", RunAttempt: 2})
			if err != nil {
				t.Fatal(err)
			}
			gh, err := forge.New(ctx, forge.Options{AppID: w.App.ID, PrivateKey: w.App.PrivateKeyPEM(), Repo: w.Config, AlsoRead: []string{w.AppRepo}, APIURL: w.URL, Sleep: (&sleeps{}).sleep})
			if err != nil {
				t.Fatal(err)
			}
			got, err := gh.WorkflowRun(ctx, tc.repo, id)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			alice, _ := w.Sim.User("alice")
			bob, _ := w.Sim.User("bob")
			user := func(u ghsim.User) githost.User { return githost.User{ID: u.ID, Login: u.Login, Type: u.Type} }
			if diff := cmp.Diff(tc.want(user(alice), user(bob), id, sha), got); diff != "" {
				t.Fatalf("run (-want +got):\n%s", diff)
			}
		})
	}
}
