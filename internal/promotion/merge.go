package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
)

// MergeGitHub is what the merge path needs: verification and the rebuild
// of a stale branch, approvals, checks, the merge itself, the reply, and
// the release that follows.
type MergeGitHub interface {
	rebuildGitHub
	evidenceGitHub
	ReleaseGitHub
	// PR reads a pull request (GET /repos/{o}/{r}/pulls/{n}).
	PR(ctx context.Context, repo string, number int) (*githost.PR, error)
	// MergeablePR reads a pull request until GitHub has computed its
	// mergeability (GET /repos/{o}/{r}/pulls/{n}, polled).
	MergeablePR(ctx context.Context, repo string, number int) (*githost.PR, error)
	// Checks sums up a commit's statuses and check runs
	// (GET /repos/{o}/{r}/commits/{sha}/status and /check-runs).
	Checks(ctx context.Context, repo, sha string) (*githost.CheckState, error)
	// Statuses lists a commit's statuses with their creators
	// (GET /repos/{o}/{r}/commits/{sha}/statuses).
	Statuses(ctx context.Context, repo, sha string) ([]githost.Status, error)
	// CheckRuns lists a commit's check runs with their Apps
	// (GET /repos/{o}/{r}/commits/{sha}/check-runs).
	CheckRuns(ctx context.Context, repo, sha string) ([]githost.CheckRun, error)
	// AddLabels adds labels (POST /repos/{o}/{r}/issues/{n}/labels).
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	// RemoveLabel removes a label (DELETE /repos/{o}/{r}/issues/{n}/labels/{name}).
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
	// Merge merges at sha (PUT /repos/{o}/{r}/pulls/{n}/merge).
	Merge(ctx context.Context, repo string, number int, sha, method, title, message string) (string, error)
	// OpenPRsForSHA lists the open pull requests whose head is sha
	// (GET /repos/{o}/{r}/commits/{sha}/pulls).
	OpenPRsForSHA(ctx context.Context, repo, sha string) ([]*githost.PR, error)
	// Comment posts a comment (POST /repos/{o}/{r}/issues/{n}/comments).
	Comment(ctx context.Context, repo string, number int, body string) (int64, error)
}

// MergeEvent asks Baton to merge the open promotions whose head is sha
// (check_suite, check_run, status events), or one pull request.
type MergeEvent struct {
	Repo   string
	SHA    string
	Number int
}

