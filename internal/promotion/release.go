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
	// Tag reads a tag's commit and, when annotated, its message
	// (GET /repos/{o}/{r}/git/ref/tags/{tag}, /git/tags/{sha}).
	Tag(ctx context.Context, repo, tag string) (*githost.Tag, error)
	// CreateRelease creates a release (POST /repos/{o}/{r}/releases).
	CreateRelease(ctx context.Context, repo string, n githost.NewRelease) (*githost.Release, error)
	// ReleaseByTag reads a release (GET /repos/{o}/{r}/releases/tags/{tag}).
	ReleaseByTag(ctx context.Context, repo, tag string) (*githost.Release, error)
}

// ClosedGitHub is what releasing a merged pull request after the fact
// needs (its closed event, a re-run, the sweep): the merge path's reads,
// to recompute approvals from evidence, and the merge commit's record.
type ClosedGitHub interface {
	MergeGitHub
	// Commit reads a Git commit (GET /repos/{o}/{r}/git/commits/{sha}).
	Commit(ctx context.Context, repo, sha string) (*githost.Commit, error)
}

// ReleaseRequest asks to tag and release a merged Baton pull request.
type ReleaseRequest struct {
	Repo   string
	Policy *policy.Policy
	PR     *githost.PR // merged, with MergedAt and MergeSHA
	// Record is the promotion's trailers. Its Baton-Approved-By names
	// only approvals Baton verified (the approval count), never a merge
	// message's or a pull request body's names.
	Record Trailers
	// MergedBy is the login of the account that merged (the pull
	// request's merged_by).
	MergedBy string
	// Unverified says why Baton could not verify the merged content
	// ("" when it did, or merged it itself); the notes say so.
	Unverified string
	// Self is Baton's identity: a release that exists already counts as
	// this merge's release only when Baton's identity (by user id) made
	// it. Anyone with write access can release any tag with any notes.
	// With no id, no existing release counts.
	Self githost.Identity
}

// maxTagNames bounds the names a release tries: the template's name,
// then -pr<N>, -pr<N>-2 … -pr<N>-5. Names taken by other commits (or
// taken in advance by someone) move on to the next one, so a merged
// deployment is released unless all of them are taken.
const maxTagNames = 6

// tagNames are the names a release tries, in order.
func tagNames(name string, pr int) []string {
	out := []string{name, fmt.Sprintf("%s-pr%d", name, pr)}
	for i := 2; len(out) < maxTagNames; i++ {
		out = append(out, fmt.Sprintf("%s-pr%d-%d", name, pr, i))
	}
	return out
}

// releaseName is the tag name the policy's template gives a merge.
func releaseName(pol *policy.Policy, pr *githost.PR, record Trailers) (string, error) {
	env, app, _ := ParseBranch(pr.Head)
	want, _ := image.Parse(record[TrailerImage])
	name, err := pol.RenderReleaseTag(policy.ReleaseData{Merged: pr.MergedAt, Env: env, App: app, Tag: want.Tag, PR: pr.Number})
	if err != nil {
		return "", &ConfigError{Err: fmt.Errorf("release.tag: %w", err)}
	}
	return name, nil
}

