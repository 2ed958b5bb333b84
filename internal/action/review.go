package action

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/promotion"
)

// review runs the config-repository side: comment and review commands,
// merges on check events, and the release of merged pull requests.
func review(ctx context.Context, a *githubactions.Action, env Env, in Inputs, cmd string, out *outputs, addMask func(string)) error {
	p, err := readPayload(env.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return err
	}
	repo := in.ConfigRepo
	if repo == "" {
		repo = p.Repository.FullName
	}
	if repo == "" {
		repo = env.Getenv("GITHUB_REPOSITORY")
	}
	auth := command.Auth{Token: in.GitHubToken, AppID: in.AppID, PrivateKey: in.PrivateKey, APIURL: env.Getenv("GITHUB_API_URL")}
	gh, err := auth.Client(ctx, repo, env.HTTPClient, addMask, func(f string, args ...any) { a.Infof("%s", fmt.Sprintf(f, args...)) })
	if err != nil {
		return err
	}
	event := env.Getenv("GITHUB_EVENT_NAME")
	var results []*promotion.Result
	switch {
	case cmd == "approve" && event == "pull_request_review":
		ev, err := p.reviewEvent(repo)
		if err != nil {
			return err
		}
		res, err := promotion.HandleReview(ctx, gh, ev)
		if err != nil {
			return err
		}
		results = append(results, res)
	case cmd == "approve":
		ev, err := p.commentEvent(repo)
		if err != nil {
			return err
		}
		ev.Self = gh.Identity
		res, err := promotion.HandleComment(ctx, gh, ev)
		if err != nil {
			return err
		}
		results = append(results, res)
	case cmd == "release":
		ev, err := p.closedEvent(repo)
		if err != nil {
			return err
		}
		res, err := promotion.HandleClosed(ctx, gh, ev)
		if err != nil {
			return err
		}
		results = append(results, res)
	default:
		if results, err = promotion.HandleChecks(ctx, gh, p.mergeEvent(repo)); err != nil {
			return err
		}
	}
	reportReview(a, out, results)
	return nil
}

func reportReview(a *githubactions.Action, out *outputs, results []*promotion.Result) {
	merged, tag, url, number := false, "", "", ""
	var b strings.Builder
	b.WriteString("### Baton\n\n| Pull request | Result |\n|---|---|\n")
	for _, r := range results {
		status := r.Reply
		switch {
		case r.Ignored != "":
			a.Noticef("%s", "ignored: "+r.Ignored)
			status = "ignored: " + r.Ignored
		case r.Release != nil:
			merged, tag, url = true, r.Release.Tag, r.Release.URL
			a.Noticef("%s", fmt.Sprintf("released %s (%s)", r.Release.Tag, r.Release.URL))
		case r.Waiting != "":
			a.Noticef("%s", "not merged: waiting for "+r.Waiting)
		}
		if r.PR != nil {
			number = strconv.Itoa(r.PR.Number)
			fmt.Fprintf(&b, "| [#%d](%s) | %s |\n", r.PR.Number, r.PR.URL, oneLine(status))
		}
	}
	out.set("merged", strconv.FormatBool(merged))
	out.set("release-tag", tag)
	out.set("release-url", url)
	out.set("pr-number", number)
	if number != "" {
		out.summary(b.String())
	}
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", "\\|")
}
