package forge

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Repo reads a repository's settings.
func (c *Client) Repo(ctx context.Context, repo string) (*githost.Repo, error) {
	owner, name := split(repo)
	var r *github.Repository
	err := c.call(ctx, "read repository "+repo, false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		r, resp, err = c.gh.Repositories.Get(ctx, owner, name)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return &githost.Repo{FullName: r.GetFullName(), DefaultBranch: r.GetDefaultBranch(), HTMLURL: r.GetHTMLURL()}, nil
}

// Branch reads a branch's head commit (with its tree) in one request.
func (c *Client) Branch(ctx context.Context, repo, branch string) (*githost.Commit, error) {
	owner, name := split(repo)
	var b *github.Branch
	err := c.call(ctx, fmt.Sprintf("read branch %s of %s", branch, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		b, resp, err = c.gh.Repositories.GetBranch(ctx, owner, name, branch, 0)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	rc := b.GetCommit()
	out := &githost.Commit{SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage()}
	for _, p := range rc.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out, nil
}

// File reads a file at a commit. A missing file is githost.ErrNotFound.
func (c *Client) File(ctx context.Context, repo, ref, path string) ([]byte, error) {
	owner, name := split(repo)
	var fc *github.RepositoryContent
	var dir []*github.RepositoryContent
	err := c.call(ctx, fmt.Sprintf("read %s at %s in %s", path, short(ref), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		fc, dir, resp, err = c.gh.Repositories.GetContents(ctx, owner, name, path, &github.RepositoryContentGetOptions{Ref: ref})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	if fc == nil || dir != nil {
		return nil, &githost.Error{Op: "read " + path, Kind: githost.ErrPermanent, Message: "is a directory, not a file"}
	}
	return c.content(ctx, repo, path, fc)
}

// content decodes a contents answer; files over 1 MB come without their
// content (encoding "none") and are read through the blobs API.
func (c *Client) content(ctx context.Context, repo, path string, fc *github.RepositoryContent) ([]byte, error) {
	if fc.GetEncoding() == "none" && fc.GetSHA() != "" {
		owner, name := split(repo)
		var b []byte
		err := c.call(ctx, fmt.Sprintf("read %s (over 1 MB) in %s", path, repo), false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			b, resp, err = c.gh.Git.GetBlobRaw(ctx, owner, name, fc.GetSHA())
			return resp, err
		})
		return b, err
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, &githost.Error{Op: "read " + path, Kind: githost.ErrPermanent, Message: "cannot decode content", Err: err}
	}
	return []byte(s), nil
}

func short(ref string) string {
	if len(ref) == 40 {
		return ref[:7]
	}
	return ref
}

// CreateTree writes files (path → content; nil deletes) over a base tree.
func (c *Client) CreateTree(ctx context.Context, repo, baseTree string, files map[string][]byte) (string, error) {
	owner, name := split(repo)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	entries := make([]*github.TreeEntry, 0, len(paths))
	for _, p := range paths {
		e := &github.TreeEntry{Path: github.Ptr(p), Mode: github.Ptr("100644"), Type: github.Ptr("blob")}
		if files[p] != nil {
			e.Content = github.Ptr(string(files[p]))
		}
		entries = append(entries, e)
	}
	var t *github.Tree
	err := c.call(ctx, "create tree in "+repo, true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		t, resp, err = c.gh.Git.CreateTree(ctx, owner, name, baseTree, entries)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return t.GetSHA(), nil
}

// CreateCommit creates a commit without a custom author or committer, so
// that GitHub signs it when Baton runs as an App.
func (c *Client) CreateCommit(ctx context.Context, repo, message, tree string, parents []string) (*githost.Commit, error) {
	owner, name := split(repo)
	ps := make([]*github.Commit, len(parents))
	for i, p := range parents {
		ps[i] = &github.Commit{SHA: github.Ptr(p)}
	}
	var cm *github.Commit
	err := c.call(ctx, "create commit in "+repo, true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		cm, resp, err = c.gh.Git.CreateCommit(ctx, owner, name, github.Commit{Message: github.Ptr(message), Tree: &github.Tree{SHA: github.Ptr(tree)}, Parents: ps}, nil)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return gitCommit(cm), nil
}

func gitCommit(cm *github.Commit) *githost.Commit {
	out := &githost.Commit{SHA: cm.GetSHA(), Tree: cm.GetTree().GetSHA(), Message: cm.GetMessage(), Verified: cm.GetVerification().GetVerified()}
	for _, p := range cm.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out
}

// Commit reads a commit.
func (c *Client) Commit(ctx context.Context, repo, sha string) (*githost.Commit, error) {
	owner, name := split(repo)
	var cm *github.Commit
	err := c.call(ctx, fmt.Sprintf("read commit %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		cm, resp, err = c.gh.Git.GetCommit(ctx, owner, name, sha)
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return gitCommit(cm), nil
}

// Ref reads the commit a branch points at ("heads/x") or ErrNotFound.
func (c *Client) Ref(ctx context.Context, repo, ref string) (string, error) {
	owner, name := split(repo)
	var r *github.Reference
	err := c.call(ctx, fmt.Sprintf("read ref %s in %s", ref, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		r, resp, err = c.gh.Git.GetRef(ctx, owner, name, ref)
		return resp, err
	})
	if err != nil {
		return "", err
	}
	return r.GetObject().GetSHA(), nil
}

// CreateRef creates refs/<ref> at sha; an existing one is ErrExists.
func (c *Client) CreateRef(ctx context.Context, repo, ref, sha string) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("create ref %s in %s", ref, repo), true, func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.Git.CreateRef(ctx, owner, name, github.CreateRef{Ref: "refs/" + strings.TrimPrefix(ref, "refs/"), SHA: sha})
		return resp, err
	})
}

// UpdateRef moves a ref; a non-fast-forward without force is ErrConflict.
func (c *Client) UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("update ref %s in %s", ref, repo), true, func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.Git.UpdateRef(ctx, owner, name, strings.TrimPrefix(ref, "refs/"), github.UpdateRef{SHA: sha, Force: github.Ptr(force)})
		return resp, err
	})
}

// DeleteRef deletes a ref.
func (c *Client) DeleteRef(ctx context.Context, repo, ref string) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("delete ref %s in %s", ref, repo), true, func(ctx context.Context) (*github.Response, error) {
		return c.gh.Git.DeleteRef(ctx, owner, name, strings.TrimPrefix(ref, "refs/"))
	})
}

