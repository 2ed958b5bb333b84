package forge

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Repo reads a repository's settings.
//
// Route: GET /repos/{owner}/{repo}. A repository the token cannot see is
// githost.ErrNotFound.
func (c *Client) Repo(ctx context.Context, repo string) (*githost.Repo, error) {
	owner, name := split(repo)
	r, err := do(ctx, c, "read repository "+repo, false, func(ctx context.Context) (*github.Repository, *github.Response, error) {
		return c.gh.Repositories.Get(ctx, owner, name)
	})
	if err != nil {
		return nil, err
	}
	return &githost.Repo{FullName: r.GetFullName(), DefaultBranch: r.GetDefaultBranch(), HTMLURL: r.GetHTMLURL(), Archived: r.GetArchived()}, nil
}

// Branch reads a branch's head commit (with its tree) in one request.
//
// Route: GET /repos/{owner}/{repo}/branches/{branch}. A missing branch is
// githost.ErrNotFound.
func (c *Client) Branch(ctx context.Context, repo, branch string) (*githost.Commit, error) {
	owner, name := split(repo)
	b, err := do(ctx, c, fmt.Sprintf("read branch %s of %s", branch, repo), false, func(ctx context.Context) (*github.Branch, *github.Response, error) {
		return c.gh.Repositories.GetBranch(ctx, owner, name, branch, 0)
	})
	if err != nil {
		return nil, err
	}
	rc := b.GetCommit()
	out := &githost.Commit{
		SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
		Verified:           rc.GetCommit().GetVerification().GetVerified(),
		VerificationReason: rc.GetCommit().GetVerification().GetReason(),
	}
	for _, p := range rc.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out, nil
}

// File reads a file at a commit, branch or tag.
//
// Route: GET /repos/{owner}/{repo}/contents/{path}?ref=…, and for files
// over 1 MB also GET /repos/{owner}/{repo}/git/blobs/{file_sha}. A missing
// file is githost.ErrNotFound; a directory is githost.ErrPermanent.
func (c *Client) File(ctx context.Context, repo, ref, path string) ([]byte, error) {
	fc, err := c.contents(ctx, repo, path, &github.RepositoryContentGetOptions{Ref: ref}, fmt.Sprintf("read %s at %s in %s", path, short(ref), repo))
	if err != nil {
		return nil, err
	}
	return c.content(ctx, repo, path, fc)
}

