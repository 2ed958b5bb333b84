package promotion

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
)

// This file is the one place that gathers what GitHub vouches for about a
// promotion pull request, and every merge decision reads only what it
// returns: Baton's own identity (numeric id), the pull request's author,
// head repository and base as the API shows them, the repository activity
// log (who moved the branch, at what server time), comments with their
// server times and edits, and reviews with the commit they were given
// for. Comment text counts only when unedited; commit authors, e-mails,
// dates, trailers of commits Baton did not push, labels and the PR body
// decide nothing.

// evidenceGitHub is what gathering evidence reads.
type evidenceGitHub interface {
	authorizeGitHub
	// Self is who Baton acts as, with numeric ids (GET /user, or
	// GET /users/{slug}[bot] for an App).
	Self(ctx context.Context) (githost.Identity, error)
	// RecentActivity is the newest part of a branch's activity log,
	// oldest first: read newest first until enough says the entries read
	// so far (newest first) suffice
	// (GET /repos/{o}/{r}/activity?ref=&direction=desc).
	RecentActivity(ctx context.Context, repo, ref string, enough func(newestFirst []githost.Activity) bool) ([]githost.Activity, error)
	// Comments lists a pull request's issue comments (GET /repos/{o}/{r}/issues/{n}/comments).
	Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error)
	// Reviews lists a pull request's reviews (GET /repos/{o}/{r}/pulls/{n}/reviews).
	Reviews(ctx context.Context, repo string, number int) ([]githost.Review, error)
	// Commit reads a Git commit (GET /repos/{o}/{r}/git/commits/{sha}).
	Commit(ctx context.Context, repo, sha string) (*githost.Commit, error)
}

// evidence is what GitHub vouches for about one Baton pull request.
type evidence struct {
	self githost.Identity
	pr   *githost.PR
	// log is the head branch's activity, oldest first; log[len-1] set the
	// current head.
	log []githost.Activity
	// era is the index in log of the entry whose head the approvals of
	// the current content may bind to: the entry that set the current
	// head, or an earlier one when the head is Baton's rebuild of that
	// head with the same change (see bindEra).
	era int
	// heads are the commits an approving review may name: the current
	// head and the heads it rebuilt with the same change.
	heads    []string
	comments []githost.Comment
	reviews  []githost.Review
}

// selfID is the numeric id Baton's pull requests, pushes and comments
// carry.
func (e *evidence) selfID() int64 { return e.self.User.ID }

// headMarker is what Baton writes (in a comment of its own) when it sets a
// pull request's head: comments with a greater id came after that head
// was set, which orders approvals made in the same second as a push.
func headMarker(sha string) string { return "<!-- baton:head " + sha + " -->" }

// HeadMarker returns the hidden marker the bump writes into its
// "superseded" comment after it sets the branch to sha (for the bump
// side; see headMarker).
func HeadMarker(sha string) string { return headMarker(sha) }

// notBatonPR says why a pull request is not one Baton opened ("" when it
// is): its author must be Baton's identity (by id), its head
// baton/<env>/<app> in the config repository itself (not a fork), and its
// base the repository's default branch. Labels and branch names alone
// prove nothing: anyone with write access can make them.
func notBatonPR(pr *githost.PR, self githost.Identity, repo string) string {
	_, _, ok := ParseBranch(pr.Head)
	switch {
	case !ok:
		return fmt.Sprintf("its head branch %s is not baton/<environment>/<app>", code(pr.Head))
	case self.User.ID == 0:
		return "Baton could not learn its own user id, so it cannot tell its pull requests from others"
	case pr.User.ID != self.User.ID:
		return fmt.Sprintf("it was opened by @%s, not by Baton (@%s); a branch named baton/… does not make a pull request Baton's", pr.User.Login, self.User.Login)
	case !strings.EqualFold(pr.HeadRepo, repo):
		return fmt.Sprintf("its head is in %s, not in %s", dashIfEmpty(pr.HeadRepo), repo)
	case pr.DefaultBranch == "":
		return "GitHub did not say which branch is the default, so Baton cannot check the base"
	case pr.Base != pr.DefaultBranch:
		return fmt.Sprintf("its base is %s, not the default branch %s (someone retargeted it); Baton merges and releases promotions only into %s", code(pr.Base), code(pr.DefaultBranch), code(pr.DefaultBranch))
	}
	return ""
}

