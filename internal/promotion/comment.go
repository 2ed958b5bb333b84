package promotion

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
)

// CommentGitHub is what comment commands need: the merge path and the
// release after the fact, plus the 👀 reaction (which also names Baton's
// identity), the hold label and closing the pull request.
type CommentGitHub interface {
	ClosedGitHub
	// Acknowledge adds a reaction to an issue comment and says whether it
	// is new (POST /repos/{o}/{r}/issues/comments/{id}/reactions: 201 new,
	// 200 existing).
	Acknowledge(ctx context.Context, repo string, commentID int64, content string) (githost.Reaction, error)
	// AddLabels adds labels (POST /repos/{o}/{r}/issues/{n}/labels).
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	// RemoveLabel removes a label (DELETE /repos/{o}/{r}/issues/{n}/labels/{name}).
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
	// ClosePR closes a pull request without merging (PATCH /repos/{o}/{r}/pulls/{n}).
	ClosePR(ctx context.Context, repo string, number int) error
	// Reply posts a comment whose body is unique at most once, finding it
	// after a lost answer instead of posting it again
	// (POST /repos/{o}/{r}/issues/{n}/comments).
	Reply(ctx context.Context, repo string, number int, body string) (int64, error)
}

// CommentEvent is an issue_comment event.
type CommentEvent struct {
	Repo       string
	Number     int
	IsPR       bool
	CommentID  int64
	Author     string
	AuthorID   int64  // the author's user id (0 when the payload gave none)
	AuthorType string // User or Bot
	Body       string
	Action     string // created, edited, deleted
	CreatedAt  time.Time
	// Self is Baton's own login, when known, so it never acts on its own
	// comments.
	Self string
}

// The command words Baton owns. "/lgtm" is an alias of "/approve" on
// Baton's pull requests only: elsewhere it belongs to other bots.
var commandWords = map[string]string{
	"/approve": "approve", "/hold": "hold", "/unhold": "unhold", "/cancel": "cancel", "/baton": "baton",
	"/lgtm": "approve",
}

// command returns the command on the first line of a comment. The line
// must start with the command word itself — after ASCII blanks only — and
// the word ends at an ASCII blank: a look-alike (a fullwidth solidus, a
// zero-width space before or inside it) is not a command. Words after
// the command ("/approve looks good") are a remark, not arguments; ok is
// false only for "/baton" followed by something other than help.
func command(body string) (name string, ok bool) {
	word, rest := commandWord(body)
	name = commandWords[word]
	switch {
	case name == "":
		return "", false
	case name != "baton":
		return name, true
	}
	arg := strings.Fields(strings.Trim(rest, " \t\r"))
	return "help", len(arg) == 0 || len(arg) == 1 && arg[0] == "help"
}

// commandWord is the first word of the comment's first line and what
// follows it on that line.
func commandWord(body string) (word, rest string) {
	first, _, _ := strings.Cut(strings.TrimLeft(body, " \t\r\n"), "\n")
	first = strings.TrimRight(first, "\r")
	if i := strings.IndexAny(first, " \t"); i >= 0 {
		return first[:i], first[i:]
	}
	return first, ""
}

// The hidden marker in every reply to a comment: the id of the comment
// it answers. Only Baton writes it, and it is trusted only on comments
// Baton's identity (by user id) authored, so a re-run or a second
// delivery of the same event never answers twice.
const replyMarkerPrefix = "<!-- baton:reply "

func replyMarker(commentID int64) string {
	return replyMarkerPrefix + strconv.FormatInt(commentID, 10) + " -->"
}

// answered reports whether Baton already answered the comment: one of
// Baton's own comments carries its marker.
func answered(comments []githost.Comment, me githost.Identity, commentID int64) bool {
	marker := replyMarker(commentID)
	for _, c := range comments {
		if me.User.ID != 0 && c.User.ID == me.User.ID && strings.Contains(c.Body, marker) {
			return true
		}
	}
	return false
}

// commentsCache answers the comment list from one read, so that checking
// for an earlier answer and counting approvals cost one request.
type commentsCache struct {
	CommentGitHub
	number int
	list   []githost.Comment
}

// Comments returns the list read once for the pull request.
func (c *commentsCache) Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error) {
	if number == c.number {
		return c.list, nil
	}
	return c.CommentGitHub.Comments(ctx, repo, number)
}

