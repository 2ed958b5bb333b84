package forge

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Self returns the account Baton acts as. For an App installation it is
// the App's bot account, read once with GET /users/{slug}[bot] for its id;
// for a token, GET /user. An installation token minted elsewhere cannot
// read GET /user (403): then the identity is unknown (Known is false) and
// no error is returned, so that the caller decides what an unknown
// identity allows.
func (c *Client) Self(ctx context.Context) (githost.Identity, error) {
	c.selfMu.Lock()
	defer c.selfMu.Unlock()
	if c.self != nil {
		return *c.self, nil
	}
	var u *github.User
	var id githost.Identity
	if c.Identity != "" {
		id = githost.Identity{Login: c.Identity, App: true}
		err := c.call(ctx, "read the App's bot account "+c.Identity, false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			u, resp, err = c.gh.Users.Get(ctx, url.PathEscape(c.Identity))
			return resp, err
		})
		if err != nil && !errors.Is(err, githost.ErrNotFound) {
			return githost.Identity{}, err
		}
	} else {
		err := c.call(ctx, "read the token's account (GET /user)", false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			u, resp, err = c.gh.Users.Get(ctx, "")
			return resp, err
		})
		if err != nil && !errors.Is(err, githost.ErrPermanent) {
			return githost.Identity{}, err
		}
	}
	if u != nil {
		id.Login, id.ID = u.GetLogin(), u.GetID()
		if strings.EqualFold(u.GetType(), "Bot") {
			id.App = true
		}
	}
	c.self = &id
	return id, nil
}

// PullsForHead lists the open pull requests whose head is branch in repo
// itself (GET /repos/{o}/{r}/pulls?head={owner}:{branch}&state=open), each
// with its author's id, and the repository's default branch as the
// answer names it ("" when the list is empty).
func (c *Client) PullsForHead(ctx context.Context, repo, branch string) ([]*githost.PR, string, error) {
	owner, name := split(repo)
	var list []*github.PullRequest
	err := c.call(ctx, fmt.Sprintf("list the open pull requests for %s in %s", branch, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		list, resp, err = c.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Head: owner + ":" + branch, ListOptions: github.ListOptions{PerPage: 100}})
		return resp, err
	})
	if err != nil {
		return nil, "", err
	}
	var out []*githost.PR
	defaultBranch := ""
	for _, p := range list {
		if p.GetHead().GetRef() != branch || !strings.EqualFold(p.GetHead().GetRepo().GetFullName(), repo) {
			continue // a fork's branch of the same name is never Baton's
		}
		q := pr(p)
		q.AuthorID = p.GetUser().GetID()
		out = append(out, q)
		if d := p.GetBase().GetRepo().GetDefaultBranch(); d != "" {
			defaultBranch = d
		}
	}
	return out, defaultBranch, nil
}

// CompareBranch compares head (a branch or commit) with base in one
// request (GET /repos/{o}/{r}/compare/{base}...{head}): the base's head
// commit with its tree, and the head commit with who GitHub says made it.
func (c *Client) CompareBranch(ctx context.Context, repo, base, head string) (*githost.BranchCompare, error) {
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
	bc := cmp.GetBaseCommit()
	out := &githost.BranchCompare{
		Base:  githost.Commit{SHA: bc.GetSHA(), Tree: bc.GetCommit().GetTree().GetSHA(), Message: bc.GetCommit().GetMessage()},
		Ahead: cmp.GetAheadBy(),
	}
	for _, p := range bc.Parents {
		out.Base.Parents = append(out.Base.Parents, p.GetSHA())
	}
	if n := len(cmp.Commits); n > 0 && out.Ahead > 0 {
		rc := cmp.Commits[n-1] // oldest first: the last is the head
		h := &githost.AuthoredCommit{
			SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
			AuthorLogin: rc.GetAuthor().GetLogin(), AuthorID: rc.GetAuthor().GetID(),
			CommitterLogin: rc.GetCommitter().GetLogin(), CommitterID: rc.GetCommitter().GetID(),
			Verified: rc.GetCommit().GetVerification().GetVerified(),
		}
		for _, p := range rc.Parents {
			h.Parents = append(h.Parents, p.GetSHA())
		}
		out.Head = h
	}
	return out, nil
}