// gather reads the evidence of a pull request: Baton's identity, the
// recognition of the pull request as Baton's, the activity of its head
// branch, its comments and its reviews. why says what is wrong when the
// pull request is not Baton's or its head's history cannot be read.
func gather(ctx context.Context, gh evidenceGitHub, p *Promotion) (e *evidence, notBaton, why string, err error) {
	self, err := gh.Self(ctx)
	if err != nil {
		return nil, "", "", fmt.Errorf("learn Baton's own identity: %w", err)
	}
	if w := notBatonPR(p.PR, self, p.Repo); w != "" {
		return nil, w, "", nil
	}
	e = &evidence{self: self, pr: p.PR}
	if e.log, err = gh.RecentActivity(ctx, p.Repo, "refs/heads/"+p.PR.Head, e.enoughLog); err != nil {
		return nil, "", "", err
	}
	if n := len(e.log); n == 0 || e.log[n-1].After != p.PR.HeadSHA {
		return nil, "", fmt.Sprintf("the repository's activity log does not show how %s got to %s (the branch moved while Baton was reading it, or the log is incomplete)", code(p.PR.Head), short(p.PR.HeadSHA)), nil
	}
	e.era = len(e.log) - 1
	e.heads = []string{p.PR.HeadSHA}
	if e.comments, err = gh.Comments(ctx, p.Repo, p.PR.Number); err != nil {
		return nil, "", "", err
	}
	if e.reviews, err = gh.Reviews(ctx, p.Repo, p.PR.Number); err != nil {
		return nil, "", "", err
	}
	return e, "", "", nil
}

// provenance says why the head commit is not Baton's own ("" when it
// is), by the one rule both sides share (commitProvenance): the entry
// that set the branch to the head is the log's last.
func (e *evidence) provenance(head githost.CommitInfo) string {
	return commitProvenance(e.self, e.log[len(e.log)-1], e.pr.Head, commitFacts{
		SHA: head.SHA, AuthorID: head.AuthorID, CommitterEmail: head.CommitterEmail,
		Verified: head.Verified, VerificationReason: head.VerificationReason,
	})
}

// commitFacts is what GitHub says about a commit that provenance reads.
type commitFacts struct {
	SHA string
	// AuthorID is the account GitHub links the author to (0: none).
	AuthorID           int64
	CommitterEmail     string
	Verified           bool
	VerificationReason string
}

// commitProvenance is the one rule that decides whether a commit is
// Baton's own, for the merge decision (verify) and for the bump's reading
// of its branch (recordOf) alike. It says why not ("" when it is): set,
// the activity-log entry that put the commit on branch, must be by
// Baton's identity (actor id), and when Baton is a GitHub App the commit
// must also carry GitHub's own signature (committer GitHub) with Baton's
// bot as the author account. Author e-mails, committer dates and trailers
// are not evidence: whoever pushes sets them. Baton pushes only commits
// it made, or commits this rule proved its own, so an entry by Baton
// proves the commit is Baton's.
func commitProvenance(self githost.Identity, set githost.Activity, branch string, head commitFacts) string {
	switch {
	case self.User.ID == 0:
		return "Baton could not learn its own user id, so it cannot tell its commits from others"
	case set.After != head.SHA:
		return fmt.Sprintf("the repository's activity log does not show who put %s on %s", short(head.SHA), code(branch))
	case set.Actor.ID != self.User.ID:
		return fmt.Sprintf("%s was put on %s by @%s (%s at %s), not by Baton; only Baton's own pushes can be merged", short(head.SHA), code(branch), set.Actor.Login, strings.ReplaceAll(set.Type, "_", " "), set.Timestamp.UTC().Format(time.RFC3339))
	case self.AppID != 0 && !head.Verified:
		return fmt.Sprintf("the commit %s is not signed by GitHub (%s), so it was not made by Baton's App", short(head.SHA), dashIfEmpty(head.VerificationReason))
	case self.AppID != 0 && (!strings.EqualFold(head.CommitterEmail, gitHubCommitter) || head.AuthorID != self.User.ID):
		// "Verified" alone is any user's own valid signature, or GitHub's
		// on a commit someone made in the web interface: Baton's App
		// commits are GitHub-signed (committer GitHub) with the App's bot
		// as author.
		return fmt.Sprintf("the commit %s is signed, but not as Baton's App commits are (committed by GitHub with Baton's bot as author)", short(head.SHA))
	}
	return ""
}