// DefaultFile reads a file on the default branch. GitHub's answer links
// the file "?ref=<branch>"; that branch name is returned so the caller
// need not ask for the repository's settings ("" when absent).
//
// Route: GET /repos/{owner}/{repo}/contents/{path} (and the blobs route
// for files over 1 MB). Errors as File.
func (c *Client) DefaultFile(ctx context.Context, repo, path string) ([]byte, string, error) {
	fc, err := c.contents(ctx, repo, path, nil, fmt.Sprintf("read %s on the default branch of %s", path, repo))
	if err != nil {
		return nil, "", err
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

// contents reads a path's contents entry and refuses directories.
func (c *Client) contents(ctx context.Context, repo, path string, opts *github.RepositoryContentGetOptions, op string) (*github.RepositoryContent, error) {
	owner, name := split(repo)
	type answer struct {
		file *github.RepositoryContent
		dir  []*github.RepositoryContent
	}
	a, err := do(ctx, c, op, false, func(ctx context.Context) (answer, *github.Response, error) {
		f, d, resp, err := c.gh.Repositories.GetContents(ctx, owner, name, path, opts)
		return answer{f, d}, resp, err
	})
	if err != nil {
		return nil, err
	}
	if a.file == nil || a.dir != nil {
		return nil, &githost.Error{Op: "read " + path, Kind: githost.ErrPermanent, Message: "is a directory, not a file"}
	}
	return a.file, nil
}

// content decodes a contents answer; files over 1 MB come without their
// content (encoding "none") and are read through the blobs API.
func (c *Client) content(ctx context.Context, repo, path string, fc *github.RepositoryContent) ([]byte, error) {
	if size := int64(fc.GetSize()); c.maxFile > 0 && size > c.maxFile {
		return nil, &githost.TooLargeError{Repo: repo, Path: path, Size: size, Max: c.maxFile}
	}
	if fc.GetEncoding() == "none" && fc.GetSHA() != "" {
		return c.blob(ctx, repo, path, fc.GetSHA())
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, &githost.Error{Op: "read " + path, Kind: githost.ErrPermanent, Message: "cannot decode content", Err: err}
	}
	return []byte(s), nil
}

// LastCommit returns the newest commit reachable from ref that touched
// path.
//
// Route: GET /repos/{owner}/{repo}/commits?sha={ref}&path={path}&per_page=1.
// None is githost.ErrNotFound.
func (c *Client) LastCommit(ctx context.Context, repo, ref, path string) (*githost.CommitInfo, error) {
	owner, name := split(repo)
	list, err := do(ctx, c, fmt.Sprintf("read the last commit to %s in %s", path, repo), false, func(ctx context.Context) ([]*github.RepositoryCommit, *github.Response, error) {
		return c.gh.Repositories.ListCommits(ctx, owner, name, &github.CommitsListOptions{SHA: ref, Path: path, ListOptions: github.ListOptions{PerPage: 1}})
	})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, &githost.Error{Op: "read the last commit to " + path, Kind: githost.ErrNotFound, Message: "no commit touched it"}
	}
	info := commitInfo(list[0])
	return &info, nil
}

// compare is the one compare call Compare and Diff share: the first page
// of per commits, oldest first.
func (c *Client) compare(ctx context.Context, repo, base, head string, per int) (*github.CommitsComparison, error) {
	return c.comparePage(ctx, repo, base, head, per, 0)
}

// comparePage reads one page of a comparison (page 0 is the first). With
// per_page GitHub pages the commits oldest first and lists the changed
// files on the first page only.
func (c *Client) comparePage(ctx context.Context, repo, base, head string, per, page int) (*github.CommitsComparison, error) {
	owner, name := split(repo)
	return do(ctx, c, fmt.Sprintf("compare %s...%s in %s", short(base), short(head), repo), false, func(ctx context.Context) (*github.CommitsComparison, *github.Response, error) {
		return c.gh.Repositories.CompareCommits(ctx, owner, name, base, head, &github.ListOptions{PerPage: per, Page: page})
	})
}

// Compare lists the commits of head that base lacks, oldest first, capped
// at max (Total counts them all).
//
// Route: GET /repos/{owner}/{repo}/compare/{base}...{head}. Unknown
// commits, or commits with no common ancestor, are githost.ErrNotFound.
func (c *Client) Compare(ctx context.Context, repo, base, head string, max int) (*githost.Comparison, error) {
	cmp, err := c.compare(ctx, repo, base, head, max)
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

// Diff compares two commits of one repository with their changed files
// (and patches) and the first 100 commits, oldest first.
//
// Route: GET /repos/{owner}/{repo}/compare/{base}...{head}. Errors as
// Compare.
func (c *Client) Diff(ctx context.Context, repo, base, head string) (*githost.Diff, error) {
	cmp, err := c.compare(ctx, repo, base, head, perPage)
	if err != nil {
		return nil, err
	}
	out := &githost.Diff{Status: cmp.GetStatus()}
	if cmp.MergeBaseCommit != nil {
		out.MergeBase = commitInfo(cmp.MergeBaseCommit)
	}
	for _, rc := range cmp.Commits {
		out.Commits = append(out.Commits, commitInfo(rc))
	}
	for _, f := range cmp.Files {
		out.Files = append(out.Files, githost.ChangedFile{Path: f.GetFilename(), Status: f.GetStatus(), Patch: f.GetPatch()})
	}
	return out, nil
}

// commitInfo converts the commits and compare APIs' commit shape.
func commitInfo(rc *github.RepositoryCommit) githost.CommitInfo {
	v := rc.GetCommit().GetVerification()
	return githost.CommitInfo{
		SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
		Author: rc.GetAuthor().GetLogin(), Verified: v.GetVerified(), VerificationReason: v.GetReason(),
		Committed: rc.GetCommit().GetCommitter().GetDate().Time,
		AuthorID:  rc.GetAuthor().GetID(), CommitterEmail: rc.GetCommit().GetCommitter().GetEmail(),
	}
}

// Permission returns a user's role on a repository: admin, maintain,
// write, triage, read or none (role_name, never author_association). A
// custom repository role (role_name outside those) is reported as the
// legacy base role GitHub gives in permission (admin, write, read or
// none), which is what the custom role inherits.
//
// Route: GET /repos/{owner}/{repo}/collaborators/{username}/permission.
// An unknown user is githost.ErrNotFound; a token that may not read
// collaborators is githost.ErrForbidden.
func (c *Client) Permission(ctx context.Context, repo, user string) (string, error) {
	owner, name := split(repo)
	p, err := do(ctx, c, fmt.Sprintf("read %s's permission on %s", user, repo), false, func(ctx context.Context) (*github.RepositoryPermissionLevel, *github.Response, error) {
		return c.gh.Repositories.GetPermissionLevel(ctx, owner, name, user)
	})
	if err != nil {
		return "", err
	}
	switch r := p.GetRoleName(); r {
	case "admin", "maintain", "write", "triage", "read", "none":
		return r, nil
	}
	return p.GetPermission(), nil
}
