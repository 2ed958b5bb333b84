package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
)

// heldRecord is Baton's record of what its branch holds: the trailers of
// a commit on the branch, read only when the commit is provably Baton's
// (commitProvenance, the rule the merge decision uses too). The pull
// request body is never read for it.
type heldRecord struct {
	sha      string
	parent   string
	image    image.Ref
	trailers Trailers
	// commit is the commit as GitHub described it (for proving it later).
	commit *githost.AuthoredCommit
}

// recordOf reads Baton's record from a commit of branch; nil when the
// commit is not provably Baton's or carries no image. log is the
// branch's activity (oldest first): the commit is Baton's only when an
// entry by Baton's identity set the branch to it (and, as an App, GitHub
// signed it with Baton's bot as author).
func recordOf(c *githost.AuthoredCommit, self githost.Identity, branch string, log []githost.Activity) *heldRecord {
	if c == nil {
		return nil
	}
	set, ok := batonSet(log, c.SHA, self)
	if !ok || commitProvenance(self, set, branch, commitFacts{
		SHA: c.SHA, AuthorID: c.Author.ID, CommitterEmail: c.CommitterEmail,
		Verified: c.Verified, VerificationReason: c.VerificationReason,
	}) != "" {
		return nil
	}
	return claimOf(c)
}

// claimOf is what a commit's Baton-* trailers claim, proven or not (nil
// without a readable Baton-Image). It decides nothing by itself: the bump
// reads it only to know whether proving the commit Baton's (recordOf) is
// worth a request — a claim that would not stop the bump is not proved.
func claimOf(c *githost.AuthoredCommit) *heldRecord {
	if c == nil {
		return nil
	}
	t := ParseTrailers(c.Message)
	img, err := image.Parse(t[TrailerImage])
	if err != nil {
		return nil
	}
	h := &heldRecord{sha: c.SHA, image: img, trailers: t, commit: c}
	if len(c.Parents) > 0 {
		h.parent = c.Parents[0]
	}
	return h
}

// batonSet finds the newest entry of log (oldest first) by Baton's
// identity that set the branch to sha.
func batonSet(log []githost.Activity, sha string, self githost.Identity) (githost.Activity, bool) {
	for i := len(log) - 1; i >= 0; i-- {
		if log[i].After == sha && self.User.ID != 0 && log[i].Actor.ID == self.User.ID {
			return log[i], true
		}
	}
	return githost.Activity{}, false
}

// maxProofEntries bounds how far back the bump reads a branch's activity
// log for the entry that proves Baton put a commit there (one page).
const maxProofEntries = 100

// proofLog reads the newest part of branch's activity log, until an
// entry by Baton's identity that set the branch to sha (or
// maxProofEntries entries). Without an activity API (404, an older GitHub
// Enterprise Server) it is empty: then nothing on the branch is provably
// Baton's.
func proofLog(ctx context.Context, gh BumpGitHub, repo, branch, sha string, self githost.Identity) ([]githost.Activity, error) {
	log, err := gh.RecentActivity(ctx, repo, "refs/heads/"+branch, func(newestFirst []githost.Activity) bool {
		if len(newestFirst) >= maxProofEntries {
			return true
		}
		_, ok := batonSet(newestFirst, sha, self)
		return ok
	})
	if errors.Is(err, githost.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read who pushed %s to %s: %w", short(sha), branch, err)
	}
	return log, nil
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
		Files: files, Source: t[TrailerSource], Run: t[TrailerRun],
		Actor: buildActor{login: t[TrailerActor], verified: t[TrailerActorVerified] != "no"}.display(),
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
