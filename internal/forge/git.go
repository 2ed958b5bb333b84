package forge

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// blobMediaType is the media type GitHub's REST docs give for a blob's raw
// bytes (go-github's GetBlobRaw asks for the older
// application/vnd.github.v3.raw, which the docs no longer list).
const blobMediaType = "application/vnd.github.raw+json"

// blob reads a blob's raw bytes (files over 1 MB come this way).
//
// Route: GET /repos/{owner}/{repo}/git/blobs/{file_sha}
// (Accept: application/vnd.github.raw+json).
func (c *Client) blob(ctx context.Context, repo, path, sha string) ([]byte, error) {
	owner, name := split(repo)
	return do(ctx, c, fmt.Sprintf("read %s (over 1 MB) in %s", path, repo), false, func(ctx context.Context) ([]byte, *github.Response, error) {
		req, err := c.gh.NewRequest(ctx, http.MethodGet, fmt.Sprintf("repos/%s/%s/git/blobs/%s", url.PathEscape(owner), url.PathEscape(name), url.PathEscape(sha)), nil)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Accept", blobMediaType)
		var buf bytes.Buffer
		resp, err := c.gh.Do(req, &buf)
		if err != nil {
			return nil, resp, err
		}
		return buf.Bytes(), resp, nil
	})
}

// CreateTree writes files (path → content; nil deletes) over a base tree
// and returns the new tree's sha.
//
// Route: POST /repos/{owner}/{repo}/git/trees. An unknown base tree or a
// malformed path is githost.ErrValidation.
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
	t, err := do(ctx, c, "create tree in "+repo, true, func(ctx context.Context) (*github.Tree, *github.Response, error) {
		return c.gh.Git.CreateTree(ctx, owner, name, baseTree, entries)
	})
	if err != nil {
		return "", err
	}
	return t.GetSHA(), nil
}

// CreateCommit creates a commit without a custom author or committer, so
// that GitHub signs it when Baton runs as an App.
//
// Route: POST /repos/{owner}/{repo}/git/commits. An unknown tree or parent
// is githost.ErrValidation.
func (c *Client) CreateCommit(ctx context.Context, repo, message, tree string, parents []string) (*githost.Commit, error) {
	owner, name := split(repo)
	ps := make([]*github.Commit, len(parents))
	for i, p := range parents {
		ps[i] = &github.Commit{SHA: github.Ptr(p)}
	}
	cm, err := do(ctx, c, "create commit in "+repo, true, func(ctx context.Context) (*github.Commit, *github.Response, error) {
		return c.gh.Git.CreateCommit(ctx, owner, name, github.Commit{Message: github.Ptr(message), Tree: &github.Tree{SHA: github.Ptr(tree)}, Parents: ps}, nil)
	})
	if err != nil {
		return nil, err
	}
	return gitCommit(cm), nil
}

// gitCommit converts the Git Data API's commit shape.
func gitCommit(cm *github.Commit) *githost.Commit {
	out := &githost.Commit{
		SHA: cm.GetSHA(), Tree: cm.GetTree().GetSHA(), Message: cm.GetMessage(),
		Verified: cm.GetVerification().GetVerified(), VerificationReason: cm.GetVerification().GetReason(),
		Committed: cm.GetCommitter().GetDate().Time,
	}
	for _, p := range cm.Parents {
		out.Parents = append(out.Parents, p.GetSHA())
	}
	return out
}

// Commit reads a commit, with its signature verification.
//
// Route: GET /repos/{owner}/{repo}/git/commits/{commit_sha}. An unknown
// sha is githost.ErrNotFound.
func (c *Client) Commit(ctx context.Context, repo, sha string) (*githost.Commit, error) {
	owner, name := split(repo)
	cm, err := do(ctx, c, fmt.Sprintf("read commit %s in %s", short(sha), repo), false, func(ctx context.Context) (*github.Commit, *github.Response, error) {
		return c.gh.Git.GetCommit(ctx, owner, name, sha)
	})
	if err != nil {
		return nil, err
	}
	return gitCommit(cm), nil
}

// Ref reads the object a ref ("heads/x", "tags/v1") points at.
//
// Route: GET /repos/{owner}/{repo}/git/ref/{ref}. A missing ref is
// githost.ErrNotFound.
func (c *Client) Ref(ctx context.Context, repo, ref string) (string, error) {
	r, err := c.ref(ctx, repo, ref, fmt.Sprintf("read ref %s in %s", ref, repo))
	if err != nil {
		return "", err
	}
	return r.GetObject().GetSHA(), nil
}

func (c *Client) ref(ctx context.Context, repo, ref, op string) (*github.Reference, error) {
	owner, name := split(repo)
	return do(ctx, c, op, false, func(ctx context.Context) (*github.Reference, *github.Response, error) {
		return c.gh.Git.GetRef(ctx, owner, name, ref)
	})
}

// CreateRef creates refs/<ref> at sha.
//
// Route: POST /repos/{owner}/{repo}/git/refs. An existing ref is
// githost.ErrExists (the caller looks it up: the optimistic path); an
// unknown sha or a malformed name is githost.ErrValidation.
func (c *Client) CreateRef(ctx context.Context, repo, ref, sha string) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("create ref %s in %s", ref, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return drop(c.gh.Git.CreateRef(ctx, owner, name, github.CreateRef{Ref: "refs/" + strings.TrimPrefix(ref, "refs/"), SHA: sha}))
	})
	return err
}

// UpdateRef moves a ref to sha.
//
// Route: PATCH /repos/{owner}/{repo}/git/refs/{ref}. A non-fast-forward
// without force is githost.ErrConflict; a missing ref is
// githost.ErrValidation ("Reference does not exist").
func (c *Client) UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("update ref %s in %s", ref, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return drop(c.gh.Git.UpdateRef(ctx, owner, name, strings.TrimPrefix(ref, "refs/"), github.UpdateRef{SHA: sha, Force: github.Ptr(force)}))
	})
	return err
}

// DeleteRef deletes a ref.
//
// Route: DELETE /repos/{owner}/{repo}/git/refs/{ref}. A missing ref is
// githost.ErrValidation ("Reference does not exist") as GitHub answers
// 422.
func (c *Client) DeleteRef(ctx context.Context, repo, ref string) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("delete ref %s in %s", ref, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return none(c.gh.Git.DeleteRef(ctx, owner, name, strings.TrimPrefix(ref, "refs/")))
	})
	return err
}
