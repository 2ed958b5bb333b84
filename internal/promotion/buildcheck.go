package promotion

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
)

// runGitHub reads the workflow run that built an image, in the app
// repository: what GitHub vouches for about who caused the build.
type runGitHub interface {
	// WorkflowRun reads a run (GET /repos/{o}/{r}/actions/runs/{run_id}).
	WorkflowRun(ctx context.Context, repo string, id int64) (*githost.WorkflowRun, error)
}

// BuildError says the bump's build does not belong where it claims: the
// app's declared repository is another one, or the workflow run GitHub
// shows belongs to another repository or commit. It is a wrong input
// (exit 2); nothing was written.
type BuildError struct{ Err error }

// Error implements error.
func (e *BuildError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *BuildError) Unwrap() error { return e.Err }

// checkSourceRepo refuses a bump of an app whose policy declares its
// repository (repo:) from a build of another repository: otherwise one
// app's pipeline could bump another app. Without repo: any build may bump
// the app, as before.
func checkSourceRepo(app *policy.App, sourceRepo string) error {
	switch {
	case app.Repo == "":
		return nil
	case sourceRepo == "":
		return &BuildError{Err: fmt.Errorf("app %s is built in %s (its repo: in the policy), but this bump names no build repository: "+
			"run it in %s's workflow, or pass its owner/name as the source repository", app.Name, app.Repo, app.Repo)}
	case !strings.EqualFold(app.Repo, sourceRepo):
		return &BuildError{Err: fmt.Errorf("app %s is built in %s (its repo: in the policy), but this build is of %s: "+
			"only %s's pipeline may bump %s", app.Name, app.Repo, sourceRepo, app.Repo, app.Name)}
	}
	return nil
}

// buildActor is who caused the build, as Baton records it: the run's
// actor and triggering actor as GitHub shows them (verified), or, when no
// run could be read, the login the caller gave and no id (unverified).
type buildActor struct {
	login    string
	ids      []int64 // the run's actor, then its triggering actor when another
	verified bool
	note     string // why the actor is not verified, for the log
}

// trailers are the record's actor trailers.
func (a buildActor) trailers() []string {
	ids := make([]string, len(a.ids))
	for i, id := range a.ids {
		ids[i] = strconv.FormatInt(id, 10)
	}
	verified := ""
	if !a.verified {
		verified = "no"
	}
	return []string{TrailerActor, a.login, TrailerActorID, strings.Join(ids, ", "), TrailerActorVerified, verified}
}

// display is the actor as the pull request body shows it.
func (a buildActor) display() string {
	if a.verified || a.login == "" {
		return a.login
	}
	return a.login + " (not verified)"
}

// actorOfRun reads the workflow run of the build (req.RunID in
// req.SourceRepo) and returns who caused it, with ids. The run must
// belong to the build's repository and have built its commit, else the
// bump is refused (*BuildError): the caller's GITHUB_* values would not be
// this build's. A run that cannot be read (no run id: the CLI outside
// Actions; 404 or 403: the token does not cover the app repository, or
// an App lacks "actions: read") gives an unverified actor: the caller's
// login, no id. Other failures are returned.
func actorOfRun(ctx context.Context, gh runGitHub, req BumpRequest, logf func(string, ...any)) (buildActor, error) {
	a, err := readActor(ctx, gh, req)
	if err == nil && !a.verified {
		who := fmt.Sprintf("The build's actor %q is", a.login)
		if a.login == "" {
			who = "No actor of the build is named (GITHUB_ACTOR, --actor), and none is"
		}
		logf("%s not verified: %s. Without self-approval, one more approval is then needed (see the README's trust model, row 8).", who, a.note)
	}
	return a, err
}

func readActor(ctx context.Context, gh runGitHub, req BumpRequest) (buildActor, error) {
	claimed := buildActor{login: req.Actor}
	if req.RunID == 0 || req.SourceRepo == "" {
		claimed.note = "the bump names no workflow run of the app repository"
		return claimed, nil
	}
	run, err := gh.WorkflowRun(ctx, req.SourceRepo, req.RunID)
	if errors.Is(err, githost.ErrNotFound) || errors.Is(err, githost.ErrForbidden) {
		claimed.note = fmt.Sprintf("workflow run %d of %s cannot be read with Baton's credentials (%v); give Baton read access to %s (as an App: installed on it with actions: read)",
			req.RunID, req.SourceRepo, err, req.SourceRepo)
		return claimed, nil
	}
	if err != nil {
		return buildActor{}, fmt.Errorf("read workflow run %d of %s, to learn who triggered the build: %w", req.RunID, req.SourceRepo, err)
	}
	if !strings.EqualFold(run.Repo, req.SourceRepo) {
		return buildActor{}, &BuildError{Err: fmt.Errorf("workflow run %d belongs to %s, not to the build's repository %s", req.RunID, run.Repo, req.SourceRepo)}
	}
	if req.SourceSHA != "" && !strings.EqualFold(run.HeadSHA, req.SourceSHA) {
		return buildActor{}, &BuildError{Err: fmt.Errorf("workflow run %d of %s built %s, not the build's commit %s", req.RunID, run.Repo, short(run.HeadSHA), short(req.SourceSHA))}
	}
	if run.Actor.ID == 0 {
		return buildActor{}, fmt.Errorf("workflow run %d of %s names no actor", req.RunID, run.Repo)
	}
	a := buildActor{login: run.Actor.Login, ids: []int64{run.Actor.ID}, verified: true}
	if t := run.TriggeringActor; t.ID != 0 && t.ID != run.Actor.ID {
		a.ids = append(a.ids, t.ID)
	}
	return a, nil
}
