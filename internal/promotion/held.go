package promotion

import (
	"context"
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
)

// heldRecord is Baton's record of what its branch holds: the trailers of
// the branch's head commit, read only when that commit is provably
// Baton's (isBatonCommit). The pull request body is never read for it.
type heldRecord struct {
	sha      string
	parent   string
	image    image.Ref
	trailers Trailers
}

// recordOf reads Baton's record from a branch head; nil when the commit
// is not provably Baton's or carries no image.
func recordOf(c *githost.AuthoredCommit, self githost.Identity) *heldRecord {
	if !isBatonCommit(c, self) {
		return nil
	}
	t := ParseTrailers(c.Message)
	img, err := image.Parse(t[TrailerImage])
	if err != nil {
		return nil
	}
	h := &heldRecord{sha: c.SHA, image: img, trailers: t}
	if len(c.Parents) > 0 {
		h.parent = c.Parents[0]
	}
	return h
}

// newerThan says why the held version must not be replaced by req's (it
// is newer by semantic version, or its source descends from req's), or ""
// when it may be.
func (h *heldRecord) newerThan(ctx context.Context, gh sourceGitHub, app *policy.App, req BumpRequest) (string, error) {
	if h.image.Tag != "" && semverPair(h.image.Tag, req.Image.Tag) {
		return downgrade([]string{h.image.Tag}, req.Image, false), nil
	}
	src := h.trailers[TrailerSource]
	older, err := olderSource(ctx, gh, app, req, src)
	if err != nil {
		return "", err
	}
	if older {
		return fmt.Sprintf("refusing to downgrade: %s is an ancestor of %s (pass allow-downgrade, or roll back)", short(req.SourceSHA), src), nil
	}
	return "", nil
}

// renderRecord renders a pull request's title and body from Baton's record
// of a commit another run made, so that a run that finds a newer run's
// commit on the branch can make the pull request describe it.
func renderRecord(h *heldRecord, files []string, env *policy.Env) (title, body string) {
	t := h.trailers
	m := Meta{
		App: t[TrailerApp], Env: t[TrailerEnv], Image: h.image.String(), Base: h.parent, Commit: h.sha,
		Files: files, Source: t[TrailerSource], Run: t[TrailerRun], Actor: t[TrailerActor],
	}
	if f := t[TrailerFrom]; f != "" {
		m.From = strings.Split(f, ", ")
	}
	return titleFor(m.Env, m.App, h.image), PRBody(m, h.image, nil, nil, env)
}

// newerRecord reports whether a holds a newer semantic version than b.
func newerRecord(a, b *heldRecord) bool {
	if !semverPair(a.image.Tag, b.image.Tag) {
		return false
	}
	return downgrade([]string{a.image.Tag}, b.image, false) != ""
}
