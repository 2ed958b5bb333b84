package forge

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Checks sums up a commit's checks by name: the latest status of each
// context and every check run. It does not say who posted them; a
// decision that trusts a check by its source uses Statuses and CheckRuns.
//
// Routes: GET /repos/{owner}/{repo}/commits/{ref}/status and
// GET /repos/{owner}/{repo}/commits/{ref}/check-runs, every page. An
// unknown commit is githost.ErrNotFound.
func (c *Client) Checks(ctx context.Context, repo, sha string) (*githost.CheckState, error) {
	owner, name := split(repo)
	statuses, err := pages(ctx, c, fmt.Sprintf("read the statuses of %s in %s", short(sha), repo), func(ctx context.Context, page int) ([]*github.RepoStatus, *github.Response, error) {
		st, resp, err := c.gh.Repositories.GetCombinedStatus(ctx, owner, name, sha, &github.ListOptions{PerPage: perPage, Page: page})
		if st == nil {
			return nil, resp, err
		}
		return st.Statuses, resp, err
	})
	if err != nil {
		return nil, err
	}
	runs, err := c.CheckRuns(ctx, repo, sha)
	if err != nil {
		return nil, err
	}
	out := &githost.CheckState{}
	for _, s := range statuses {
		switch s.GetState() {
		case "success":
			out.Passed = append(out.Passed, s.GetContext())
		case "pending":
			out.Pending = append(out.Pending, s.GetContext())
		default:
			out.Failing = append(out.Failing, s.GetContext())
		}
	}
	for _, r := range runs {
		switch {
		case r.Status != "completed":
			out.Pending = append(out.Pending, r.Name)
		case r.Conclusion == "success" || r.Conclusion == "neutral" || r.Conclusion == "skipped":
			out.Passed = append(out.Passed, r.Name)
		default:
			out.Failing = append(out.Failing, r.Name)
		}
	}
	// GitHub documents no order for either list: sort, so the summary
	// reads the same on every call.
	slices.Sort(out.Passed)
	slices.Sort(out.Pending)
	slices.Sort(out.Failing)
	return out, nil
}

// Statuses lists every commit status of a commit, newest first, each with
// its creator (anyone with write access can post any context; trust one
// only from a known creator).
//
// Route: GET /repos/{owner}/{repo}/commits/{ref}/statuses, every page. An
// unknown commit is githost.ErrNotFound.
func (c *Client) Statuses(ctx context.Context, repo, sha string) ([]githost.Status, error) {
	owner, name := split(repo)
	list, err := pages(ctx, c, fmt.Sprintf("list the statuses of %s in %s", short(sha), repo), func(ctx context.Context, page int) ([]*github.RepoStatus, *github.Response, error) {
		return c.gh.Repositories.ListStatuses(ctx, owner, name, sha, &github.ListOptions{PerPage: perPage, Page: page})
	})
	if err != nil {
		return nil, err
	}
	out := make([]githost.Status, 0, len(list))
	for _, s := range list {
		out = append(out, status(s))
	}
	return out, nil
}

// CheckRuns lists every check run of a commit, each with the GitHub App
// that created it (a check run's name alone proves nothing).
//
// Route: GET /repos/{owner}/{repo}/commits/{ref}/check-runs, every page.
// An unknown commit is githost.ErrNotFound; a token without the checks
// permission is githost.ErrForbidden.
func (c *Client) CheckRuns(ctx context.Context, repo, sha string) ([]githost.CheckRun, error) {
	owner, name := split(repo)
	list, err := pages(ctx, c, fmt.Sprintf("read the check runs of %s in %s", short(sha), repo), func(ctx context.Context, page int) ([]*github.CheckRun, *github.Response, error) {
		res, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, owner, name, sha, &github.ListCheckRunsOptions{ListOptions: github.ListOptions{PerPage: perPage, Page: page}})
		if res == nil {
			return nil, resp, err
		}
		return res.CheckRuns, resp, err
	})
	if err != nil {
		return nil, err
	}
	out := make([]githost.CheckRun, 0, len(list))
	for _, r := range list {
		out = append(out, githost.CheckRun{
			ID: r.GetID(), Name: r.GetName(), HeadSHA: r.GetHeadSHA(), Status: r.GetStatus(), Conclusion: r.GetConclusion(),
			App:       githost.App{ID: r.GetApp().GetID(), Slug: r.GetApp().GetSlug()},
			StartedAt: r.GetStartedAt().Time, CompletedAt: r.GetCompletedAt().Time,
		})
	}
	return out, nil
}

// CreateStatus posts a commit status on sha as Baton's identity (its
// creator is then Baton: a record only Baton's credentials can make).
// state is error, failure, pending or success; statusContext names the
// check.
//
// Route: POST /repos/{owner}/{repo}/statuses/{sha}. An unknown sha or
// state is githost.ErrValidation; a token without the statuses
// permission is githost.ErrForbidden.
func (c *Client) CreateStatus(ctx context.Context, repo, sha, state, statusContext, description string) error {
	_, err := c.PostStatus(ctx, repo, sha, state, statusContext, description)
	return err
}

// PostStatus is CreateStatus returning the status GitHub recorded, whose
// Creator is the account the client acts as: with an installation token
// (GITHUB_TOKEN) that cannot read GET /user, this is how Baton learns its
// own user id.
//
// Route: POST /repos/{owner}/{repo}/statuses/{sha}. Errors as
// CreateStatus.
func (c *Client) PostStatus(ctx context.Context, repo, sha, state, statusContext, description string) (*githost.Status, error) {
	owner, name := split(repo)
	s, err := do(ctx, c, fmt.Sprintf("post status %s on %s in %s", statusContext, short(sha), repo), true, func(ctx context.Context) (*github.RepoStatus, *github.Response, error) {
		return c.gh.Repositories.CreateStatus(ctx, owner, name, sha, github.RepoStatus{
			State: github.Ptr(state), Context: github.Ptr(statusContext), Description: github.Ptr(description),
		})
	})
	if err != nil {
		return nil, err
	}
	st := status(s)
	return &st, nil
}

// status converts a commit status.
func status(s *github.RepoStatus) githost.Status {
	return githost.Status{
		ID: s.GetID(), Context: s.GetContext(), State: s.GetState(), Description: s.GetDescription(),
		TargetURL: s.GetTargetURL(), Creator: user(s.GetCreator()),
		CreatedAt: s.GetCreatedAt().Time, UpdatedAt: s.GetUpdatedAt().Time,
	}
}
