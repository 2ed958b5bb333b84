package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
)

// ReconcileGitHub is what the sweep needs: the release path (with Baton's
// identity), the recently closed pull requests and the recent releases.
type ReconcileGitHub interface {
	ClosedGitHub
	// RecentlyClosedPRs lists closed pull requests, the most recently
	// updated first, one page
	// (GET /repos/{o}/{r}/pulls?state=closed&sort=updated&direction=desc).
	RecentlyClosedPRs(ctx context.Context, repo string, limit int) ([]*githost.PR, error)
	// RecentReleases lists releases, newest first, one page (GET /repos/{o}/{r}/releases).
	RecentReleases(ctx context.Context, repo string, limit int) ([]githost.Release, error)
}

// The sweep's bounds: it looks at this many recently closed pull
// requests, merged at most sweepAge before the newest of them, against
// this many releases: one page, one request each.
const (
	sweepPRs      = 20
	sweepReleases = 100
	sweepAge      = 30 * 24 * time.Hour
)

// Reconcile finishes what failed runs left: every recently merged Baton
// promotion that has no release of its merge commit is released (an
// earlier run merged it and then ran out of retries on the release, or a
// GITHUB_TOKEN merge started no pull_request workflow). It runs on
// schedule and workflow_dispatch, and after the other config-repository
// events. It returns one Result per release it finished; errors of
// several pull requests are joined.
func Reconcile(ctx context.Context, gh ReconcileGitHub, loadPolicy PolicyFunc, repo string) ([]*Result, error) {
	me, err := gh.Self(ctx)
	if err != nil {
		return nil, fmt.Errorf("finish earlier merges: Baton must know its own identity to recognise its pull requests: %w", err)
	}
	closed, err := gh.RecentlyClosedPRs(ctx, repo, sweepPRs)
	if err != nil {
		return nil, err
	}
	// The age bound is relative to the newest merge listed, not to the
	// clock: what counts is that newer work has happened since.
	var newest time.Time
	for _, pr := range closed {
		if pr.MergedAt.After(newest) {
			newest = pr.MergedAt
		}
	}
	var todo []*githost.PR
	for _, pr := range closed {
		if pr.Merged && pr.MergeSHA != "" && notBatonPR(pr, me, repo) == "" && newest.Sub(pr.MergedAt) < sweepAge {
			todo = append(todo, pr)
		}
	}
	if len(todo) == 0 {
		return nil, nil
	}
	rels, err := gh.RecentReleases(ctx, repo, sweepReleases)
	if err != nil {
		return nil, err
	}
	released := map[string]bool{}
	for _, r := range rels {
		released[r.Target] = true
	}
	var pol *policy.Policy
	var out []*Result
	var errs []error
	for _, pr := range todo {
		if released[pr.MergeSHA] {
			continue
		}
		if pol == nil {
			if pol, err = loadPolicy(ctx); err != nil {
				return nil, err
			}
		}
		rel, err := finishRelease(ctx, gh, pol, repo, pr, me)
		if err != nil {
			errs = append(errs, fmt.Errorf("release the merge of #%d: %w", pr.Number, err))
			continue
		}
		out = append(out, &Result{Merged: true, MergeSHA: pr.MergeSHA, Release: rel, PR: pr})
	}
	return out, errors.Join(errs...)
}

// ClosedEvent is a pull_request event with action closed.
type ClosedEvent struct {
	Repo   string
	PR     *githost.PR // from the payload: merged, merged_at, merge_commit_sha, merged_by
	Action string
}