// HandleComment runs a PR comment command. Comment text is untrusted: it
// is parsed for a command word and never echoed into replies, outputs or
// workflow commands; usernames in replies are code spans. Every command
// Baton owns gets an answer, once: on a pull request that is not Baton's,
// one line saying so; on Baton's, what happened and why. Ordinary
// comments get none.
func HandleComment(ctx context.Context, gh CommentGitHub, loadPolicy PolicyFunc, ev CommentEvent) (*Result, error) {
	switch {
	case ev.Action != "created":
		return &Result{Ignored: fmt.Sprintf("comment %s, not created: only new comments are commands", ev.Action)}, nil
	case ev.AuthorType == "Bot" || strings.HasSuffix(ev.Author, "[bot]") || ev.Self != "" && strings.EqualFold(ev.Author, ev.Self):
		return &Result{Ignored: "comment by a bot: bots cannot run commands"}, nil
	case !ev.IsPR:
		return &Result{Ignored: "comment on an issue, not a pull request"}, nil
	}
	word, _ := commandWord(ev.Body)
	cmd, ok := command(ev.Body)
	if cmd == "" {
		return &Result{Ignored: "no command on the comment's first line"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if _, _, baton := ParseBranch(pr.Head); word == "/lgtm" && !baton {
		return &Result{PR: pr, Ignored: "/lgtm on a pull request that is not Baton's"}, nil
	}
	ack, err := gh.Acknowledge(ctx, ev.Repo, ev.CommentID, "eyes")
	if err != nil {
		return nil, err
	}
	// The reaction's answer names Baton's account in every auth mode.
	me := githost.Identity{User: ack.User}
	if ev.AuthorID != 0 && ev.AuthorID == me.User.ID || strings.EqualFold(ev.Author, me.User.Login) {
		return &Result{Ignored: "comment by Baton itself"}, nil
	}
	r := &commentRun{ctx: ctx, gh: gh, ev: ev, me: me, seen: !ack.New, res: &Result{PR: pr}}
	if r.seen {
		// Another run reacted before: it may have answered already.
		comments, err := gh.Comments(ctx, ev.Repo, ev.Number)
		if err != nil {
			return nil, err
		}
		if answered(comments, me, ev.CommentID) {
			return &Result{PR: pr, Ignored: fmt.Sprintf("comment %d was answered already", ev.CommentID)}, nil
		}
		r.gh = &commentsCache{CommentGitHub: gh, number: ev.Number, list: comments}
	}
	if why := notBatonPR(pr, me, ev.Repo); why != "" {
		if word == "/lgtm" {
			return &Result{PR: pr, Ignored: "/lgtm on a pull request that is not Baton's"}, nil
		}
		return r.reply("%s: Baton does nothing with pull request #%d: %s.", code(canonical(cmd, ok)), pr.Number, why)
	}
	return r.run(ctx, loadPolicy, pr, cmd, ok)
}

// canonical is the command as Baton names it in replies: never the
// comment's text.
func canonical(cmd string, ok bool) string {
	switch {
	case !ok:
		return "/baton"
	case cmd == "help":
		return "/baton help"
	}
	return "/" + cmd
}

// commentRun is one comment command being answered.
type commentRun struct {
	ctx  context.Context
	gh   CommentGitHub
	ev   CommentEvent
	me   githost.Identity
	seen bool // another run reacted to the comment before this one
	res  *Result
}

// reply posts the answer with the marker of the comment it answers. A
// run that was not the first to see the comment looks again right before
// answering, since the first one may have answered meanwhile.
func (r *commentRun) reply(format string, args ...any) (*Result, error) {
	text := quiet(fmt.Sprintf(format, args...))
	if r.seen {
		inner := r.gh
		if c, ok := inner.(*commentsCache); ok {
			inner = c.CommentGitHub
		}
		if !r.res.Merged && r.res.PR != nil && r.res.PR.State == "open" {
			// An answer about an open pull request is stale when the
			// other run merged it meanwhile; that run answers.
			now, err := inner.PR(r.ctx, r.ev.Repo, r.ev.Number)
			if err != nil {
				return nil, err
			}
			if now.Merged {
				r.res.Ignored = fmt.Sprintf("another run merged #%d while this one was answering comment %d", now.Number, r.ev.CommentID)
				r.res.Reply = ""
				return r.res, nil
			}
		}
		comments, err := inner.Comments(r.ctx, r.ev.Repo, r.ev.Number)
		if err != nil {
			return nil, err
		}
		if answered(comments, r.me, r.ev.CommentID) {
			r.res.Ignored = fmt.Sprintf("comment %d was answered by another run", r.ev.CommentID)
			r.res.Reply = ""
			return r.res, nil
		}
	}
	r.res.Reply = text + "\n\n" + replyMarker(r.ev.CommentID)
	_, err := r.gh.Reply(r.ctx, r.ev.Repo, r.ev.Number, r.res.Reply)
	return r.res, err
}

// run acts on a command on one of Baton's pull requests.
func (r *commentRun) run(ctx context.Context, loadPolicy PolicyFunc, pr *githost.PR, cmd string, ok bool) (*Result, error) {
	ev, gh, by := r.ev, r.gh, user(r.ev.Author)
	if !ok {
		return r.reply("%s: that is not a Baton command. %s", by, helpText)
	}
	if pr.State != "open" {
		return r.closed(ctx, loadPolicy, pr, cmd)
	}
	if cmd == "help" {
		return r.reply("%s", helpText)
	}
	p, err := loadPromotion(ctx, loadPolicy, ev.Repo, pr)
	if err != nil {
		if errors.As(err, new(*ConfigError)) {
			return r.reply("%s: Baton cannot act on this pull request: %s", by, code(err.Error()))
		}
		return nil, err
	}
	switch cmd {
	case "hold", "unhold", "cancel":
		if allowed, why, err := authorizeWriter(ctx, gh, p, ev.Author); err != nil {
			return nil, err
		} else if !allowed {
			return r.reply("%s: `/%s` refused: %s.", by, cmd, why)
		}
		switch cmd {
		case "hold":
			if err := gh.AddLabels(ctx, ev.Repo, pr.Number, []string{LabelHold}); err != nil {
				return nil, err
			}
			return r.reply("Held by %s: Baton will not merge this pull request until someone with write access comments `/unhold`.", by)
		case "cancel":
			if err := gh.ClosePR(ctx, ev.Repo, pr.Number); err != nil {
				return nil, err
			}
			return r.reply("Cancelled by %s: closed without merging. The next bump of %s to %s opens a new pull request.", by, code(p.App), code(p.Env.Name))
		}
		if err := gh.RemoveLabel(ctx, ev.Repo, pr.Number, LabelHold); err != nil {
			return nil, err
		}
		p.PR.Labels = without(p.PR.Labels, LabelHold)
		m, err := tryMerge(ctx, gh, p, nil)
		if err != nil {
			return nil, err
		}
		*r.res = *m
		return r.reply("Hold lifted by %s. %s", by, m.Reply)
	}
	// approve
	if allowed, why, err := authorizeApprover(ctx, gh, p, ev.Author); err != nil {
		return nil, err
	} else if !allowed {
		return r.reply("%s: your approval does not count: %s.", by, why)
	}
	m, err := tryMerge(ctx, gh, p, &approval{user: ev.Author, comment: ev.CommentID, at: ev.CreatedAt})
	if err != nil {
		return nil, err
	}
	*r.res = *m
	r.res.PR = pr
	return r.reply("%s", m.Reply)
}

// closed answers a command on a closed Baton pull request. A merged one
// may lack its release (the run that merged it ran out of retries on the
// release): the release is finished here, so re-running the event, or any
// later command on the pull request, completes it.
func (r *commentRun) closed(ctx context.Context, loadPolicy PolicyFunc, pr *githost.PR, cmd string) (*Result, error) {
	name := code(canonical(cmd, true))
	if !pr.Merged {
		return r.reply("%s: this pull request was closed without merging; there is nothing to do. The next bump opens a new one.", name)
	}
	pol, err := loadPolicy(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := finishRelease(ctx, r.gh, pol, r.ev.Repo, pr, r.me)
	if err != nil {
		return nil, fmt.Errorf("#%d was merged as %s, but its release failed: %w", pr.Number, short(pr.MergeSHA), err)
	}
	r.res.Merged, r.res.MergeSHA, r.res.Release = true, pr.MergeSHA, rel
	return r.reply("%s: this pull request was merged as %s and is released as [%s](%s); there is nothing left to do.", name, short(pr.MergeSHA), code(rel.Tag), rel.URL)
}

// helpText answers /baton help and unknown /baton commands.
const helpText = "Baton commands (first line of a comment): `/approve` approves this promotion; " +
	"`/hold` stops Baton from merging it and `/unhold` lets it merge again; `/cancel` closes it; `/baton help` shows this. " +
	"Approvals count only for the content they saw: a newer image needs a new approval."
