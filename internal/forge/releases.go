package forge

import (
	"context"
	"fmt"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// CreateTag creates an annotated tag object (no custom tagger, so an App's
// tag is signed) and its ref refs/tags/{tag}.
//
// Routes: POST /repos/{owner}/{repo}/git/tags, then
// POST /repos/{owner}/{repo}/git/refs. A ref of that name is
// githost.ErrExists (the caller looks it up); an unknown sha is
// githost.ErrValidation.
func (c *Client) CreateTag(ctx context.Context, repo, tag, message, sha string) error {
	owner, name := split(repo)
	t, err := do(ctx, c, fmt.Sprintf("create tag %s in %s", tag, repo), true, func(ctx context.Context) (*github.Tag, *github.Response, error) {
		return c.gh.Git.CreateTag(ctx, owner, name, github.CreateTag{Tag: tag, Message: message, Object: sha, Type: "commit"})
	})
	if err != nil {
		return err
	}
	return c.CreateRef(ctx, repo, "refs/tags/"+tag, t.GetSHA())
}

// TagCommit returns the commit a tag points at, peeling an annotated tag.
//
// Routes: GET /repos/{owner}/{repo}/git/ref/tags/{tag}, and for an
// annotated tag GET /repos/{owner}/{repo}/git/tags/{tag_sha}. A missing
// tag is githost.ErrNotFound.
func (c *Client) TagCommit(ctx context.Context, repo, tag string) (string, error) {
	ref, err := c.ref(ctx, repo, "tags/"+tag, fmt.Sprintf("read tag %s in %s", tag, repo))
	if err != nil {
		return "", err
	}
	sha := ref.GetObject().GetSHA()
	if ref.GetObject().GetType() != "tag" {
		return sha, nil
	}
	owner, name := split(repo)
	t, err := do(ctx, c, fmt.Sprintf("read tag object %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Tag, *github.Response, error) {
		return c.gh.Git.GetTag(ctx, owner, name, sha)
	})
	if err != nil {
		return "", err
	}
	return t.GetObject().GetSHA(), nil
}

// release converts a release.
func release(r *github.RepositoryRelease) *githost.Release {
	return &githost.Release{ID: r.GetID(), Tag: r.GetTagName(), URL: r.GetHTMLURL(), Name: r.GetName(), Target: r.GetTargetCommitish(), Created: r.GetCreatedAt().Time}
}

// CreateRelease creates a release for an existing tag.
//
// Route: POST /repos/{owner}/{repo}/releases. A release for that tag
// already is githost.ErrExists; a bad target is githost.ErrValidation.
func (c *Client) CreateRelease(ctx context.Context, repo string, n githost.NewRelease) (*githost.Release, error) {
	owner, name := split(repo)
	latest := "false"
	if n.Latest {
		latest = "true"
	}
	r, err := do(ctx, c, fmt.Sprintf("create release %s in %s", n.Tag, repo), true, func(ctx context.Context) (*github.RepositoryRelease, *github.Response, error) {
		return c.gh.Repositories.CreateRelease(ctx, owner, name, &github.RepositoryRelease{
			TagName: github.Ptr(n.Tag), TargetCommitish: github.Ptr(n.Target), Name: github.Ptr(n.Name), Body: github.Ptr(n.Body), MakeLatest: github.Ptr(latest),
		})
	})
	if err != nil {
		return nil, err
	}
	return release(r), nil
}

// ReleaseByTag reads the release of a tag.
//
// Route: GET /repos/{owner}/{repo}/releases/tags/{tag}. None is
// githost.ErrNotFound.
func (c *Client) ReleaseByTag(ctx context.Context, repo, tag string) (*githost.Release, error) {
	owner, name := split(repo)
	r, err := do(ctx, c, fmt.Sprintf("read release %s in %s", tag, repo), false, func(ctx context.Context) (*github.RepositoryRelease, *github.Response, error) {
		return c.gh.Repositories.GetReleaseByTag(ctx, owner, name, tag)
	})
	if err != nil {
		return nil, err
	}
	return release(r), nil
}

// RecentReleases lists up to limit (at most 100) releases of repo, the
// newest first: one page, to tell which recent merges are released.
//
// Route: GET /repos/{owner}/{repo}/releases?per_page={limit}.
func (c *Client) RecentReleases(ctx context.Context, repo string, limit int) ([]githost.Release, error) {
	owner, name := split(repo)
	limit = min(max(limit, 1), perPage)
	list, err := do(ctx, c, fmt.Sprintf("list releases of %s", repo), false, func(ctx context.Context) ([]*github.RepositoryRelease, *github.Response, error) {
		return c.gh.Repositories.ListReleases(ctx, owner, name, &github.ListOptions{PerPage: limit})
	})
	if err != nil {
		return nil, err
	}
	out := make([]githost.Release, 0, len(list))
	for _, r := range list {
		out = append(out, *release(r))
	}
	return out, nil
}

// Tag reads a tag: the commit it points at and, for an annotated tag,
// its message, so Baton can tell its own tag from one someone else made.
//
// Routes: GET /repos/{owner}/{repo}/git/ref/tags/{tag}, and for an
// annotated tag GET /repos/{owner}/{repo}/git/tags/{tag_sha}. A missing
// tag is githost.ErrNotFound.
func (c *Client) Tag(ctx context.Context, repo, tag string) (*githost.Tag, error) {
	ref, err := c.ref(ctx, repo, "tags/"+tag, fmt.Sprintf("read tag %s in %s", tag, repo))
	if err != nil {
		return nil, err
	}
	out := &githost.Tag{Name: tag, Commit: ref.GetObject().GetSHA()}
	if ref.GetObject().GetType() != "tag" {
		return out, nil
	}
	owner, name := split(repo)
	sha := ref.GetObject().GetSHA()
	t, err := do(ctx, c, fmt.Sprintf("read tag object %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Tag, *github.Response, error) {
		return c.gh.Git.GetTag(ctx, owner, name, sha)
	})
	if err != nil {
		return nil, err
	}
	out.Commit, out.Annotated, out.Message = t.GetObject().GetSHA(), true, t.GetMessage()
	return out, nil
}