// gitHubCommitter is the committer e-mail of the commits GitHub signs
// itself (an App's API commits, web edits).
const gitHubCommitter = "noreply@github.com"

// maxRebuildChain bounds how many of Baton's same-change rebuilds an
// approval carries over.
const maxRebuildChain = 5

// enoughLog says whether the newest entries of the head branch's log,
// newest first, hold all that the decision reads: the entry that set the
// current head and the entries bindEra may walk back through — a chain of
// Baton's consecutive pushes, each starting where the one before ended,
// at most maxRebuildChain steps. Reading stops at the first entry the
// chain cannot pass, so a branch that lived long costs one page.
func (e *evidence) enoughLog(newestFirst []githost.Activity) bool {
	if len(newestFirst) > maxRebuildChain {
		return true
	}
	for k := 0; k+1 < len(newestFirst); k++ {
		cur, prev := newestFirst[k], newestFirst[k+1]
		if cur.Actor.ID != e.selfID() || prev.Actor.ID != e.selfID() || cur.Before != prev.After {
			return true
		}
	}
	return false
}

// bindEra extends the approval era through Baton's own rebuilds: when
// the current head is Baton's commit that says (Baton-Rebuilt-From) it
// redid the same change as the head it directly replaced, approvals of
// that head carry over. Every step must be an entry pushed by Baton whose
// before is the previous entry's after, and the replaced head's record
// must put the same image into the same app and environment over the
// same versions: the trailer names the head, but the sameness is checked
// here, so a commit Baton's identity pushed without making it (whatever
// its trailers say) carries no approval to another change.
func (e *evidence) bindEra(ctx context.Context, gh evidenceGitHub, repo string, record Trailers) error {
	for range maxRebuildChain {
		from := record[TrailerRebuiltFrom]
		i := e.era
		if from == "" || i == 0 || e.log[i].Actor.ID != e.selfID() || e.log[i].Before != from || e.log[i-1].After != from || e.log[i-1].Actor.ID != e.selfID() {
			return nil
		}
		c, err := gh.Commit(ctx, repo, from)
		if err != nil {
			return err
		}
		prev := ParseTrailers(c.Message)
		for _, k := range []string{TrailerApp, TrailerEnv, TrailerImage, TrailerFrom} {
			if prev[k] != record[k] {
				return nil
			}
		}
		e.era = i - 1
		e.heads = append(e.heads, from)
		record = prev
	}
	return nil
}

// edited reports whether anyone changed a comment after it was made: any
// writer can edit anyone's comment, so an edited comment counts for
// nothing.
func edited(c githost.Comment) bool {
	return !c.UpdatedAt.IsZero() && !c.UpdatedAt.Equal(c.CreatedAt)
}

// command returns the command of a comment that can count: unedited, by a
// person who is not Baton; "" otherwise.
func (e *evidence) command(c githost.Comment) string {
	// A comment GitHub attributes to no account (user null, as its schema
	// allows) is no one's command.
	if edited(c) || c.User.ID == 0 || c.AuthorBot || c.User.Type == "Bot" || strings.HasSuffix(c.User.Login, "[bot]") || c.User.ID == e.selfID() {
		return ""
	}
	cmd, _ := command(c.Body)
	return cmd
}

// binding is how a comment relates to the content it must approve.
type binding int

const (
	boundAfter     binding = iota // made after the approved head was set
	boundBefore                   // made before: it approved other content
	boundUndecided                // same second, nothing orders them
)