func pr(p *github.PullRequest) *githost.PR {
	out := &githost.PR{
		Number: p.GetNumber(), URL: p.GetHTMLURL(), Title: p.GetTitle(), Body: p.GetBody(),
		Head: p.GetHead().GetRef(), HeadSHA: p.GetHead().GetSHA(), Base: p.GetBase().GetRef(),
		State: p.GetState(), Merged: p.GetMerged(), MergedBy: p.GetMergedBy().GetLogin(),
		MergeSHA: p.GetMergeCommitSHA(), Mergeable: p.Mergeable, Author: p.GetUser().GetLogin(),
		MergeableState: p.GetMergeableState(),
	}
	if p.MergedAt != nil {
		out.MergedAt = p.MergedAt.Time
	}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out
}

// FindOpenPR returns the open pull request whose head is branch (in the
// same repository), or nil.
func (c *Client) FindOpenPR(ctx context.Context, repo, branch string) (*githost.PR, error) {
	owner, name := split(repo)
	var list []*github.PullRequest
	err := c.call(ctx, fmt.Sprintf("find the open pull request for %s in %s", branch, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		list, resp, err = c.gh.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Head: owner + ":" + branch, ListOptions: github.ListOptions{PerPage: 10}})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.GetHead().GetRef() == branch {
			return pr(p), nil
		}
	}
	return nil, nil
}

