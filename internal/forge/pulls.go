package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// user converts an account; nil is the zero User.
func user(u *github.User) githost.User {
	return githost.User{ID: u.GetID(), Login: u.GetLogin(), Type: u.GetType()}
}

// pr converts a pull request.
func pr(p *github.PullRequest) *githost.PR {
	out := &githost.PR{
		Number: p.GetNumber(), URL: p.GetHTMLURL(), Title: p.GetTitle(), Body: p.GetBody(),
		Head: p.GetHead().GetRef(), HeadSHA: p.GetHead().GetSHA(), Base: p.GetBase().GetRef(),
		State: p.GetState(), Merged: p.GetMerged(), MergedBy: p.GetMergedBy().GetLogin(),
		MergeSHA: p.GetMergeCommitSHA(), Mergeable: p.Mergeable, Author: p.GetUser().GetLogin(),
		MergeableState: p.GetMergeableState(),
		User:           user(p.GetUser()), MergedByUser: user(p.GetMergedBy()),
		HeadRef: p.GetHead().GetRef(), BaseRef: p.GetBase().GetRef(),
		HeadRepo: p.GetHead().GetRepo().GetFullName(), BaseRepo: p.GetBase().GetRepo().GetFullName(),
		BaseSHA: p.GetBase().GetSHA(), DefaultBranch: p.GetBase().GetRepo().GetDefaultBranch(),
		CreatedAt: p.GetCreatedAt().Time, UpdatedAt: p.GetUpdatedAt().Time,
	}
	if p.MergedAt != nil {
		out.MergedAt = p.MergedAt.Time
	}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// PR reads a pull request.
//
// Route: GET /repos/{owner}/{repo}/pulls/{pull_number}. A missing one is
// githost.ErrNotFound.
func (c *Client) PR(ctx context.Context, repo string, number int) (*githost.PR, error) {
	owner, name := split(repo)
	p, err := do(ctx, c, fmt.Sprintf("read pull request #%d in %s", number, repo), false, func(ctx context.Context) (*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.Get(ctx, owner, name, number)
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// MergeablePR reads a pull request, asking again (bounded, with the
// client's injected sleep) while GitHub has not computed whether it can
// merge (mergeable: null), as GitHub advises after a change.
//
// Route: GET /repos/{owner}/{repo}/pulls/{pull_number}, up to six times.
// Errors as PR; still unknown after the polls is a PR with Mergeable nil.
func (c *Client) MergeablePR(ctx context.Context, repo string, number int) (*githost.PR, error) {
	pr, err := c.PR(ctx, repo, number)
	for attempt := 1; err == nil && pr.Mergeable == nil && attempt <= 5; attempt++ {
		if err := c.sleep(ctx, time.Duration(attempt)*500*time.Millisecond); err != nil {
			return nil, err
		}
		pr, err = c.PR(ctx, repo, number)
	}
	return pr, err
}

// openPRs lists open pull requests, every page; head filters by
// "owner:branch" when not "".
func (c *Client) openPRs(ctx context.Context, repo, head, op string) ([]*githost.PR, error) {
	owner, name := split(repo)
	list, err := pages(ctx, c, op, func(ctx context.Context, page int) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Head: head, ListOptions: github.ListOptions{PerPage: perPage, Page: page}})
	})
	if err != nil {
		return nil, err
	}
	out := make([]*githost.PR, 0, len(list))
	for _, p := range list {
		out = append(out, pr(p))
	}
	return out, nil
}

// FindOpenPR returns the first open pull request whose head is branch in
// the same repository, or nil. Several can exist (one per base branch);
// OpenPRsForHead returns them all so the caller can check author and base.
//
// Route: GET /repos/{owner}/{repo}/pulls?state=open&head={owner}:{branch},
// every page.
func (c *Client) FindOpenPR(ctx context.Context, repo, branch string) (*githost.PR, error) {
	list, err := c.OpenPRsForHead(ctx, repo, branch)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// OpenPRsForHead lists every open pull request whose head is branch in the
// same repository (forks excluded), whatever its base or author.
//
// Route: GET /repos/{owner}/{repo}/pulls?state=open&head={owner}:{branch},
// every page.
func (c *Client) OpenPRsForHead(ctx context.Context, repo, branch string) ([]*githost.PR, error) {
	owner, _ := split(repo)
	list, err := c.openPRs(ctx, repo, owner+":"+branch, fmt.Sprintf("find the open pull requests for %s in %s", branch, repo))
	if err != nil {
		return nil, err
	}
	var out []*githost.PR
	for _, p := range list {
		if sameRepoHead(p, branch) {
			out = append(out, p)
		}
	}
	return out, nil
}

// sameRepoHead reports whether p's head is branch in p's own repository.
// GitHub answers head.repo null when the head's repository is gone (a
// deleted fork): such a head is in no known repository, so it is not
// this one. Full names compare case-insensitively, as GitHub's do.
func sameRepoHead(p *githost.PR, branch string) bool {
	return p.Head == branch && p.HeadRepo != "" && strings.EqualFold(p.HeadRepo, p.BaseRepo)
}

// OpenPRsForSHA lists the open pull requests whose head is sha (every
// open one when sha is "").
//
// Route: GET /repos/{owner}/{repo}/pulls?state=open, every page.
func (c *Client) OpenPRsForSHA(ctx context.Context, repo, sha string) ([]*githost.PR, error) {
	list, err := c.openPRs(ctx, repo, "", fmt.Sprintf("list open pull requests of %s", repo))
	if err != nil {
		return nil, err
	}
	var out []*githost.PR
	for _, p := range list {
		if sha == "" || p.HeadSHA == sha {
			out = append(out, p)
		}
	}
	return out, nil
}

// CreatePR opens a pull request (maintainers of forks may not modify it).
//
// Route: POST /repos/{owner}/{repo}/pulls. One that exists for the head
// and base is githost.ErrExists; an unknown base or head, or no commits
// between them, is githost.ErrValidation.
func (c *Client) CreatePR(ctx context.Context, repo string, n githost.NewPR) (*githost.PR, error) {
	owner, name := split(repo)
	p, err := do(ctx, c, fmt.Sprintf("open a pull request for %s in %s", n.Head, repo), true, func(ctx context.Context) (*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: github.Ptr(n.Title), Head: github.Ptr(n.Head), Base: github.Ptr(n.Base), Body: github.Ptr(n.Body), MaintainerCanModify: github.Ptr(false)})
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// UpdatePR changes a pull request's title and body (never its base).
//
// Route: PATCH /repos/{owner}/{repo}/pulls/{pull_number}. A missing pull
// request is githost.ErrNotFound.
func (c *Client) UpdatePR(ctx context.Context, repo string, number int, title, body string) (*githost.PR, error) {
	owner, name := split(repo)
	p, err := do(ctx, c, fmt.Sprintf("update pull request #%d in %s", number, repo), true, func(ctx context.Context) (*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{Title: github.Ptr(title), Body: github.Ptr(body)})
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// ClosePR closes a pull request without merging.
//
// Route: PATCH /repos/{owner}/{repo}/pulls/{pull_number} with
// state=closed. A merged one is githost.ErrValidation.
func (c *Client) ClosePR(ctx context.Context, repo string, number int) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("close pull request #%d in %s", number, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return drop(c.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{State: github.Ptr("closed")}))
	})
	return err
}

// Merge merges a pull request at exactly sha and returns the merge
// commit's sha.
//
// Route: PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge. A head that
// moved from sha is githost.ErrHeadChanged (also githost.ErrConflict);
// GitHub's refusal (conflicts, already merged or closed, a draft, a merge
// method the repository does not allow) is githost.ErrNotMergeable; the
// transient "Base branch was modified" is retried.
func (c *Client) Merge(ctx context.Context, repo string, number int, sha, method, title, message string) (string, error) {
	owner, name := split(repo)
	res, err := do(ctx, c, fmt.Sprintf("merge pull request #%d in %s", number, repo), true, func(ctx context.Context) (*github.PullRequestMergeResult, *github.Response, error) {
		return c.gh.PullRequests.Merge(ctx, owner, name, number, message, &github.PullRequestOptions{CommitTitle: title, SHA: sha, MergeMethod: method})
	})
	// GitHub documents this route's 409 as one thing: the sha given is
	// not the head. Its message ("Head branch was modified") is not part
	// of that contract, so the status alone decides.
	var ge *githost.Error
	if errors.As(err, &ge) && ge.Status == http.StatusConflict && sha != "" {
		ge.Kind = githost.ErrHeadChanged
	}
	if err != nil {
		return "", err
	}
	return res.GetSHA(), nil
}

// Reviews lists a pull request's reviews, oldest first, with each
// reviewer's id, the head it reviewed (CommitID) and its server time.
//
// Route: GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews, every
// page. A missing pull request is githost.ErrNotFound.
func (c *Client) Reviews(ctx context.Context, repo string, number int) ([]githost.Review, error) {
	owner, name := split(repo)
	list, err := pages(ctx, c, fmt.Sprintf("list reviews of #%d in %s", number, repo), func(ctx context.Context, page int) ([]*github.PullRequestReview, *github.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, owner, name, number, &github.ListOptions{PerPage: perPage, Page: page})
	})
	if err != nil {
		return nil, err
	}
	out := make([]githost.Review, 0, len(list))
	for _, r := range list {
		out = append(out, githost.Review{
			ID: r.GetID(), Author: r.GetUser().GetLogin(), State: r.GetState(), CommitID: r.GetCommitID(),
			SubmittedAt: r.GetSubmittedAt().Time, User: user(r.GetUser()),
		})
	}
	return out, nil
}

// RecentlyClosedPRs lists up to limit (at most 100) closed pull requests
// of repo, the most recently updated first: one page, for the sweep that
// finishes what a failed run left (a merge without its release).
//
// Route: GET /repos/{owner}/{repo}/pulls?state=closed&sort=updated&direction=desc&per_page={limit}.
func (c *Client) RecentlyClosedPRs(ctx context.Context, repo string, limit int) ([]*githost.PR, error) {
	owner, name := split(repo)
	limit = min(max(limit, 1), perPage)
	list, err := do(ctx, c, fmt.Sprintf("list recently closed pull requests of %s", repo), false, func(ctx context.Context) ([]*github.PullRequest, *github.Response, error) {
		return c.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "closed", Sort: "updated", Direction: "desc", ListOptions: github.ListOptions{PerPage: limit}})
	})
	if err != nil {
		return nil, err
	}
	out := make([]*githost.PR, 0, len(list))
	for _, p := range list {
		out = append(out, pr(p))
	}
	return out, nil
}
