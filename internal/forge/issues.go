package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Comment posts a comment on an issue or pull request and returns its id.
//
// Route: POST /repos/{owner}/{repo}/issues/{issue_number}/comments. A
// missing issue is githost.ErrNotFound; a body over 65536 characters is
// githost.ErrValidation.
func (c *Client) Comment(ctx context.Context, repo string, number int, body string) (int64, error) {
	owner, name := split(repo)
	cm, err := do(ctx, c, fmt.Sprintf("comment on #%d in %s", number, repo), true, func(ctx context.Context) (*github.IssueComment, *github.Response, error) {
		return c.gh.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.Ptr(body)})
	})
	if err != nil {
		return 0, err
	}
	return cm.GetID(), nil
}

// Comments lists every comment on an issue or pull request, oldest first,
// with each author's id and the server's created and updated times (a
// comment whose UpdatedAt differs from its CreatedAt was edited, by
// anyone with write access).
//
// Route: GET /repos/{owner}/{repo}/issues/{issue_number}/comments, every
// page. A missing issue is githost.ErrNotFound.
func (c *Client) Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error) {
	owner, name := split(repo)
	list, err := pages(ctx, c, fmt.Sprintf("list comments of #%d in %s", number, repo), func(ctx context.Context, page int) ([]*github.IssueComment, *github.Response, error) {
		return c.gh.Issues.ListComments(ctx, owner, name, number, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage, Page: page}})
	})
	if err != nil {
		return nil, err
	}
	out := make([]githost.Comment, 0, len(list))
	for _, cm := range list {
		out = append(out, githost.Comment{
			ID: cm.GetID(), Author: cm.GetUser().GetLogin(), AuthorBot: cm.GetUser().GetType() == "Bot",
			Body: cm.GetBody(), CreatedAt: cm.GetCreatedAt().Time, UpdatedAt: cm.GetUpdatedAt().Time,
			User: user(cm.GetUser()),
		})
	}
	return out, nil
}

// AddLabels adds labels to an issue or pull request, creating labels the
// repository lacks.
//
// Route: POST /repos/{owner}/{repo}/issues/{issue_number}/labels. A
// missing issue is githost.ErrNotFound.
func (c *Client) AddLabels(ctx context.Context, repo string, number int, labels []string) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("label #%d in %s", number, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		// The body is {"labels": [...]}, the form GitHub's docs list
		// first; go-github's AddLabelsToIssue sends a bare array, which
		// only the route's alternate schemas allow.
		req, err := c.gh.NewRequest(ctx, http.MethodPost, fmt.Sprintf("repos/%s/%s/issues/%d/labels", url.PathEscape(owner), url.PathEscape(name), number), struct {
			Labels []string `json:"labels"`
		}{labels})
		if err != nil {
			return struct{}{}, nil, err
		}
		var out []*github.Label
		resp, err := c.gh.Do(req, &out)
		return struct{}{}, resp, err
	})
	return err
}

// RemoveLabel removes a label from an issue or pull request; a label the
// issue does not carry is not an error.
//
// Route: DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}.
func (c *Client) RemoveLabel(ctx context.Context, repo string, number int, label string) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("remove label %s from #%d in %s", label, number, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return none(c.gh.Issues.RemoveLabelForIssue(ctx, owner, name, number, label))
	})
	if errors.Is(err, githost.ErrNotFound) {
		return nil
	}
	return err
}

// React adds a reaction (+1, eyes, rocket, ...) to an issue comment;
// reacting twice with the same content is not an error.
//
// Route: POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions.
// A missing comment is githost.ErrNotFound; an unknown content is
// githost.ErrValidation.
func (c *Client) React(ctx context.Context, repo string, commentID int64, content string) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("react to comment %d in %s", commentID, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return drop(c.gh.Reactions.CreateIssueCommentReaction(ctx, owner, name, commentID, content))
	})
	return err
}