// CreatePR opens a pull request; one that exists for the head is ErrExists.
func (c *Client) CreatePR(ctx context.Context, repo string, n githost.NewPR) (*githost.PR, error) {
	owner, name := split(repo)
	var p *github.PullRequest
	err := c.call(ctx, fmt.Sprintf("open a pull request for %s in %s", n.Head, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		p, resp, err = c.gh.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: github.Ptr(n.Title), Head: github.Ptr(n.Head), Base: github.Ptr(n.Base), Body: github.Ptr(n.Body), MaintainerCanModify: github.Ptr(false)})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// UpdatePR changes a pull request's title and body.
func (c *Client) UpdatePR(ctx context.Context, repo string, number int, title, body string) (*githost.PR, error) {
	owner, name := split(repo)
	var p *github.PullRequest
	err := c.call(ctx, fmt.Sprintf("update pull request #%d in %s", number, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		p, resp, err = c.gh.PullRequests.Edit(ctx, owner, name, number, &github.PullRequest{Title: github.Ptr(title), Body: github.Ptr(body)})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return pr(p), nil
}

// AddLabels adds labels to an issue or pull request.
func (c *Client) AddLabels(ctx context.Context, repo string, number int, labels []string) error {
	owner, name := split(repo)
	return c.call(ctx, fmt.Sprintf("label #%d in %s", number, repo), true, func(ctx context.Context) (*github.Response, error) {
		_, resp, err := c.gh.Issues.AddLabelsToIssue(ctx, owner, name, number, labels)
		return resp, err
	})
}

// Comment posts a comment on an issue or pull request.
func (c *Client) Comment(ctx context.Context, repo string, number int, body string) (int64, error) {
	owner, name := split(repo)
	var cm *github.IssueComment
	err := c.call(ctx, fmt.Sprintf("comment on #%d in %s", number, repo), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		cm, resp, err = c.gh.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.Ptr(body)})
		return resp, err
	})
	if err != nil {
		return 0, err
	}
	return cm.GetID(), nil
}

// Compare lists the commits of head that base lacks, oldest first, capped
// at max.
func (c *Client) Compare(ctx context.Context, repo, base, head string, max int) (*githost.Comparison, error) {
	owner, name := split(repo)
	var cmp *github.CommitsComparison
	err := c.call(ctx, fmt.Sprintf("compare %s...%s in %s", short(base), short(head), repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		cmp, resp, err = c.gh.Repositories.CompareCommits(ctx, owner, name, base, head, &github.ListOptions{PerPage: max})
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	out := &githost.Comparison{Status: cmp.GetStatus(), URL: cmp.GetHTMLURL(), Total: cmp.GetTotalCommits()}
	for _, rc := range cmp.Commits {
		if len(out.Commits) >= max {
			break
		}
		msg, _, _ := strings.Cut(rc.GetCommit().GetMessage(), "\n")
		author := rc.GetAuthor().GetLogin()
		if author == "" {
			author = rc.GetCommit().GetAuthor().GetName()
		}
		out.Commits = append(out.Commits, githost.SourceCommit{SHA: rc.GetSHA(), Message: msg, Author: author, URL: rc.GetHTMLURL()})
	}
	return out, nil
}

// DefaultFile reads a file on the default branch. GitHub's answer links
// the file "?ref=<branch>"; that branch name is returned so the caller
// need not ask for the repository's settings ("" when absent).
func (c *Client) DefaultFile(ctx context.Context, repo, path string) ([]byte, string, error) {
	owner, name := split(repo)
	var fc *github.RepositoryContent
	var dir []*github.RepositoryContent
	err := c.call(ctx, fmt.Sprintf("read %s on the default branch of %s", path, repo), false, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		fc, dir, resp, err = c.gh.Repositories.GetContents(ctx, owner, name, path, nil)
		return resp, err
	})
	if err != nil {
		return nil, "", err
	}
	if fc == nil || dir != nil {
		return nil, "", &githost.Error{Op: "read " + path, Kind: githost.ErrPermanent, Message: "is a directory, not a file"}
	}
	data, err := c.content(ctx, repo, path, fc)
	if err != nil {
		return nil, "", err
	}
	branch := ""
	if u, err := url.Parse(fc.GetURL()); err == nil {
		branch = u.Query().Get("ref")
	}
	return data, branch, nil
}
