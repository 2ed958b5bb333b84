package promotion

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
)

// sourceGitHub is what the downgrade guards read: the app repository's
// history and the config repository's last commit to a file.
type sourceGitHub interface {
	// Compare compares two app-repository commits (GET /repos/{o}/{r}/compare/{base}...{head}).
	Compare(ctx context.Context, repo, base, head string, max int) (*githost.Comparison, error)
	// LastCommit is the last commit at ref that changed path (GET /repos/{o}/{r}/commits?sha=&path=).
	LastCommit(ctx context.Context, repo, ref, path string) (*githost.CommitInfo, error)
}

// UndecidedError says a downgrade guard could not read what it needed to
// decide, so the bump was refused (a guard that cannot decide refuses).
// Nothing was written.
type UndecidedError struct {
	What string // what could not be read
	Err  error
}

// Error implements error.
func (e *UndecidedError) Error() string {
	return fmt.Sprintf("refusing the bump: cannot tell whether it is a downgrade, because reading %s failed: %v (retry the job, or pass allow-downgrade to skip the check)", e.What, e.Err)
}

// Unwrap returns the cause.
func (e *UndecidedError) Unwrap() error { return e.Err }

// downgrade refuses a new tag older than a running one when both are
// semantic versions.
func downgrade(from []string, want image.Ref, allow bool) string {
	if allow || want.Tag == "" {
		return ""
	}
	nv, err := semver.NewVersion(want.Tag)
	if err != nil {
		return ""
	}
	for _, f := range from {
		tag, _, _ := strings.Cut(f, "@")
		ov, err := semver.NewVersion(tag)
		if err == nil && nv.LessThan(ov) {
			return fmt.Sprintf("refusing to downgrade from %s to %s (pass allow-downgrade, or roll back)", tag, want.Tag)
		}
	}
	return ""
}

// semverPair reports whether both tags are semantic versions: then their
// order decides a downgrade, and ancestry is only a second opinion.
func semverPair(a, b string) bool {
	_, errA := semver.NewVersion(a)
	_, errB := semver.NewVersion(b)
	return errA == nil && errB == nil
}

// lastSource reads the Baton-Source trailer of the last commit that
// changed the environment's first file: the source of the running image,
// for tags that do not name it (timestamps, templates). "" means the file
// carries no record (it was never bumped by Baton); a failed read is an
// error, never "no record".
func lastSource(ctx context.Context, gh sourceGitHub, repo, sha string, changes []FileChange) (string, error) {
	if len(changes) == 0 {
		return "", nil
	}
	c, err := gh.LastCommit(ctx, repo, sha, changes[0].Path)
	if err != nil {
		return "", &UndecidedError{What: fmt.Sprintf("the last commit to %s in %s", changes[0].Path, repo), Err: err}
	}
	return ParseTrailers(c.Message)[TrailerSource], nil
}

// olderSource reports whether the bump's source commit is an ancestor of
// another promotion's source (owner/repo@sha) in the app repository. A
// failed comparison is an error: the caller refuses unless the tags'
// semantic versions already decided.
func olderSource(ctx context.Context, gh sourceGitHub, app *policy.App, req BumpRequest, other string) (bool, error) {
	repo, sha, ok := strings.Cut(other, "@")
	if !ok || req.SourceSHA == "" || sha == req.SourceSHA || repo != appRepo(app, req) {
		return false, nil
	}
	cmp, err := gh.Compare(ctx, repo, sha, req.SourceSHA, 1)
	if err != nil {
		return false, &UndecidedError{What: fmt.Sprintf("the history of %s (%s...%s)", repo, short(sha), short(req.SourceSHA)), Err: err}
	}
	return cmp.Status == "behind", nil
}

var shaTag = regexp.MustCompile(`^sha-([0-9a-f]{7,40})$`)

// sourceRef guesses the app-repository ref an image tag was built from:
// sha-<hex> tags name a commit, semantic versions a v-prefixed tag. exact
// is true for commits (the ref is known), false for guessed git tags.
func sourceRef(tag string) (ref string, exact bool) {
	if tag == "" {
		return "", false
	}
	if m := shaTag.FindStringSubmatch(tag); m != nil {
		return m[1], true
	}
	if len(tag) == 40 && isHex(tag) {
		return tag, true
	}
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(tag, "v")); err == nil {
		return "v" + strings.TrimPrefix(tag, "v"), false
	}
	return "", false // a timestamp or template tag: it names no source
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// maxChangelog caps the source commits listed in a PR body.
const maxChangelog = 20

// changelog compares the running version's source with the new one in the
// app repository: the PR body's list of source changes, and the ancestry
// gate that refuses an older build. It returns nil when the running
// version's source is unknown.
//
// The running version's source is named by its tag (sha-<hex>, or a
// semantic version whose git tag is v<version>); for other tags it is the
// Baton-Source trailer of the last commit to the file, which lastSource
// reads only then. When the source is known exactly (a commit), the
// comparison decides whether the bump is a downgrade, so a failed read is
// an *UndecidedError; for a guessed git tag of a semantic version it is
// only the list of changes (the versions' order already decided), and a
// failed read leaves it out.
func changelog(ctx context.Context, gh sourceGitHub, app *policy.App, req BumpRequest, from []string, lastSource func() (string, error)) (*githost.Comparison, error) {
	repo := appRepo(app, req)
	if repo == "" || req.SourceSHA == "" || len(from) != 1 {
		return nil, nil
	}
	tag, _, _ := strings.Cut(from[0], "@")
	base, exact := sourceRef(tag)
	if base == "" {
		src, err := lastSource()
		if err != nil {
			return nil, err
		}
		if r, sha, ok := strings.Cut(src, "@"); ok && r == repo {
			base, exact = sha, true
		}
	}
	if base == "" {
		return nil, nil
	}
	cmp, err := gh.Compare(ctx, repo, base, req.SourceSHA, maxChangelog)
	if err != nil {
		if !exact {
			return nil, nil
		}
		return nil, &UndecidedError{What: fmt.Sprintf("the history of %s (%s...%s)", repo, short(base), short(req.SourceSHA)), Err: err}
	}
	return cmp, nil
}

func appRepo(app *policy.App, req BumpRequest) string {
	if app.Repo != "" {
		return app.Repo
	}
	return req.SourceRepo
}

func source(req BumpRequest) string {
	if req.SourceRepo == "" || req.SourceSHA == "" {
		return ""
	}
	return req.SourceRepo + "@" + req.SourceSHA
}