// bind orders a comment against the entry that set the head the current
// content's approvals bind to, from server-side evidence only: server
// timestamps (seconds); in the same second, a branch creation (no comment
// can predate its pull request), or Baton's own unedited comment naming
// that head (headMarker) with a smaller comment id (GitHub assigns ids in
// order). Otherwise the order is undecided.
func (e *evidence) bind(c githost.Comment) binding {
	set := e.log[e.era]
	ct, st := c.CreatedAt.Truncate(time.Second), set.Timestamp.Truncate(time.Second)
	switch {
	case ct.After(st):
		return boundAfter
	case ct.Before(st):
		return boundBefore
	case st.Before(e.pr.CreatedAt.Truncate(time.Second)),
		set.Type == "branch_creation" && !st.After(e.pr.CreatedAt.Truncate(time.Second)):
		// The head was set before the pull request was opened (a branch
		// is created before its pull request): every comment is later.
		return boundAfter
	}
	for _, m := range e.comments {
		if m.User.ID == e.selfID() && !edited(m) && strings.Contains(m.Body, headMarker(set.After)) && m.ID < c.ID {
			return boundAfter
		}
	}
	return boundUndecided
}

// madeBefore keeps only the comments and reviews GitHub's clock puts
// strictly before t (whole seconds: the same second cannot be ordered).
// The record of a merge someone else made counts only approvals given
// before the merge: one given after it approved nothing that merged.
func (e *evidence) madeBefore(t time.Time) {
	cut := t.Truncate(time.Second)
	var comments []githost.Comment
	for _, c := range e.comments {
		if c.CreatedAt.Truncate(time.Second).Before(cut) {
			comments = append(comments, c)
		}
	}
	var reviews []githost.Review
	for _, r := range e.reviews {
		if !r.SubmittedAt.IsZero() && r.SubmittedAt.Truncate(time.Second).Before(cut) {
			reviews = append(reviews, r)
		}
	}
	e.comments, e.reviews = comments, reviews
}

// latestReviews is each reviewer's latest state-setting review (APPROVED,
// CHANGES_REQUESTED or DISMISSED), by reviewer id; COMMENTED reviews
// change no state.
func (e *evidence) latestReviews() map[int64]githost.Review {
	out := map[int64]githost.Review{}
	for _, r := range e.reviews {
		switch {
		case r.User.ID == 0:
			// No account (user null): no one's review.
		case r.State == "APPROVED", r.State == "CHANGES_REQUESTED", r.State == "DISMISSED":
			out[r.User.ID] = r
		}
	}
	return out
}

// held says who holds the pull request ("" when nobody does): the last
// /hold or /unhold, in comment id order, from an unedited comment by
// someone with write access. Labels only show this state.
func (e *evidence) held(ctx context.Context, gh authorizeGitHub, p *Promotion) (string, error) {
	holder := ""
	writer := map[int64]bool{}
	for _, c := range e.comments {
		cmd := e.command(c)
		if cmd != "hold" && cmd != "unhold" {
			continue
		}
		ok, seen := writer[c.User.ID]
		if !seen {
			var err error
			if ok, _, err = authorizeWriter(ctx, gh, p, c.User.Login); err != nil {
				return "", err
			}
			writer[c.User.ID] = ok
		}
		if !ok {
			continue
		}
		if cmd == "hold" {
			holder = c.User.Login
		} else {
			holder = ""
		}
	}
	return holder, nil
}

// changesRequested lists the authorised reviewers whose latest review
// requests changes: each blocks the merge until that reviewer approves or
// the review is dismissed; another approver's approval does not clear it.
func (e *evidence) changesRequested(ctx context.Context, gh authorizeGitHub, p *Promotion) ([]string, error) {
	var out []string
	latest := e.latestReviews()
	for _, r := range e.reviews {
		if latest[r.User.ID].ID != r.ID || r.State != "CHANGES_REQUESTED" {
			continue
		}
		ok, _, err := authorizeApprover(ctx, gh, p, r.User.Login)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r.User.Login)
		}
	}
	return out, nil
}
