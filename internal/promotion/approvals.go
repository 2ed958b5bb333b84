package promotion

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
)

// ReviewGitHub is what native reviews need: the merge path (which also
// mirrors the changes-requested label) and the reply.
type ReviewGitHub interface {
	MergeGitHub
	// Reply posts a comment whose body is unique at most once, finding it
	// after a lost answer instead of posting it again
	// (POST /repos/{o}/{r}/issues/{n}/comments).
	Reply(ctx context.Context, repo string, number int, body string) (int64, error)
}

// ReviewEvent is a pull_request_review event.
type ReviewEvent struct {
	Repo   string
	Number int
	// ReviewID is the review's id (review.id in the payload); Baton's
	// reply carries it in its marker, so a second delivery of the event
	// is not answered twice. 0 when the payload gave none: the reply then
	// has no marker.
	ReviewID  int64
	Author    string
	State     string // approved, changes_requested, commented, dismissed
	CommitID  string
	Action    string // submitted, edited, dismissed
	Submitted time.Time
}

// HandleReview counts a native review: an authorized APPROVED review of the
// current head counts like /approve; CHANGES_REQUESTED blocks the merge
// until the same reviewer approves or the review is dismissed. The
// event's fields only say which pull request to look at: what counts is
// read back from GitHub (reviews by reviewer id, with their commit_id).
func HandleReview(ctx context.Context, gh ReviewGitHub, loadPolicy PolicyFunc, ev ReviewEvent) (*Result, error) {
	state := strings.ToUpper(ev.State)
	switch {
	case ev.Action != "submitted" && ev.Action != "dismissed":
		return &Result{Ignored: "review " + ev.Action + ", not submitted or dismissed"}, nil
	case ev.Action == "submitted" && state != "APPROVED" && state != "CHANGES_REQUESTED":
		return &Result{Ignored: "review is a comment"}, nil
	case strings.HasSuffix(ev.Author, "[bot]"):
		return &Result{Ignored: "review by a bot"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if !IsBatonPR(pr) || pr.State != "open" {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not an open Baton promotion", pr.Number)}, nil
	}
	marker := ""
	var merging MergeGitHub = gh
	if ev.ReviewID != 0 {
		// The answer, if any, carries the review's marker on a comment
		// by Baton's id: looked for before acting.
		marker = reviewReplyMarker(ev.ReviewID)
		me, err := gh.Self(ctx)
		if err != nil {
			return nil, err
		}
		comments, err := gh.Comments(ctx, ev.Repo, ev.Number)
		if err != nil {
			return nil, err
		}
		if carriesMarker(comments, me, marker) {
			return &Result{PR: pr, Ignored: fmt.Sprintf("review %d was answered already", ev.ReviewID)}, nil
		}
		merging = &mergeCommentsCache{MergeGitHub: gh, number: ev.Number, list: comments}
	}
	reply := func(res *Result, text string) (*Result, error) {
		res.Reply = quiet(text)
		if marker != "" {
			res.Reply += "\n\n" + marker
		}
		_, err := gh.Reply(ctx, ev.Repo, ev.Number, res.Reply)
		return res, err
	}
	p, err := loadPromotion(ctx, loadPolicy, ev.Repo, pr)
	if err != nil {
		return nil, err
	}
	var trigger *approval
	if ev.Action == "submitted" {
		ok, why, err := authorizeApprover(ctx, gh, p, ev.Author)
		if err != nil {
			return nil, err
		}
		if !ok {
			return reply(&Result{PR: pr}, fmt.Sprintf("@%s your review does not count: %s.", ev.Author, why))
		}
		if state == "APPROVED" {
			trigger = &approval{user: ev.Author, at: ev.Submitted, review: true}
		}
	}
	res, err := tryMerge(ctx, merging, p, trigger)
	if err != nil {
		return nil, err
	}
	res.PR = pr
	if res.Reply == "" {
		return res, nil
	}
	return reply(res, res.Reply)
}

// approval is the approval that triggered a merge attempt: a /approve
// comment (by id) or a native review. Whether it counts is decided from
// the evidence like every other approval; the trigger only decides what
// the reply says about it.
type approval struct {
	user    string    // the login the event named
	comment int64     // the /approve comment's id; 0 for a review
	at      time.Time // the event's time; decisions never read it (the evidence orders approvals)
	review  bool
}

// tally is what counting approvals found.
type tally struct {
	approvers []string // logins of the approvals that count, sorted
	// needed is how many approvals must count (see needed); why says
	// why it is more than the environment's approvals.
	needed    int
	neededWhy string
	// trigger is why the triggering approval does not count ("" when it
	// does, or when there was none).
	trigger string
	// notes say which other approvals did not count for a reason the
	// approver can act on (same-second pushes, edits).
	notes []string
}

// note is the reply's first sentence about the triggering approval: it
// never says "counted" for an approval that did not count.
func (t *tally) note(ev *approval) string {
	if ev == nil || t == nil {
		return ""
	}
	kind, whose := "Approval", "approval"
	if ev.review {
		kind, whose = "Approving review", "approving review"
	}
	if t.trigger != "" {
		return fmt.Sprintf("@%s your %s does not count: %s. ", ev.user, whose, t.trigger)
	}
	return fmt.Sprintf("%s by @%s counted. ", kind, ev.user)
}

func listed(users []string) string {
	if len(users) == 0 {
		return ""
	}
	return " (" + "@" + strings.Join(users, ", @") + ")"
}

// actor is who triggered the promotion, from the verified commit's
// record: the ids in Baton-Actor-ID (the workflow run's actor and
// triggering actor, which survive renames), else, on records made before
// runs were read, the Baton-Actor login. A record marked
// Baton-Actor-Verified: no names nobody Baton can trust as self.
type actor struct {
	ids        []int64
	login      string
	unverified bool
}

func actorOf(record Trailers) actor {
	a := actor{login: record[TrailerActor], unverified: record[TrailerActorVerified] == "no"}
	for _, f := range strings.Split(record[TrailerActorID], ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil && id > 0 {
			a.ids = append(a.ids, id)
		}
	}
	return a
}

// is reports whether u is the actor: by id when the record has ids,
// otherwise by the login an older record names; never for an unverified
// actor (the caller's login is no evidence: extra approvals stand in for
// it, see needed).
func (a actor) is(u githost.User) bool {
	switch {
	case a.unverified:
		return false
	case len(a.ids) > 0:
		return slices.Contains(a.ids, u.ID)
	}
	return a.login != "" && strings.EqualFold(u.Login, a.login)
}

// needed is how many approvals the promotion needs, and why more than the
// environment asks. Without self-approval and with an actor no workflow
// run vouched for, Baton cannot tell which approver is "self": one more
// approval than required makes sure the required number come from people
// other than whoever triggered the build, whoever that was.
func needed(p *Promotion, who actor) (int, string) {
	if who.unverified && !p.Env.SelfApproval {
		return p.Env.Approvals + 1, fmt.Sprintf(" GitHub did not vouch for who triggered this build (no workflow run could be read; %s named %s), and %s does not take self-approval, so %d approvals are needed instead of %d: one of the approvers may be who triggered it.",
			TrailerActor, code(truncate(who.login, 100)), p.Env.Name, p.Env.Approvals+1, p.Env.Approvals)
	}
	return p.Env.Approvals, ""
}

// countApprovals counts distinct authorized approvers (by user id) of the
// content v verified, from the evidence only: unedited /approve comments
// bound to the current head (see evidence.bind), and each reviewer's
// latest review when it APPROVED a head the approvals bind to. The
// promotion's own actor does not count unless self-approval is on.
func countApprovals(ctx context.Context, gh authorizeGitHub, p *Promotion, v *verified, e *evidence, ev *approval) (*tally, error) {
	t := &tally{}
	who := actorOf(v.record)
	t.needed, t.neededWhy = needed(p, who)
	why := map[int64]string{}        // comment id → why it does not count
	candidates := map[int64]string{} // user id → login
	userWhy := map[int64]string{}    // user id → why their approval does not count
	head := short(p.PR.HeadSHA)
	setAt := e.log[e.era].Timestamp.UTC().Format(time.RFC3339)
	for _, c := range e.comments {
		if cmd, _ := command(c.Body); cmd != "approve" {
			continue
		}
		switch {
		case edited(c):
			why[c.ID] = fmt.Sprintf("the comment was edited at %s, and an edited comment never counts (any writer can edit it); comment `/approve` again", c.UpdatedAt.UTC().Format(time.RFC3339))
			t.notes = append(t.notes, fmt.Sprintf(" A `/approve` comment by @%s was edited at %s and does not count: an edited comment never counts, whoever edited it.", c.User.Login, c.UpdatedAt.UTC().Format(time.RFC3339)))
			continue
		case e.command(c) == "":
			continue // bots and Baton itself
		}
		switch e.bind(c) {
		case boundBefore:
			why[c.ID] = fmt.Sprintf("it was made before the current head %s was pushed (%s), so it approved other content", head, setAt)
			continue
		case boundUndecided:
			why[c.ID] = fmt.Sprintf("it was made in the same second (%s) as the push that set the current head %s, and nothing GitHub records orders the two; please comment `/approve` again", setAt, head)
			t.notes = append(t.notes, fmt.Sprintf(" @%s's approval is in the same second as the push of %s: nothing orders the two, so it does not count; please approve again.", c.User.Login, head))
			continue
		}
		candidates[c.User.ID] = c.User.Login
	}
	for id, r := range e.latestReviews() {
		switch {
		case r.State != "APPROVED":
			userWhy[id] = "the reviewer's latest review is " + strings.ToLower(strings.ReplaceAll(r.State, "_", " "))
		case !slices.Contains(e.heads, r.CommitID):
			userWhy[id] = fmt.Sprintf("the review is of %s, not of the current head %s", short(r.CommitID), head)
		case r.User.Type == "Bot" || id == e.selfID():
		default:
			candidates[id] = r.User.Login
		}
	}
	ids := make([]int64, 0, len(candidates))
	for id := range candidates {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return strings.ToLower(candidates[ids[i]]) < strings.ToLower(candidates[ids[j]]) })
	for _, id := range ids {
		login := candidates[id]
		if who.is(githost.User{ID: id, Login: login}) && !p.Env.SelfApproval {
			userWhy[id] = fmt.Sprintf("@%s triggered this promotion, and environment %s does not take self-approval", login, p.Env.Name)
			continue
		}
		ok, no, err := authorizeApprover(ctx, gh, p, login)
		if err != nil {
			return nil, err
		}
		if !ok {
			userWhy[id] = no
			continue
		}
		delete(userWhy, id)
		t.approvers = append(t.approvers, login)
	}
	if ev != nil {
		t.trigger = triggerWhy(e, ev, why, userWhy, t.approvers)
	}
	return t, nil
}

// triggerWhy says why the triggering approval does not count ("" when it
// does).
func triggerWhy(e *evidence, ev *approval, why map[int64]string, userWhy map[int64]string, approvers []string) string {
	var user githost.User
	if ev.review {
		for _, r := range e.latestReviews() {
			if strings.EqualFold(r.User.Login, ev.user) {
				user = r.User
			}
		}
		if user.ID == 0 {
			return "GitHub shows no approving review by @" + ev.user
		}
	} else {
		found := false
		for _, c := range e.comments {
			if c.ID == ev.comment {
				found, user = true, c.User
				if w := why[c.ID]; w != "" {
					return w
				}
			}
		}
		if !found {
			return "the comment is gone"
		}
	}
	if w := userWhy[user.ID]; w != "" {
		return w
	}
	for _, a := range approvers {
		if strings.EqualFold(a, user.Login) {
			return ""
		}
	}
	return "it is not an approval of this pull request's current content"
}
