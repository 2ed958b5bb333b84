package promotion

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
)

// ReviewGitHub is what native reviews need: the merge path, plus the
// changes-requested label.
type ReviewGitHub interface {
	MergeGitHub
	// AddLabels adds labels (POST /repos/{o}/{r}/issues/{n}/labels).
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	// RemoveLabel removes a label (DELETE /repos/{o}/{r}/issues/{n}/labels/{name}).
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
}

// approvalsGitHub is what counting approvals reads besides authorization.
type approvalsGitHub interface {
	authorizeGitHub
	// Comments lists a pull request's issue comments (GET /repos/{o}/{r}/issues/{n}/comments).
	Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error)
	// Reviews lists a pull request's reviews (GET /repos/{o}/{r}/pulls/{n}/reviews).
	Reviews(ctx context.Context, repo string, number int) ([]githost.Review, error)
}

// ReviewEvent is a pull_request_review event.
type ReviewEvent struct {
	Repo      string
	Number    int
	Author    string
	State     string // approved, changes_requested, commented, dismissed
	CommitID  string
	Action    string // submitted, edited, dismissed
	Submitted time.Time
}

// HandleReview counts a native review: an authorized APPROVED review of the
// current head counts like /approve; CHANGES_REQUESTED blocks the merge
// until the same reviewer approves.
func HandleReview(ctx context.Context, gh ReviewGitHub, loadPolicy PolicyFunc, ev ReviewEvent) (*Result, error) {
	if ev.Action != "submitted" {
		return &Result{Ignored: "review " + ev.Action + ", not submitted"}, nil
	}
	state := strings.ToUpper(ev.State)
	if state != "APPROVED" && state != "CHANGES_REQUESTED" {
		return &Result{Ignored: "review is a comment"}, nil
	}
	if strings.HasSuffix(ev.Author, "[bot]") {
		return &Result{Ignored: "review by a bot"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if !IsBatonPR(pr) || pr.State != "open" {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not an open Baton promotion", pr.Number)}, nil
	}
	p, err := loadPromotion(ctx, loadPolicy, ev.Repo, pr)
	if err != nil {
		return nil, err
	}
	reply := func(res *Result) (*Result, error) {
		res.PR = pr
		_, err := gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
		return res, err
	}
	ok, why, err := authorizeApprover(ctx, gh, p, ev.Author)
	if err != nil {
		return nil, err
	}
	if !ok {
		return reply(&Result{Reply: fmt.Sprintf("@%s your review does not count: %s.", ev.Author, why)})
	}
	if ev.CommitID != pr.HeadSHA {
		return reply(&Result{Reply: fmt.Sprintf("@%s your review is of %s, not of the current head %s: it does not count.", ev.Author, short(ev.CommitID), short(pr.HeadSHA))})
	}
	if state == "CHANGES_REQUESTED" {
		if err := gh.AddLabels(ctx, ev.Repo, pr.Number, []string{LabelChanges}); err != nil {
			return nil, err
		}
		return reply(&Result{Reply: fmt.Sprintf("@%s requested changes: Baton will not merge until they approve.", ev.Author)})
	}
	if hasLabel(pr, LabelChanges) {
		if err := gh.RemoveLabel(ctx, ev.Repo, pr.Number, LabelChanges); err != nil {
			return nil, err
		}
		p.PR.Labels = without(p.PR.Labels, LabelChanges)
	}
	res, err := tryMerge(ctx, gh, p, &approval{user: ev.Author, at: ev.Submitted, review: true})
	if err != nil {
		return nil, err
	}
	return reply(res)
}

// approval is one counted approval.
type approval struct {
	user   string
	at     time.Time
	review bool
}

func approvalNote(ev *approval) string {
	if ev == nil {
		return ""
	}
	kind := "Approval"
	if ev.review {
		kind = "Approving review"
	}
	return fmt.Sprintf("%s by @%s counted. ", kind, ev.user)
}

func listed(users []string) string {
	if len(users) == 0 {
		return ""
	}
	return " (" + "@" + strings.Join(users, ", @") + ")"
}

// countApprovals counts distinct authorized approvers of the content v
// verified: the triggering approval, then (only when more are needed)
// /approve comments made after the content's last change and approving
// reviews of the head. The promotion's own actor does not count unless
// self-approval is on.
func countApprovals(ctx context.Context, gh approvalsGitHub, p *Promotion, v *verified, ev *approval) ([]string, string, error) {
	actor := v.record[TrailerActor]
	since := v.contentSince()
	seen := map[string]bool{}
	var out []string
	var notes []string
	add := func(user string) {
		if !seen[strings.ToLower(user)] {
			seen[strings.ToLower(user)] = true
			out = append(out, user)
		}
	}
	self := func(user string) bool {
		return !p.Env.SelfApproval && actor != "" && strings.EqualFold(user, actor)
	}
	if ev != nil {
		switch {
		case self(ev.user):
			notes = append(notes, fmt.Sprintf(" @%s triggered this promotion, and environment %s does not take self-approval.", ev.user, p.Env.Name))
		case !ev.review && !ev.at.IsZero() && !ev.at.After(since):
			notes = append(notes, " That approval predates the current content.")
		default:
			add(ev.user)
		}
	}
	if len(out) >= p.Env.Approvals {
		return out, strings.Join(notes, ""), nil
	}
	comments, err := gh.Comments(ctx, p.Repo, p.PR.Number)
	if err != nil {
		return nil, "", err
	}
	candidates := map[string]bool{}
	for _, c := range comments {
		if cmd, ok := command(c.Body); ok && cmd == "approve" && !c.AuthorBot && !strings.HasSuffix(c.Author, "[bot]") &&
			c.CreatedAt.After(since) && !self(c.Author) && !strings.EqualFold(c.Author, p.PR.Author) {
			candidates[c.Author] = true
		}
	}
	reviews, err := gh.Reviews(ctx, p.Repo, p.PR.Number)
	if err != nil {
		return nil, "", err
	}
	latest := map[string]githost.Review{}
	for _, r := range reviews {
		if r.State == "APPROVED" || r.State == "CHANGES_REQUESTED" || r.State == "DISMISSED" {
			latest[strings.ToLower(r.Author)] = r
		}
	}
	for _, r := range latest {
		if r.State == "APPROVED" && r.CommitID == p.PR.HeadSHA && !self(r.Author) {
			candidates[r.Author] = true
		}
	}
	names := make([]string, 0, len(candidates))
	for u := range candidates {
		names = append(names, u)
	}
	sort.Strings(names)
	for _, u := range names {
		if seen[strings.ToLower(u)] {
			continue
		}
		ok, _, err := authorizeApprover(ctx, gh, p, u)
		if err != nil {
			return nil, "", err
		}
		if ok {
			add(u)
		}
	}
	return out, strings.Join(notes, ""), nil
}