// HandleChecks tries to merge the Baton pull requests a finished check
// belongs to.
func HandleChecks(ctx context.Context, gh MergeGitHub, loadPolicy PolicyFunc, ev MergeEvent) ([]*Result, error) {
	var prs []*githost.PR
	if ev.Number != 0 {
		pr, err := gh.PR(ctx, ev.Repo, ev.Number)
		if err != nil {
			return nil, err
		}
		prs = append(prs, pr)
	} else {
		var err error
		if prs, err = gh.OpenPRsForSHA(ctx, ev.Repo, ev.SHA); err != nil {
			return nil, err
		}
	}
	var out []*Result
	for _, pr := range prs {
		if !IsBatonPR(pr) || pr.State != "open" {
			continue
		}
		p, err := loadPromotion(ctx, loadPolicy, ev.Repo, pr)
		if err != nil {
			return nil, err
		}
		res, err := tryMerge(ctx, gh, p, nil)
		if err != nil {
			return nil, err
		}
		// Untrusted text (logins, file names) stays in code spans: no
		// @mention or markdown renders from it.
		res.Reply = quiet(res.Reply)
		if res.Waiting == "not Baton's" {
			// Say it once, not on every check of the pull request.
			if said, err := saidBefore(ctx, gh, ev.Repo, pr.Number, res.Reply); err != nil {
				return nil, err
			} else if !said {
				if _, err := gh.Comment(ctx, ev.Repo, pr.Number, res.Reply); err != nil {
					return nil, err
				}
			}
		}
		if res.Merged || res.Waiting == "rebuild" {
			// Say what Baton did; a rebuild's reply also marks the new head.
			if _, err := gh.Comment(ctx, ev.Repo, pr.Number, res.Reply); err != nil {
				return nil, err
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// mergeRounds bounds how many times one event tries to merge a pull
// request that GitHub refused as not mergeable (405) because its base
// moved meanwhile.
const mergeRounds = 3

// tryMerge merges a verified, approved, unheld, green pull request and
// releases it. ev is the approval that triggered the attempt, if any.
//
// When GitHub refuses the merge as not mergeable (405) — typically
// because another merge changed the base under this pull request between
// Baton's checks and its PUT — no further event may come for it (its
// checks already passed), so the attempt converges here: it waits for
// GitHub's new mergeability and decides again from the start on the new
// base. Verification then sees the base moved, and when the move touched
// the promotion's files Baton rebuilds its edit on it (rebuildIfStale;
// the same change keeps its approvals); otherwise the merge is tried
// again. After mergeRounds refusals, or when nothing moved and GitHub
// still refuses, the reply says so.
func tryMerge(ctx context.Context, gh MergeGitHub, p *Promotion, ev *approval) (*Result, error) {
	for round := 1; ; round++ {
		res, err := tryMergeOnce(ctx, gh, p, ev)
		if err != nil || res.Waiting != "not mergeable" {
			return res, err
		}
		now, err := gh.MergeablePR(ctx, p.Repo, p.PR.Number)
		if err != nil {
			return nil, err
		}
		moved := now.BaseSHA != p.PR.BaseSHA || now.HeadSHA != p.PR.HeadSHA
		switch {
		case now.State != "open":
			res.Reply += fmt.Sprintf(" The pull request is %s now.", now.State)
			return res, nil
		case !moved && now.Mergeable != nil:
			// GitHub refuses for a reason a new attempt does not change.
			return res, nil
		case round == mergeRounds:
			res.Reply += fmt.Sprintf(" GitHub refused %d merges in a row while %s kept moving; the next event or `/approve` tries again.", mergeRounds, code(p.PR.Base))
			return res, nil
		}
		p.PR = now
	}
}

// tryMergeOnce decides once, from the evidence, and merges when it can.
// Every decision reads the evidence (evidence.go) and what verify proved;
// labels are set to mirror the state, never read for it.
func tryMergeOnce(ctx context.Context, gh MergeGitHub, p *Promotion, ev *approval) (*Result, error) {
	res := &Result{PR: p.PR}
	e, notBaton, why, err := gather(ctx, gh, p)
	if err != nil {
		return nil, err
	}
	if notBaton != "" {
		res.Waiting = "not Baton's"
		res.Reply = fmt.Sprintf("Baton does nothing with pull request #%d: %s.", p.PR.Number, notBaton)
		return res, nil
	}
	if why != "" {
		res.Waiting = "verification"
		res.Reply = "Not merging: " + why + "."
		return res, nil
	}
	v, why, err := verify(ctx, gh, p, e)
	if err != nil {
		return nil, err
	}
	if why != "" {
		res.Waiting = "verification"
		res.Reply = "Not merging: " + why + ". Run the bump again to rebuild the branch, or `/cancel`."
		return res, nil
	}
	if err := e.bindEra(ctx, gh, p.Repo, v.record); err != nil {
		return nil, err
	}
	var t *tally
	if p.Env.Merge == policy.MergeApproval || ev != nil {
		if t, err = countApprovals(ctx, gh, p, v, e, ev); err != nil {
			return nil, err
		}
	}
	if v.diverged {
		rebuilt, reply, err := rebuildIfStale(ctx, gh, p, v)
		if err != nil {
			return nil, err
		}
		if rebuilt {
			res.Waiting = "rebuild"
			res.Reply = t.note(ev) + reply
			return res, nil
		}
	}
	holder, err := e.held(ctx, gh, p)
	if err != nil {
		return nil, err
	}
	changes, err := e.changesRequested(ctx, gh, p)
	if err != nil {
		return nil, err
	}
	if err := mirrorLabels(ctx, gh, p, holder != "", len(changes) > 0); err != nil {
		return nil, err
	}
	if holder != "" {
		res.Waiting = "hold"
		res.Reply = t.note(ev) + fmt.Sprintf("Not merging: held by @%s (`/unhold` by someone with write access releases it).", holder)
		return res, nil
	}
	if len(changes) > 0 {
		res.Waiting = "changes requested"
		res.Reply = t.note(ev) + fmt.Sprintf("Not merging: changes were requested in a review by @%s; Baton merges once they approve or the review is dismissed.", strings.Join(changes, ", @"))
		return res, nil
	}
	var approvers []string
	if p.Env.Merge == policy.MergeApproval {
		approvers = t.approvers
		if len(approvers) < t.needed {
			res.Waiting = "approvals"
			res.Reply = fmt.Sprintf("%sApprovals: %d of %d%s.%s%s", t.note(ev), len(approvers), t.needed, listed(approvers), t.neededWhy, strings.Join(t.notes, ""))
			return res, nil
		}
	}
	if wait, err := checksWait(ctx, gh, p); err != nil {
		return nil, err
	} else if wait != "" {
		res.Waiting = "checks"
		res.Reply = t.note(ev) + "Waiting: " + wait + ". Baton merges when they pass."
		return res, nil
	}
	return mergeAndRelease(ctx, gh, p, v, approvers, t.note(ev))
}

// mirrorLabels makes the hold and changes-requested labels show the
// state the evidence gives; a label someone added or removed by hand is
// put back.
func mirrorLabels(ctx context.Context, gh MergeGitHub, p *Promotion, held, changes bool) error {
	for _, l := range []struct {
		name string
		on   bool
	}{{LabelHold, held}, {LabelChanges, changes}} {
		switch has := hasLabel(p.PR, l.name); {
		case l.on && !has:
			if err := gh.AddLabels(ctx, p.Repo, p.PR.Number, []string{l.name}); err != nil {
				return err
			}
		case !l.on && has:
			if err := gh.RemoveLabel(ctx, p.Repo, p.PR.Number, l.name); err != nil && !errors.Is(err, githost.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// checksWait says what checks the merge waits for ("" when none). With
// checks: listed in the policy those must pass; otherwise GitHub's
// mergeable state must be clean (all checks passed, no conflict).
func checksWait(ctx context.Context, gh MergeGitHub, p *Promotion) (string, error) {
	if len(p.Env.Checks) > 0 {
		return requiredChecksWait(ctx, gh, p)
	}
	pr := p.PR
	if pr.Mergeable == nil {
		// GitHub computes mergeability in the background after a change.
		var err error
		if pr, err = gh.MergeablePR(ctx, p.Repo, pr.Number); err != nil {
			return "", err
		}
	}
	switch {
	case pr.Mergeable == nil:
		return "GitHub has not computed whether the pull request can merge", nil
	case !*pr.Mergeable:
		return "the pull request conflicts with " + pr.Base + " (run the bump again to rebuild it)", nil
	case pr.MergeableState == "clean" || pr.MergeableState == "has_hooks":
		return "", nil
	case pr.MergeableState == "blocked":
		return "branch protection blocks the merge (required reviews or checks)", nil
	case pr.MergeableState == "behind":
		return pr.Base + " moved and branch protection wants the branch up to date (run the bump again to rebuild it)", nil
	case pr.MergeableState == "draft":
		return "the pull request is a draft", nil
	}
	// unstable: some check failed or is pending; say which.
	st, err := gh.Checks(ctx, p.Repo, pr.HeadSHA)
	if err != nil {
		return "", err
	}
	var waits []string
	for _, n := range st.Failing {
		waits = append(waits, "check "+n+" failed")
	}
	for _, n := range st.Pending {
		waits = append(waits, "check "+n+" is pending")
	}
	if len(waits) == 0 {
		return "GitHub reports the pull request as " + pr.MergeableState, nil
	}
	return strings.Join(waits, ", "), nil
}

// mergeAndRelease merges at the verified head and releases.
func mergeAndRelease(ctx context.Context, gh MergeGitHub, p *Promotion, v *verified, approvers []string, note string) (*Result, error) {
	res := &Result{PR: p.PR}
	title := fmt.Sprintf("chore(%s): bump %s to %s (#%d)", p.Env.Name, p.App, v.image.Version(), p.PR.Number)
	record := v.record.with(TrailerSince, "", TrailerApprovedBy, strings.Join(approvers, ", "))
	message := record.with(TrailerPR, fmt.Sprintf("#%d", p.PR.Number)).Message("")
	sha, err := gh.Merge(ctx, p.Repo, p.PR.Number, p.PR.HeadSHA, p.Policy.MergeMethod, title, message)
	var merged *githost.PR // read once: merged_at names the release
	if err != nil {
		// A lost answer can hide a merge that happened: ask before saying no.
		if now, rerr := gh.PR(ctx, p.Repo, p.PR.Number); rerr == nil && now.Merged && now.MergeSHA != "" {
			sha, err, merged = now.MergeSHA, nil, now
		}
	}
	switch {
	case errors.Is(err, githost.ErrConflict):
		res.Waiting = "head moved"
		res.Reply = note + "Not merged: the branch changed while Baton was merging; it will be verified again on the next event."
		return res, nil
	case errors.Is(err, githost.ErrNotMergeable):
		res.Waiting = "not mergeable"
		res.Reply = note + "Not merged: GitHub refused the merge (" + err.Error() + ")."
		return res, nil
	case err != nil:
		return nil, err
	}
	res.Merged, res.MergeSHA = true, sha
	if merged == nil {
		if merged, err = gh.PR(ctx, p.Repo, p.PR.Number); err != nil {
			return nil, fmt.Errorf("merged as %s, but reading the merge time failed: %w", short(sha), err)
		}
	}
	self, err := gh.Self(ctx)
	if err != nil {
		return nil, fmt.Errorf("merged as %s, but learning Baton's own identity for the release failed: %w", short(sha), err)
	}
	if why := notBatonPR(merged, self, p.Repo); why != "" {
		// The merge is pinned to the head, not to the base: someone can
		// retarget the pull request between Baton's checks and its PUT.
		// What merged elsewhere is no deployment of this environment.
		res.Reply = fmt.Sprintf("%sMerged as %s, but not released: %s. Baton checked the base before merging; it changed while Baton merged.", note, short(sha), why)
		return res, nil
	}
	mergedBy := merged.MergedBy
	rel, err := Release(ctx, gh, ReleaseRequest{Repo: p.Repo, Policy: p.Policy, PR: merged, Record: record, MergedBy: mergedBy, Self: self})
	if err != nil {
		return nil, fmt.Errorf("merged as %s, but the release failed: %w", short(sha), err)
	}
	res.Release = rel
	res.Reply = fmt.Sprintf("%sMerged as %s and released as [%s](%s).", note, short(sha), rel.Tag, rel.URL)
	return res, nil
}

// requiredChecksWait says which of the policy's required checks have not
// passed on the head ("" when all have). Each counts only from its
// source: a check run from the named App (GitHub Actions by default), a
// commit status from the named creator. A same-named status that any
// writer can post satisfies nothing.
func requiredChecksWait(ctx context.Context, gh MergeGitHub, p *Promotion) (string, error) {
	var statuses []githost.Status
	var runs []githost.CheckRun
	var err error
	for _, c := range p.Env.Checks {
		if c.IsStatus() && statuses == nil {
			if statuses, err = gh.Statuses(ctx, p.Repo, p.PR.HeadSHA); err != nil {
				return "", err
			}
			statuses = append(statuses, githost.Status{}) // read once, even when empty
		}
		if !c.IsStatus() && runs == nil {
			if runs, err = gh.CheckRuns(ctx, p.Repo, p.PR.HeadSHA); err != nil {
				return "", err
			}
			runs = append(runs, githost.CheckRun{})
		}
	}
	var waits []string
	for _, c := range p.Env.Checks {
		state := "missing"
		if c.IsStatus() {
			var latest *githost.Status
			for i, s := range statuses {
				if s.Context == c.Name && strings.EqualFold(s.Creator.Login, c.Creator) && (latest == nil || s.ID > latest.ID) {
					latest = &statuses[i]
				}
			}
			if latest != nil {
				state = latest.State
			}
		} else {
			var latest *githost.CheckRun
			for i, r := range runs {
				if r.Name == c.Name && r.App.Slug == c.App && (latest == nil || r.ID > latest.ID) {
					latest = &runs[i]
				}
			}
			switch {
			case latest == nil:
			case latest.Status != "completed":
				state = "pending"
			case latest.Conclusion == "success" || latest.Conclusion == "neutral" || latest.Conclusion == "skipped":
				state = "success"
			default:
				state = "failure"
			}
		}
		switch state {
		case "success":
		case "pending":
			waits = append(waits, c.String()+" is pending")
		case "missing":
			waits = append(waits, c.String()+" has not reported (a same-named check from another source does not count)")
		default:
			waits = append(waits, c.String()+" failed")
		}
	}
	return strings.Join(waits, ", "), nil
}

// saidBefore reports whether Baton already posted this reply, unedited,
// on the pull request.
func saidBefore(ctx context.Context, gh evidenceGitHub, repo string, number int, reply string) (bool, error) {
	self, err := gh.Self(ctx)
	if err != nil {
		return false, err
	}
	comments, err := gh.Comments(ctx, repo, number)
	if err != nil {
		return false, err
	}
	for _, c := range comments {
		if c.User.ID == self.User.ID && !edited(c) && c.Body == reply {
			return true, nil
		}
	}
	return false, nil
}
