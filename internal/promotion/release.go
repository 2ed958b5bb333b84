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

// ReleaseGitHub is what a release needs: the annotated tag and the GitHub
// release, each looked up when it exists already.
type ReleaseGitHub interface {
	// CreateTag creates an annotated tag and its ref (POST /repos/{o}/{r}/git/tags, /git/refs).
	CreateTag(ctx context.Context, repo, tag, message, sha string) error
	// TagCommit is the commit a tag points at (GET /repos/{o}/{r}/git/ref/tags/{tag}).
	TagCommit(ctx context.Context, repo, tag string) (string, error)
	// CreateRelease creates a release (POST /repos/{o}/{r}/releases).
	CreateRelease(ctx context.Context, repo string, n githost.NewRelease) (*githost.Release, error)
	// ReleaseByTag reads a release (GET /repos/{o}/{r}/releases/tags/{tag}).
	ReleaseByTag(ctx context.Context, repo, tag string) (*githost.Release, error)
}

// ClosedGitHub is what releasing a merged pull request from its closed
// event needs: the release, and the head and merge commits' records.
type ClosedGitHub interface {
	ReleaseGitHub
	// PR reads a pull request (GET /repos/{o}/{r}/pulls/{n}): the
	// payload's copy lacks the ids the recognition needs.
	PR(ctx context.Context, repo string, number int) (*githost.PR, error)
	// Self is who Baton acts as (GET /user, GET /users/{slug}[bot]).
	Self(ctx context.Context) (githost.Identity, error)
	// Commit reads a Git commit (GET /repos/{o}/{r}/git/commits/{sha}).
	Commit(ctx context.Context, repo, sha string) (*githost.Commit, error)
}

// ReleaseRequest asks to tag and release a merged Baton pull request.
type ReleaseRequest struct {
	Repo     string
	Policy   *policy.Policy
	PR       *githost.PR // merged, with MergedAt and MergeSHA
	Record   Trailers    // the promotion's trailers
	MergedBy string
}

// Release tags the merge commit with an annotated tag named from the
// policy's template and merged_at (never the clock), and creates a GitHub
// release with structured notes. It is idempotent: the inline path after
// Baton's merge and the pull_request closed path both run it, and an
// existing tag on the same commit, or an existing release of it, is
// success. A tag of that name on another commit makes the name -pr<N>.
func Release(ctx context.Context, gh ReleaseGitHub, req ReleaseRequest) (*githost.Release, error) {
	pr := req.PR
	if !pr.Merged || pr.MergeSHA == "" {
		return nil, fmt.Errorf("pull request #%d is not merged", pr.Number)
	}
	env, app, _ := ParseBranch(pr.Head)
	want, _ := image.Parse(req.Record[TrailerImage])
	name, err := req.Policy.RenderReleaseTag(policy.ReleaseData{Merged: pr.MergedAt, Env: env, App: app, Tag: want.Tag, PR: pr.Number})
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("release.tag: %w", err)}
	}
	title := fmt.Sprintf("%s %s → %s", app, want.Version(), env)
	message := tagMessage(title, req)
	for _, candidate := range []string{name, fmt.Sprintf("%s-pr%d", name, pr.Number)} {
		err := gh.CreateTag(ctx, req.Repo, candidate, message, pr.MergeSHA)
		if errors.Is(err, githost.ErrExists) {
			at, terr := gh.TagCommit(ctx, req.Repo, candidate)
			if terr != nil {
				return nil, terr
			}
			if at != pr.MergeSHA {
				continue // the name belongs to another deployment
			}
		} else if err != nil {
			return nil, err
		}
		rel, err := gh.CreateRelease(ctx, req.Repo, githost.NewRelease{
			Tag: candidate, Target: pr.MergeSHA, Name: title, Body: releaseNotes(req, candidate), Latest: req.Policy.IsLast(env),
		})
		if errors.Is(err, githost.ErrExists) {
			return gh.ReleaseByTag(ctx, req.Repo, candidate)
		}
		return rel, err
	}
	return nil, fmt.Errorf("tags %s and %s-pr%d both exist on other commits", name, name, pr.Number)
}

