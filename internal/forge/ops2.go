package forge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// PR reads a pull request.
func (c *Client) PR(ctx context.Context, repo string, number int) (*githost.PR, error) {
	owner, name := split(repo)
	var p *github.PullRequest
	err := c.call(ctx, fmt.Sprintf("read pull request #%d in %s", number, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		p, resp, err = c.gh.PullRequests.Get(ctx, owner, name, number)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// MergeablePR reads a pull request, asking again (bounded) while GitHub
// has not computed whether it can merge (mergeable: null), as GitHub
// advises after a change.
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

// React adds a reaction to an issue comment.
func (c *Client) React(ctx context.Context, repo string, commentID int64, content string) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("react to comment %d in %s", commentID, repo), true, func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.Reactions.CreateIssueCommentReaction(ctx, owner, name, commentID, content)
		return resp, err
	})
}

// Permission returns a user's role on a repository: admin, maintain,
// write, triage, read or none (role_name, never author_association).
func (c *Client) Permission(ctx context.Context, repo, user string) (string, error) {
	owner, name := split(repo)
	var p *github.RepositoryPermissionLevel
	err := c.call(ctx, fmt.Sprintf("read %s's permission on %s", user, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		p, resp, err = c.gh.Repositories.GetPermissionLevel(ctx, owner, name, user)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if r := p.GetRoleName(); r != "" {
		return r, nil
	}
	return p.GetPermission(), nil
}

// TeamMember reports whether user is an active member of org/team.
func (c *Client) TeamMember(ctx context.Context, org, team, user string) (bool, error) {
	var m *github.Membership
	err := c.call(ctx, fmt.Sprintf("read %s's membership of @%s/%s", user, org, team), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		m, resp, err = c.gh.Teams.GetTeamMembershipBySlug(ctx, org, team, user)
		return resp, err
	})
	if err != nil {
		if errors.Is(err, githost.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return m.GetState() == "active", nil
}

// Comments lists every comment on an issue or pull request, oldest first.
func (c *Client) Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error) {
	owner, name := split(repo)
	var out []githost.Comment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		var list []*github.IssueComment
		var next int
		err := c.call(ctx, fmt.Sprintf("list comments of #%d in %s", number, repo), false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			list, resp, err = c.gh.Issues.ListComments(ctx, owner, name, number, opts)
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, cm := range list {
			out = append(out, githost.Comment{ID: cm.GetID(), Author: cm.GetUser().GetLogin(), AuthorBot: cm.GetUser().GetType() == "Bot",
				Body: cm.GetBody(), CreatedAt: cm.GetCreatedAt().Time})
		}
		if next == 0 {
			return out, nil
		}
		opts.Page = next
	}
}

// Reviews lists a pull request's reviews.
func (c *Client) Reviews(ctx context.Context, repo string, number int) ([]githost.Review, error) {
	owner, name := split(repo)
	var out []githost.Review
	opts := &github.ListOptions{PerPage: 100}
	for {
		var list []*github.PullRequestReview
		var next int
		err := c.call(ctx, fmt.Sprintf("list reviews of #%d in %s", number, repo), false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			list, resp, err = c.gh.PullRequests.ListReviews(ctx, owner, name, number, opts)
			if resp != nil {
				next = resp.NextPage
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			out = append(out, githost.Review{ID: r.GetID(), Author: r.GetUser().GetLogin(), State: r.GetState(), CommitID: r.GetCommitID()})
		}
		if next == 0 {
			return out, nil
		}
		opts.Page = next
	}
}

// Diff compares two commits with files (and their patches) and commits.
func (c *Client) Diff(ctx context.Context, repo, base, head string) (*githost.Diff, error) {
	owner, name := split(repo)
	var cmp *github.CommitsComparison
	err := c.call(ctx, fmt.Sprintf("compare %s...%s in %s", short(base), short(head), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		cmp, resp, err = c.gh.Repositories.CompareCommits(ctx, owner, name, base, head, &github.ListOptions{PerPage: 100})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	info := func(rc *github.RepositoryCommit) githost.CommitInfo {
		return githost.CommitInfo{
			SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
			Author: rc.GetAuthor().GetLogin(), Verified: rc.GetCommit().GetVerification().GetVerified(),
			Committed: rc.GetCommit().GetCommitter().GetDate().Time,
		}
	}
	out := &githost.Diff{Status: cmp.GetStatus()}
	if cmp.MergeBaseCommit != nil {
		out.MergeBase = info(cmp.MergeBaseCommit)
	}
	for _, rc := range cmp.Commits {
		out.Commits = append(out.Commits, info(rc))
	}
	for _, f := range cmp.Files {
		out.Files = append(out.Files, githost.ChangedFile{Path: f.GetFilename(), Status: f.GetStatus(), Patch: f.GetPatch()})
	}
	return out, nil
}

// Checks reads the combined status and the check runs of a commit.
func (c *Client) Checks(ctx context.Context, repo, sha string) (*githost.CheckState, error) {
	owner, name := split(repo)
	var st *github.CombinedStatus
	err := c.call(ctx, fmt.Sprintf("read the statuses of %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		st, resp, err = c.gh.Repositories.GetCombinedStatus(ctx, owner, name, sha, &github.ListOptions{PerPage: 100})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	var runs *github.ListCheckRunsResults
	err = c.call(ctx, fmt.Sprintf("read the check runs of %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		runs, resp, err = c.gh.Checks.ListCheckRunsForRef(ctx, owner, name, sha, &github.ListCheckRunsOptions{ListOptions: github.ListOptions{PerPage: 100}})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	out := &githost.CheckState{}
	for _, s := range st.Statuses {
		switch s.GetState() {
		case "success":
			out.Passed = append(out.Passed, s.GetContext())
		case "pending":
			out.Pending = append(out.Pending, s.GetContext())
		default:
			out.Failing = append(out.Failing, s.GetContext())
		}
	}
	for _, r := range runs.CheckRuns {
		switch {
		case r.GetStatus() != "completed":
			out.Pending = append(out.Pending, r.GetName())
		case r.GetConclusion() == "success" || r.GetConclusion() == "neutral" || r.GetConclusion() == "skipped":
			out.Passed = append(out.Passed, r.GetName())
		default:
			out.Failing = append(out.Failing, r.GetName())
		}
	}
	return out, nil
}

// Merge merges a pull request at exactly sha; a moved head is ErrConflict.
func (c *Client) Merge(ctx context.Context, repo string, number int, sha, method, title, message string) (string, error) {
	owner, name := split(repo)
	var res *github.PullRequestMergeResult
	err := c.call(ctx, fmt.Sprintf("merge pull request #%d in %s", number, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		res, resp, err = c.gh.PullRequests.Merge(ctx, owner, name, number, message, &github.PullRequestOptions{CommitTitle: title, SHA: sha, MergeMethod: method})
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return res.GetSHA(), nil
}

// ClosePR closes a pull request without merging.
func (c *Client) ClosePR(ctx context.Context, repo string, number int) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("close pull request #%d in %s", number, repo), true, func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{State: github.Ptr("closed")})
		return resp, err
	})
}

// RemoveLabel removes a label from an issue or pull request; a missing
// label is not an error.
func (c *Client) RemoveLabel(ctx context.Context, repo string, number int, label string) error {
	owner, name := split(repo)
	err := c.call(ctx, fmt.Sprintf("remove label %s from #%d in %s", label, number, repo), true, func(ctx context.Context) (*github.Response, error) {
		return c.gh.Issues.RemoveLabelForIssue(ctx, owner, name, number, label)
	})
	if errors.Is(err, githost.ErrNotFound) {
		return nil
	}
	return err
}

// CreateTag creates an annotated tag object (no custom tagger, so an App's
// tag is signed) and its ref. A ref of that name is ErrExists; the caller
// looks it up.
func (c *Client) CreateTag(ctx context.Context, repo, tag, message, sha string) error {
	owner, name := split(repo)
	var t *github.Tag
	err := c.call(ctx, fmt.Sprintf("create tag %s in %s", tag, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		t, resp, err = c.gh.Git.CreateTag(ctx, owner, name, github.CreateTag{Tag: tag, Message: message, Object: sha, Type: "commit"})
		return resp, err
	})
	if err != nil {
		return err
	}
	return c.CreateRef(ctx, repo, "refs/tags/"+tag, t.GetSHA())
}

// TagCommit returns the commit a tag points at (peeling annotated tags).
func (c *Client) TagCommit(ctx context.Context, repo, tag string) (string, error) {
	owner, name := split(repo)
	var ref *github.Reference
	err := c.call(ctx, fmt.Sprintf("read tag %s in %s", tag, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		ref, resp, err = c.gh.Git.GetRef(ctx, owner, name, "tags/"+tag)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	sha := ref.GetObject().GetSHA()
	if ref.GetObject().GetType() != "tag" {
		return sha, nil
	}
	var t *github.Tag
	err = c.call(ctx, fmt.Sprintf("read tag object %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		t, resp, err = c.gh.Git.GetTag(ctx, owner, name, sha)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return t.GetObject().GetSHA(), nil
}

func release(r *github.RepositoryRelease) *githost.Release {
	return &githost.Release{ID: r.GetID(), Tag: r.GetTagName(), URL: r.GetHTMLURL(), Name: r.GetName(), Target: r.GetTargetCommitish(), Created: r.GetCreatedAt().Time}
}

// CreateRelease creates a release for an existing tag; one for that tag
// already is ErrExists.
func (c *Client) CreateRelease(ctx context.Context, repo string, n githost.NewRelease) (*githost.Release, error) {
	owner, name := split(repo)
	latest := "false"
	if n.Latest {
		latest = "true"
	}
	var r *github.RepositoryRelease
	err := c.call(ctx, fmt.Sprintf("create release %s in %s", n.Tag, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		r, resp, err = c.gh.Repositories.CreateRelease(ctx, owner, name, &github.RepositoryRelease{
			TagName: github.Ptr(n.Tag), TargetCommitish: github.Ptr(n.Target), Name: github.Ptr(n.Name), Body: github.Ptr(n.Body), MakeLatest: github.Ptr(latest),
		})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return release(r), nil
}

// ReleaseByTag reads the release of a tag, or ErrNotFound.
func (c *Client) ReleaseByTag(ctx context.Context, repo, tag string) (*githost.Release, error) {
	owner, name := split(repo)
	var r *github.RepositoryRelease
	err := c.call(ctx, fmt.Sprintf("read release %s in %s", tag, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		r, resp, err = c.gh.Repositories.GetReleaseByTag(ctx, owner, name, tag)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return release(r), nil
}

// OpenPRsForSHA lists the open pull requests whose head is sha.
func (c *Client) OpenPRsForSHA(ctx context.Context, repo, sha string) ([]*githost.PR, error) {
	owner, name := split(repo)
	var list []*github.PullRequest
	err := c.call(ctx, fmt.Sprintf("list open pull requests of %s", repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		list, resp, err = c.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	var out []*githost.PR
	for _, p := range list {
		if sha == "" || p.GetHead().GetSHA() == sha {
			out = append(out, pr(p))
		}
	}
	return out, nil
}

// LastCommit returns the newest commit reachable from ref that touched
// path, or ErrNotFound when none did.
func (c *Client) LastCommit(ctx context.Context, repo, ref, path string) (*githost.CommitInfo, error) {
	owner, name := split(repo)
	var list []*github.RepositoryCommit
	err := c.call(ctx, fmt.Sprintf("read the last commit to %s in %s", path, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		list, resp, err = c.gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: ref, Path: path, ListOptions: github.ListOptions{PerPage: 1}})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &githost.Error{Op: "read the last commit to " + path, Kind: githost.ErrNotFound, Message: "no commit touched it"}
	}
	rc := list[0]
	return &githost.CommitInfo{SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
		Author: rc.GetAuthor().GetLogin(), Verified: rc.GetCommit().GetVerification().GetVerified(), Committed: rc.GetCommit().GetCommitter().GetDate().Time}, nil
}