// HandleClosed releases a merged Baton pull request, whoever merged it;
// other pull requests and closes without merge are ignored. Only a pull
// request Baton opened, into the default branch, is a deployment
// (notBatonPR); the pull request is read again from the API for the ids
// the payload parsing does not keep.
func HandleClosed(ctx context.Context, gh ClosedGitHub, loadPolicy PolicyFunc, ev ClosedEvent) (*Result, error) {
	switch {
	case ev.Action != "closed":
		return &Result{Ignored: "pull request " + ev.Action + ", not closed"}, nil
	case !IsBatonPR(ev.PR):
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not a Baton promotion", ev.PR.Number)}, nil
	case !ev.PR.Merged:
		return &Result{Ignored: fmt.Sprintf("pull request #%d was closed without merging", ev.PR.Number)}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.PR.Number)
	if err != nil {
		return nil, err
	}
	me, err := gh.Self(ctx)
	if err != nil {
		return nil, fmt.Errorf("learn Baton's own identity: %w", err)
	}
	if why := notBatonPR(pr, me, ev.Repo); why != "" {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not released: %s", pr.Number, why)}, nil
	}
	pol, err := loadPolicy(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := finishRelease(ctx, gh, pol, ev.Repo, pr, me)
	if err != nil {
		return nil, err
	}
	return &Result{Merged: true, MergeSHA: pr.MergeSHA, Release: rel, PR: pr}, nil
}

// finishRelease releases a merged Baton pull request after the fact. When
// Baton merged it (merged_by is Baton's id), its merge commit's message
// is Baton's record, approvers included, written from the approval count
// at merge time. When someone else merged it, the merge message is theirs
// and proves nothing: Baton verifies the head against the base as it was
// before the merge (the merge commit's first parent) and recounts the
// approvals from the same evidence a merge would use.
func finishRelease(ctx context.Context, gh ClosedGitHub, pol *policy.Policy, repo string, pr *githost.PR, self githost.Identity) (*githost.Release, error) {
	merge, err := gh.Commit(ctx, repo, pr.MergeSHA)
	if err != nil {
		return nil, err
	}
	req := ReleaseRequest{Repo: repo, Policy: pol, PR: pr, MergedBy: pr.MergedByUser.Login}
	if req.MergedBy == "" {
		req.MergedBy = pr.MergedBy
	}
	if self.User.ID != 0 && pr.MergedByUser.ID == self.User.ID {
		if record := ParseTrailers(merge.Message); record[TrailerImage] != "" {
			req.Record = record.with(TrailerPR, "", TrailerMergedBy, "")
		}
	}
	if req.Record == nil {
		if req.Record, req.Unverified, err = evidenceRecord(ctx, gh, pol, repo, pr, merge); err != nil {
			return nil, err
		}
	}
	if name, err := releaseName(pol, pr, req.Record); err == nil {
		// Most often the release exists (a second path, a re-run): one
		// read instead of a tag object created for nothing.
		if rel, err := gh.ReleaseByTag(ctx, repo, name); err == nil && rel.Target == pr.MergeSHA {
			return rel, nil
		}
	}
	return Release(ctx, gh, req)
}

// evidenceRecord is the record of a merge someone else made: the head
// verified as Baton's edit of the base as it was before the merge (the
// merge commit's first parent), with the evidence a merge would gather,
// and the approvals counted from it. Content Baton cannot verify is
// released all the same (the merge happened) with its head's trailers,
// no approver, and the reason in the notes.
func evidenceRecord(ctx context.Context, gh ClosedGitHub, pol *policy.Policy, repo string, pr *githost.PR, merge *githost.Commit) (Trailers, string, error) {
	p, err := loadPromotion(ctx, func(context.Context) (*policy.Policy, error) { return pol, nil }, repo, pr)
	if err != nil {
		return nil, "", err
	}
	unverified := func(why string) (Trailers, string, error) {
		head, err := gh.Commit(ctx, repo, pr.HeadSHA)
		if err != nil {
			return nil, "", err
		}
		return ParseTrailers(head.Message).with(TrailerApprovedBy, "", TrailerSince, ""), why, nil
	}
	e, notBaton, why, err := gather(ctx, gh, p)
	if err != nil {
		return nil, "", err
	}
	if notBaton != "" {
		return unverified(notBaton)
	}
	if why != "" {
		return unverified(why)
	}
	before := *p
	basePR := *pr
	if len(merge.Parents) > 0 {
		basePR.Base = merge.Parents[0]
	}
	before.PR = &basePR
	v, why, err := verify(ctx, gh, &before, e)
	if err != nil {
		return nil, "", err
	}
	if why != "" {
		return unverified(why)
	}
	if err := e.bindEra(ctx, gh, repo, v.record); err != nil {
		return nil, "", err
	}
	t, err := countApprovals(ctx, gh, p, v, e, nil)
	if err != nil {
		return nil, "", err
	}
	return v.record.with(TrailerApprovedBy, strings.Join(t.approvers, ", ")), "", nil
}
