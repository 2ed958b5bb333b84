package forge

import (
	"context"
	"fmt"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// WorkflowRun reads a GitHub Actions workflow run of repo (owner/name):
// its repository, head commit and branch, event, and the actor and
// triggering actor with their ids.
//
// Route: GET /repos/{owner}/{repo}/actions/runs/{run_id}. A run of
// another repository, or a repository the token cannot see, is
// githost.ErrNotFound; an App installation without the "actions: read"
// permission is githost.ErrForbidden.
func (c *Client) WorkflowRun(ctx context.Context, repo string, id int64) (*githost.WorkflowRun, error) {
	owner, name := split(repo)
	r, err := do(ctx, c, fmt.Sprintf("read workflow run %d of %s", id, repo), false, func(ctx context.Context) (*github.WorkflowRun, *github.Response, error) {
		return c.gh.Actions.GetWorkflowRunByID(ctx, owner, name, id)
	})
	if err != nil {
		return nil, err
	}
	return &githost.WorkflowRun{
		ID: r.GetID(), Repo: r.GetRepository().GetFullName(), HeadSHA: r.GetHeadSHA(), HeadBranch: r.GetHeadBranch(),
		Event: r.GetEvent(), Actor: user(r.GetActor()), TriggeringActor: user(r.GetTriggeringActor()), RunAttempt: r.GetRunAttempt(),
	}, nil
}