// Acknowledge adds a reaction (eyes, usually) to an issue comment and
// returns it with the account that reacted, which is the client's own
// identity whatever the credentials. Reaction.New is false when that
// account had already reacted with the same content (GitHub answers 200
// for an existing reaction, 201 for a new one), so of several runs
// answering one comment exactly one is told it reacted first. One
// ambiguity remains: when an attempt's answer is lost (a 5xx or a reset
// after GitHub made the reaction) the retry gets 200 for this run's own
// reaction; Acknowledge then reports New, since the other reading would
// leave the comment unanswered by every run.
//
// The reacting account is Baton's own identity, as GitHub shows it: it
// primes Self's cache, so a run that reacted needs no GET /user.
//
// Route: POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions.
// A missing comment is githost.ErrNotFound; an unknown content is
// githost.ErrValidation.
func (c *Client) Acknowledge(ctx context.Context, repo string, commentID int64, content string) (githost.Reaction, error) {
	owner, name := split(repo)
	attempts := 0
	r, resp, err := doResp(ctx, c, fmt.Sprintf("react to comment %d in %s", commentID, repo), true, func(ctx context.Context) (*github.Reaction, *github.Response, error) {
		attempts++
		return c.gh.Reactions.CreateIssueCommentReaction(ctx, owner, name, commentID, content)
	})
	if err != nil {
		return githost.Reaction{}, err
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	re := githost.Reaction{ID: r.GetID(), Content: r.GetContent(), User: user(r.GetUser()), New: status == http.StatusCreated || status == http.StatusOK && attempts > 1, CreatedAt: r.GetCreatedAt().Time}
	if resp != nil {
		re.ServerTime, _ = http.ParseTime(resp.Header.Get("Date"))
	}
	c.primeSelf(re.User)
	return re, nil
}

// primeSelf caches u as the client's own user when Self has not been
// asked yet: u must be an account GitHub named as the caller (the user of
// a reaction the caller just made).
func (c *Client) primeSelf(u githost.User) {
	if u.ID == 0 {
		return
	}
	c.selfMu.Lock()
	defer c.selfMu.Unlock()
	if c.self == nil {
		c.self = &githost.Identity{User: u, AppID: c.appID, AppSlug: c.appSlug}
	}
}

// Unacknowledge removes a reaction the client made on an issue comment: a
// run that reacted first and then failed gives the comment back, so a
// re-run of the event is told it reacted first and answers. A reaction
// already gone is not an error.
//
// Route: DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}.
func (c *Client) Unacknowledge(ctx context.Context, repo string, commentID, reactionID int64) error {
	owner, name := split(repo)
	_, err := do(ctx, c, fmt.Sprintf("remove reaction %d from comment %d in %s", reactionID, commentID, repo), true, func(ctx context.Context) (struct{}, *github.Response, error) {
		return none(c.gh.Reactions.DeleteIssueCommentReaction(ctx, owner, name, commentID, reactionID))
	})
	if errors.Is(err, githost.ErrNotFound) {
		return nil
	}
	return err
}

// Reply posts a comment at most once. body must be unique to this answer
// (Baton's replies carry the id of the comment they answer). When an
// attempt's answer is lost (a 5xx, a reset, a timeout) the comment may
// have been made anyway, so before posting again Reply looks for a
// comment with exactly this body by the client's own account (a writer
// could post the same text first) and returns it if it is there: a lost
// answer never becomes a second comment, and another's copy never stands
// in for Baton's.
//
// Routes: POST /repos/{owner}/{repo}/issues/{issue_number}/comments, and
// after a lost answer GET /repos/{owner}/{repo}/issues/{issue_number}/comments
// (every page). Errors as Comment.
func (c *Client) Reply(ctx context.Context, repo string, number int, body string) (int64, error) {
	owner, name := split(repo)
	attempts := 0
	return do(ctx, c, fmt.Sprintf("comment on #%d in %s", number, repo), true, func(ctx context.Context) (int64, *github.Response, error) {
		attempts++
		if attempts > 1 {
			me, err := c.Self(ctx)
			if err != nil {
				return 0, nil, err
			}
			for page := 0; ; {
				list, resp, err := c.gh.Issues.ListComments(ctx, owner, name, number, &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage, Page: page}})
				if err != nil {
					return 0, resp, err
				}
				for _, cm := range list {
					if cm.GetBody() == body && cm.GetUser().GetID() == me.User.ID {
						return cm.GetID(), resp, nil
					}
				}
				if resp == nil || resp.NextPage == 0 || resp.NextPage <= page {
					break
				}
				page = resp.NextPage
			}
		}
		cm, resp, err := c.gh.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.Ptr(body)})
		return cm.GetID(), resp, err
	})
}
