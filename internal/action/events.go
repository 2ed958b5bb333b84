package action

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// payload is the part of the event payloads Baton reads. Only the
// fields named here are read; comment bodies are parsed for a command
// and never echoed.
type payload struct {
	Action  string `json:"action"`
	Comment *struct {
		ID        int64     `json:"id"`
		Body      string    `json:"body"`
		CreatedAt time.Time `json:"created_at"`
		User      user      `json:"user"`
	} `json:"comment"`
	Issue *struct {
		Number      int             `json:"number"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Review *struct {
		State       string    `json:"state"`
		CommitID    string    `json:"commit_id"`
		SubmittedAt time.Time `json:"submitted_at"`
		User        user      `json:"user"`
	} `json:"review"`
	PullRequest *struct {
		Number         int        `json:"number"`
		State          string     `json:"state"`
		Title          string     `json:"title"`
		HTMLURL        string     `json:"html_url"`
		Merged         bool       `json:"merged"`
		MergedAt       *time.Time `json:"merged_at"`
		MergeCommitSHA string     `json:"merge_commit_sha"`
		MergedBy       *user      `json:"merged_by"`
		User           user       `json:"user"`
		Head           struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
		Labels []struct {
			Name string `json:"name"`
		} `json:"labels"`
	} `json:"pull_request"`
	CheckSuite *struct {
		HeadSHA string `json:"head_sha"`
	} `json:"check_suite"`
	CheckRun *struct {
		HeadSHA string `json:"head_sha"`
	} `json:"check_run"`
	// WorkflowRun is the event Actions-based checks raise: GitHub starts no
	// workflow for check suites that GitHub Actions itself created.
	WorkflowRun *struct {
		HeadSHA string `json:"head_sha"`
	} `json:"workflow_run"`
	SHA        string            `json:"sha"`    // status events
	Inputs     map[string]string `json:"inputs"` // workflow_dispatch
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

type user struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

func readPayload(path string) (*payload, error) {
	if path == "" {
		return nil, &command.InputError{Err: fmt.Errorf("GITHUB_EVENT_PATH is not set: this command reads the event payload")}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the event payload: %w", err)
	}
	var p payload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("event payload %s: %w", path, err)
	}
	return &p, nil
}

// commentEvent turns an issue_comment payload into the use case's event.
func (p *payload) commentEvent(repo string) (promotion.CommentEvent, error) {
	if p.Comment == nil || p.Issue == nil {
		return promotion.CommentEvent{}, fmt.Errorf("the event payload has no comment or issue: is this an issue_comment event?")
	}
	isPR := len(p.Issue.PullRequest) > 0 && string(p.Issue.PullRequest) != "null"
	return promotion.CommentEvent{
		Repo: repo, Number: p.Issue.Number, IsPR: isPR, CommentID: p.Comment.ID, Author: p.Comment.User.Login,
		AuthorType: p.Comment.User.Type, Body: p.Comment.Body, Action: p.Action, CreatedAt: p.Comment.CreatedAt,
	}, nil
}

func (p *payload) reviewEvent(repo string) (promotion.ReviewEvent, error) {
	if p.Review == nil || p.PullRequest == nil {
		return promotion.ReviewEvent{}, fmt.Errorf("the event payload has no review: is this a pull_request_review event?")
	}
	return promotion.ReviewEvent{
		Repo: repo, Number: p.PullRequest.Number, Author: p.Review.User.Login, State: p.Review.State,
		CommitID: p.Review.CommitID, Action: p.Action, Submitted: p.Review.SubmittedAt,
	}, nil
}

func (p *payload) closedEvent(repo string) (promotion.ClosedEvent, error) {
	if p.PullRequest == nil {
		return promotion.ClosedEvent{}, fmt.Errorf("the event payload has no pull_request: is this a pull_request event?")
	}
	pp := p.PullRequest
	pr := &githost.PR{
		Number: pp.Number, URL: pp.HTMLURL, Title: pp.Title, Head: pp.Head.Ref, HeadSHA: pp.Head.SHA, Base: pp.Base.Ref,
		State: pp.State, Merged: pp.Merged, MergeSHA: pp.MergeCommitSHA, Author: pp.User.Login,
	}
	if pp.MergedAt != nil {
		pr.MergedAt = *pp.MergedAt
	}
	if pp.MergedBy != nil {
		pr.MergedBy = pp.MergedBy.Login
	}
	for _, l := range pp.Labels {
		pr.Labels = append(pr.Labels, l.Name)
	}
	return promotion.ClosedEvent{Repo: repo, PR: pr, Action: p.Action}, nil
}

func (p *payload) mergeEvent(repo string) promotion.MergeEvent {
	ev := promotion.MergeEvent{Repo: repo, SHA: p.SHA}
	switch {
	case p.CheckSuite != nil:
		ev.SHA = p.CheckSuite.HeadSHA
	case p.CheckRun != nil:
		ev.SHA = p.CheckRun.HeadSHA
	case p.WorkflowRun != nil:
		ev.SHA = p.WorkflowRun.HeadSHA
	case p.PullRequest != nil:
		ev.Number = p.PullRequest.Number
	}
	return ev
}