// Release tags the merge commit with an annotated tag named from the
// policy's template and merged_at (never the clock), and creates a GitHub
// release with structured notes. It is idempotent: the inline path after
// Baton's merge, the pull_request closed path, a re-run and the sweep all
// run it, and answers lost after the change happened are found again:
//   - a tag of the name on the merge commit whose message is Baton's
//     record of this pull request is Baton's tag: the release follows;
//   - a tag of the name on the merge commit that someone else made proves
//     nothing; an existing release of it by Baton's identity does,
//     otherwise the next name;
//   - a tag of the name on another commit: the next name (-pr<N>, …);
//   - a release of the tag that exists already is the release when
//     Baton's identity made it; one someone else made (its notes are
//     theirs: approvers, image) takes the name, and the next one is tried.
//
// Every name taken is an error naming them all.
func Release(ctx context.Context, gh ReleaseGitHub, req ReleaseRequest) (*githost.Release, error) {
	pr := req.PR
	if !pr.Merged || pr.MergeSHA == "" {
		return nil, fmt.Errorf("pull request #%d is not merged", pr.Number)
	}
	name, err := releaseName(req.Policy, pr, req.Record)
	if err != nil {
		return nil, err
	}
	env, app, _ := ParseBranch(pr.Head)
	want, _ := image.Parse(req.Record[TrailerImage])
	title := fmt.Sprintf("%s %s → %s", app, want.Version(), env)
	message := tagMessage(title, req)
	var taken []string
	for _, candidate := range tagNames(name, pr.Number) {
		err := gh.CreateTag(ctx, req.Repo, candidate, message, pr.MergeSHA)
		if errors.Is(err, githost.ErrExists) {
			t, terr := gh.Tag(ctx, req.Repo, candidate)
			if terr != nil {
				return nil, fmt.Errorf("tag %s exists: %w", candidate, terr)
			}
			if t.Commit != pr.MergeSHA {
				taken = append(taken, fmt.Sprintf("%s (on %s)", candidate, short(t.Commit)))
				continue // the name belongs to another deployment
			}
			if !isBatonTag(t, req, message) {
				// Anyone with write access can tag the merge commit;
				// only a release of the tag shows the deployment released.
				rel, rerr := gh.ReleaseByTag(ctx, req.Repo, candidate)
				switch {
				case rerr == nil && releasedByBaton(rel, req.Self):
					return rel, nil
				case rerr == nil:
					taken = append(taken, fmt.Sprintf("%s (a tag on %s and a release by @%s, neither made by Baton)", candidate, short(t.Commit), rel.Author.Login))
				case errors.Is(rerr, githost.ErrNotFound):
					taken = append(taken, fmt.Sprintf("%s (a tag on %s that Baton did not make)", candidate, short(t.Commit)))
				default:
					return nil, rerr
				}
				continue
			}
		} else if err != nil {
			return nil, err
		}
		rel, err := gh.CreateRelease(ctx, req.Repo, githost.NewRelease{
			Tag: candidate, Target: pr.MergeSHA, Name: title, Body: releaseNotes(req, candidate), Latest: req.Policy.IsLast(env) && req.Unverified == "",
		})
		if errors.Is(err, githost.ErrExists) {
			rel, err := gh.ReleaseByTag(ctx, req.Repo, candidate)
			if err != nil {
				return nil, err
			}
			if releasedByBaton(rel, req.Self) {
				return rel, nil
			}
			taken = append(taken, fmt.Sprintf("%s (a release by @%s, not by Baton)", candidate, rel.Author.Login))
			continue
		}
		return rel, err
	}
	return nil, fmt.Errorf("merged as %s but not released: every tag name Baton tries is taken: %s; delete the tags that are not deployments (or change release.tag) and run Baton again",
		short(pr.MergeSHA), strings.Join(taken, ", "))
}

// isBatonTag reports whether a tag is Baton's record of this merge: an
// annotated tag whose trailers are exactly those tagMessage writes for
// it. Anyone with write access can make an annotated tag with any
// message (the tagger is whatever the request says), so a tag whose
// record differs in anything — approvers, who merged, the source — is
// not adopted: its notes would not be the record Baton verified.
func isBatonTag(t *githost.Tag, req ReleaseRequest, message string) bool {
	if !t.Annotated {
		return false
	}
	got, want := ParseTrailers(t.Message), ParseTrailers(message)
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return got[TrailerPR] == fmt.Sprintf("#%d", req.PR.Number)
}

// releasedByBaton reports whether Baton's identity (by user id) made a
// release; with no known id, nothing counts as Baton's.
func releasedByBaton(rel *githost.Release, self githost.Identity) bool {
	return self.User.ID != 0 && rel.Author.ID == self.User.ID
}

// tagMessage is the annotated tag's message: the title and the record,
// with the pull request and who merged it.
func tagMessage(title string, req ReleaseRequest) string {
	return req.Record.with(TrailerSince, "", TrailerPR, fmt.Sprintf("#%d", req.PR.Number), TrailerMergedBy, req.MergedBy).Message(title)
}

// releaseNotes are the release's body. Every value comes from Baton's
// verified record or GitHub's objects; approvers are only those Baton
// verified, never names from a merge message or the pull request body.
// For content Baton could not verify the notes say so, and leave out the
// record's source, run link and actor: its pusher wrote them.
func releaseNotes(req ReleaseRequest, tag string) string {
	r := req.Record
	env, app, _ := ParseBranch(req.PR.Head)
	want, _ := image.Parse(r[TrailerImage])
	var b strings.Builder
	fmt.Fprintf(&b, "Deployed %s %s to %s.\n\n| | |\n|---|---|\n", code(app), code(want.Version()), code(env))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, cell(v))
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
	// Unverified content's record is whatever its pusher wrote: its
	// links and people are not shown (they would read as Baton's word).
	if src := r[TrailerSource]; src != "" && req.Unverified == "" {
		row("Source", code(src))
	}
	row("Pull request", fmt.Sprintf("[#%d](%s)", req.PR.Number, req.PR.URL))
	if a := r[TrailerApprovedBy]; a != "" {
		row("Approved by", mentions(strings.Split(a, ", ")))
	} else {
		row("Approved by", "no approval verified by Baton")
	}
	if req.Unverified != "" {
		row("Content", "not verified by Baton: "+req.Unverified)
	}
	if req.MergedBy != "" {
		row("Merged by", mentions([]string{req.MergedBy}))
	}
	row("Merged at", req.PR.MergedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	if run := r[TrailerRun]; req.Unverified == "" && linkable(run) {
		by := mentions([]string{r[TrailerActor]})
		if r[TrailerActorVerified] == "no" {
			by += " (not verified: no workflow run vouched for it)"
		}
		row("Build", fmt.Sprintf("[run](%s) by %s", run, by))
	}
	row("Tag", code(tag))
	return b.String()
}