// tagMessage is the annotated tag's message: the title and the record,
// with the pull request and who merged it.
func tagMessage(title string, req ReleaseRequest) string {
	return req.Record.with(TrailerSince, "", TrailerPR, fmt.Sprintf("#%d", req.PR.Number), TrailerMergedBy, req.MergedBy).Message(title)
}

func releaseNotes(req ReleaseRequest, tag string) string {
	r := req.Record
	env, app, _ := ParseBranch(req.PR.Head)
	want, _ := image.Parse(r[TrailerImage])
	var b strings.Builder
	fmt.Fprintf(&b, "Deployed %s %s to %s.\n\n| | |\n|---|---|\n", app, code(want.Version()), env)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, v)
		}
	}
	row("App", app)
	row("Environment", env)
	if from := r[TrailerFrom]; from != "" {
		row("From", code(from))
	}
	row("To", code(want.Version()))
	row("Image", code(want.String()))
	if want.Digest != "" {
		row("Digest", code(want.Digest))
	}
	if src := r[TrailerSource]; src != "" {
		row("Source", code(src))
	}
	row("Pull request", fmt.Sprintf("[#%d](%s)", req.PR.Number, req.PR.URL))
	if a := r[TrailerApprovedBy]; a != "" {
		row("Approved by", "@"+strings.Join(strings.Split(a, ", "), ", @"))
	} else {
		row("Approved by", "— (merged without a Baton approval record)")
	}
	if req.MergedBy != "" {
		row("Merged by", "@"+req.MergedBy)
	}
	row("Merged at", req.PR.MergedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	if run := r[TrailerRun]; run != "" {
		row("Build", fmt.Sprintf("[run](%s) by @%s", run, r[TrailerActor]))
	}
	row("Tag", code(tag))
	return b.String()
}

// ClosedEvent is a pull_request event with action closed.
type ClosedEvent struct {
	Repo   string
	PR     *githost.PR // from the payload: merged, merged_at, merge_commit_sha, merged_by
	Action string
}

// HandleClosed releases a merged Baton pull request, whoever merged it;
// other pull requests and closes without merge are ignored.
func HandleClosed(ctx context.Context, gh ClosedGitHub, loadPolicy PolicyFunc, ev ClosedEvent) (*Result, error) {
	pr := ev.PR
	switch {
	case ev.Action != "closed":
		return &Result{Ignored: "pull request " + ev.Action + ", not closed"}, nil
	case !IsBatonPR(pr):
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not a Baton promotion", pr.Number)}, nil
	case !pr.Merged:
		return &Result{Ignored: fmt.Sprintf("pull request #%d was closed without merging", pr.Number)}, nil
	}
	// Only Baton's own pull request, merged into the default branch, is a
	// release (trust model: a Baton PR at release, evidence.go).
	if now, err := gh.PR(ctx, ev.Repo, pr.Number); err != nil {
		return nil, err
	} else if self, err := gh.Self(ctx); err != nil {
		return nil, err
	} else if why := notBatonPR(now, self, ev.Repo); why != "" {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not released: %s", pr.Number, why)}, nil
	}
	pol, err := loadPolicy(ctx)
	if err != nil {
		return nil, err
	}
	head, err := gh.Commit(ctx, ev.Repo, pr.HeadSHA)
	if err != nil {
		return nil, err
	}
	record := ParseTrailers(head.Message)
	if merge, err := gh.Commit(ctx, ev.Repo, pr.MergeSHA); err == nil {
		if a := ParseTrailers(merge.Message)[TrailerApprovedBy]; a != "" {
			record[TrailerApprovedBy] = a
		}
	}
	rel, err := Release(ctx, gh, ReleaseRequest{Repo: ev.Repo, Policy: pol, PR: pr, Record: record, MergedBy: pr.MergedBy})
	if err != nil {
		return nil, err
	}
	return &Result{Merged: true, MergeSHA: pr.MergeSHA, Release: rel, PR: pr}, nil
}
