package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CommentGitHub is what comment commands need: the merge path, plus the
// 👀 reaction, the hold label and closing the pull request.
type CommentGitHub interface {
	MergeGitHub
	// React adds a reaction to an issue comment (POST /repos/{o}/{r}/issues/comments/{id}/reactions).
	React(ctx context.Context, repo string, commentID int64, content string) error
	// AddLabels adds labels (POST /repos/{o}/{r}/issues/{n}/labels).
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	// RemoveLabel removes a label (DELETE /repos/{o}/{r}/issues/{n}/labels/{name}).
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
	// ClosePR closes a pull request without merging (PATCH /repos/{o}/{r}/pulls/{n}).
	ClosePR(ctx context.Context, repo string, number int) error
}

// CommentEvent is an issue_comment event.
type CommentEvent struct {
	Repo       string
	Number     int
	IsPR       bool
	CommentID  int64
	Author     string
	AuthorType string // User or Bot
	Body       string
	Action     string // created, edited, deleted
	CreatedAt  time.Time
	// Self is Baton's own login, when known, so it never acts on its own
	// comments.
	Self string
}

// command returns the command on the first line of a comment. Words after
// the command ("/approve looks good") are a remark, not arguments; ok is
// false only for "/baton" followed by something other than help.
func command(body string) (name string, ok bool) {
	first, _, _ := strings.Cut(strings.TrimLeft(body, " \t\r\n"), "\n")
	f := strings.Fields(first)
	if len(f) == 0 {
		return "", false
	}
	switch f[0] {
	case "/approve", "/lgtm":
		return "approve", true
	case "/hold":
		return "hold", true
	case "/unhold":
		return "unhold", true
	case "/cancel":
		return "cancel", true
	case "/baton":
		return "help", len(f) == 2 && f[1] == "help"
	}
	return "", false
}

// HandleComment runs a PR comment command. Comment text is untrusted: it is
// parsed for a command word and never echoed into replies, outputs or
// workflow commands.
func HandleComment(ctx context.Context, gh CommentGitHub, loadPolicy PolicyFunc, ev CommentEvent) (*Result, error) {
	switch {
	case ev.Action != "created":
		return &Result{Ignored: fmt.Sprintf("comment %s, not created: only new comments are commands", ev.Action)}, nil
	case ev.AuthorType == "Bot" || strings.HasSuffix(ev.Author, "[bot]") || ev.Self != "" && strings.EqualFold(ev.Author, ev.Self):
		return &Result{Ignored: "comment by a bot: bots cannot run commands"}, nil
	case !ev.IsPR:
		return &Result{Ignored: "comment on an issue, not a pull request"}, nil
	}
	cmd, ok := command(ev.Body)
	if cmd == "" {
		return &Result{Ignored: "no command on the comment's first line"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if !IsBatonPR(pr) {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not a Baton promotion", pr.Number)}, nil
	}
	if strings.EqualFold(ev.Author, pr.Author) {
		return &Result{Ignored: "comment by Baton itself"}, nil
	}
	if err := gh.React(ctx, ev.Repo, ev.CommentID, "eyes"); err != nil {
		return nil, err
	}
	res := &Result{PR: pr}
	reply := func(format string, args ...any) (*Result, error) {
		res.Reply = fmt.Sprintf(format, args...)
		_, err := gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
		return res, err
	}
	if !ok {
		return reply("@%s I did not understand that command. %s", ev.Author, helpText)
	}
	if pr.State != "open" {
		return reply("@%s this pull request is %s; there is nothing to do.", ev.Author, pr.State)
	}
	if cmd == "help" {
		return reply("%s", helpText)
	}
	p, err := loadPromotion(ctx, loadPolicy, ev.Repo, pr)
	if err != nil {
		if errors.As(err, new(*ConfigError)) {
			return reply("@%s I cannot act on this pull request: %v", ev.Author, err)
		}
		return nil, err
	}
	switch cmd {
	case "hold", "unhold", "cancel":
		if ok, why, err := authorizeWriter(ctx, gh, p, ev.Author); err != nil {
			return nil, err
		} else if !ok {
			return reply("@%s `/%s` refused: %s.", ev.Author, cmd, why)
		}
		switch cmd {
		case "hold":
			if err := gh.AddLabels(ctx, ev.Repo, pr.Number, []string{LabelHold}); err != nil {
				return nil, err
			}
			return reply("Held by @%s: Baton will not merge this pull request until someone with write access comments `/unhold`.", ev.Author)
		case "cancel":
			if err := gh.ClosePR(ctx, ev.Repo, pr.Number); err != nil {
				return nil, err
			}
			return reply("Cancelled by @%s: closed without merging. The next bump of %s to %s opens a new pull request.", ev.Author, p.App, p.Env.Name)
		}
		if err := gh.RemoveLabel(ctx, ev.Repo, pr.Number, LabelHold); err != nil {
			return nil, err
		}
		p.PR.Labels = without(p.PR.Labels, LabelHold)
		m, err := tryMerge(ctx, gh, p, nil)
		if err != nil {
			return nil, err
		}
		*res = *m
		return reply("Released by @%s. %s", ev.Author, m.Reply)
	}
	// approve
	if ok, why, err := authorizeApprover(ctx, gh, p, ev.Author); err != nil {
		return nil, err
	} else if !ok {
		return reply("@%s your approval does not count: %s.", ev.Author, why)
	}
	m, err := tryMerge(ctx, gh, p, &approval{user: ev.Author, comment: ev.CommentID, at: ev.CreatedAt})
	if err != nil {
		return nil, err
	}
	*res = *m
	res.PR = pr
	_, err = gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
	return res, err
}

const helpText = "Baton commands (first line of a comment): `/approve` approves this promotion; " +
	"`/hold` stops Baton from merging it and `/unhold` lets it merge again; `/cancel` closes it; `/baton help` shows this. " +
	"Approvals count only for the content they saw: a newer image needs a new approval."
