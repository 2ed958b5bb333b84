package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

// commandFor picks the command for command: auto from the event.
func commandFor(in Inputs, event string) (string, error) {
	if in.Command != "auto" {
		switch in.Command {
		case "bump", "tag", "approve", "release", "merge", "reconcile":
			return in.Command, nil
		}
		return "", &command.InputError{Err: fmt.Errorf("command %q is not available (auto, bump, tag, approve, release, merge or reconcile)", in.Command)}
	}
	switch event {
	case "push", "create", "release", "registry_package":
		return "bump", nil
	case "issue_comment", "pull_request_review":
		return "approve", nil
	case "pull_request", "pull_request_target":
		return "release", nil
	case "check_suite", "check_run", "status", "workflow_run":
		return "merge", nil
	case "workflow_dispatch", "schedule":
		// In the config repository these finish what failed runs left.
		return "reconcile", nil
	case "":
		return "", &command.InputError{Err: errors.New("GITHUB_EVENT_NAME is not set: baton run is meant to run inside GitHub Actions (use baton bump on the command line)")}
	default:
		return "", &command.InputError{Err: fmt.Errorf("event %s has no command: set the command input", event)}
	}
}

// invocation is one run: the command the event picked and its options.
// Only the one of the command is set.
type invocation struct {
	command string // tag, bump, approve, merge or release
	tag     command.TagOptions
	bump    command.BumpOptions
	approve command.ApproveOptions
	merge   command.MergeOptions
	release command.ReleaseOptions
	// reconcile finishes what failed runs left (schedule, dispatch).
	reconcile command.ReconcileOptions
}

// world is what building the options reads besides the inputs.
type world struct {
	getenv     func(string) string
	now        time.Time
	httpClient *http.Client
	log        io.Writer
	addMask    func(string)
}

// invocationFor maps the inputs and the event to a command and its
// options. It is the only place that looks at the event's name.
func invocationFor(in Inputs, w world) (*invocation, error) {
	event := w.getenv("GITHUB_EVENT_NAME")
	if in.Command == "auto" && event == "workflow_dispatch" {
		// A dispatch names its command as a workflow input.
		if p, err := readPayload(w.getenv("GITHUB_EVENT_PATH")); err == nil && p.Inputs["command"] != "" {
			in.Command = p.Inputs["command"]
		}
	}
	name, err := commandFor(in, event)
	if err != nil {
		return nil, err
	}
	inv := &invocation{command: name}
	auth := command.Auth{Token: in.GitHubToken, AppID: in.AppID, PrivateKey: in.PrivateKey, APIURL: w.getenv("GITHUB_API_URL")}
	build := command.BuildFromEnv(w.getenv)
	switch name {
	case "tag":
		inv.tag = command.TagOptions{Image: in.Image, Tag: in.Tag, Strategy: in.TagStrategy, Build: build, Now: w.now}
		return inv, nil
	case "bump":
		inv.bump = command.BumpOptions{
			ConfigRepo: in.ConfigRepo, App: in.App, Image: in.Image, Tag: in.Tag, TagStrategy: in.TagStrategy,
			Digest: in.Digest, Env: in.Env, PolicyFile: in.PolicyFile, DryRun: in.DryRun, AllowDowngrade: in.AllowDowngrade,
			Auth: auth, Build: build, Now: w.now, HTTPClient: w.httpClient, Log: untrustedWriter{w.log}, OnToken: w.addMask,
		}
		return inv, nil
	}
	p, err := readPayload(w.getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return nil, err
	}
	repo := in.ConfigRepo
	if repo == "" {
		repo = p.Repository.FullName
	}
	if repo == "" {
		repo = w.getenv("GITHUB_REPOSITORY")
	}
	cr := command.ConfigRepo{Repo: repo, PolicyFile: in.PolicyFile, Auth: auth, HTTPClient: w.httpClient, OnToken: w.addMask, Log: w.log}
	switch {
	case name == "approve" && event == "pull_request_review":
		ev, err := p.reviewEvent(repo)
		if err != nil {
			return nil, err
		}
		inv.approve = command.ApproveOptions{ConfigRepo: cr, Review: &ev}
	case name == "approve":
		ev, err := p.commentEvent(repo)
		if err != nil {
			return nil, err
		}
		inv.approve = command.ApproveOptions{ConfigRepo: cr, Comment: &ev}
	case name == "reconcile":
		inv.reconcile = command.ReconcileOptions{ConfigRepo: cr}
	case name == "release":
		ev, err := p.closedEvent(repo)
		if err != nil {
			return nil, err
		}
		inv.release = command.ReleaseOptions{ConfigRepo: cr, Event: ev}
	default:
		ev := p.mergeEvent(repo)
		if ev.SHA == "" && ev.Number == 0 {
			// A dispatch's command input (anyone who can dispatch sets it)
			// or a workflow's command: merge on an event with no commit.
			return nil, &command.InputError{Err: fmt.Errorf("command merge on a %s event: the event names no commit or pull request (merge runs on check_suite, check_run, status, workflow_run and pull_request events; workflow_dispatch and schedule run reconcile)", event)}
		}
		inv.merge = command.MergeOptions{ConfigRepo: cr, SHA: ev.SHA, Number: ev.Number}
	}
	return inv, nil
}

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
		ID          int64     `json:"id"`
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
	ID    int64  `json:"id"`
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
		Repo: repo, Number: p.Issue.Number, IsPR: isPR, CommentID: p.Comment.ID, Author: p.Comment.User.Login, AuthorID: p.Comment.User.ID,
		AuthorType: p.Comment.User.Type, Body: p.Comment.Body, Action: p.Action, CreatedAt: p.Comment.CreatedAt,
	}, nil
}

func (p *payload) reviewEvent(repo string) (promotion.ReviewEvent, error) {
	if p.Review == nil || p.PullRequest == nil {
		return promotion.ReviewEvent{}, fmt.Errorf("the event payload has no review: is this a pull_request_review event?")
	}
	return promotion.ReviewEvent{
		Repo: repo, Number: p.PullRequest.Number, ReviewID: p.Review.ID, Author: p.Review.User.Login, State: p.Review.State,
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
