// Package action runs Baton as a GitHub Action: it reads the INPUT_*
// variables (hyphens kept) and the GITHUB_* context, picks the command from
// the event, runs it, and writes outputs, a step summary and annotations.
// It is the only package that imports go-githubactions.
package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/promotion"
)

// Env is the outside world of an Action run.
type Env struct {
	Getenv     func(string) string
	Stdout     io.Writer
	Now        func() time.Time
	HTTPClient *http.Client
}

// Inputs are the Action's inputs, named exactly as in action.yml.
type Inputs struct {
	Command     string
	GitHubToken string
	AppID       string
	PrivateKey  string
	ConfigRepo  string
	App         string
	Image       string
	Tag         string
	TagStrategy string
	Digest      string
	Env         string
	PolicyFile  string
	DryRun      bool
}

// ReadInputs reads the inputs; a malformed one is an InputError.
func ReadInputs(a *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Command: a.GetInput("command"), GitHubToken: a.GetInput("github-token"), AppID: a.GetInput("app-id"),
		PrivateKey: a.GetInput("private-key"), ConfigRepo: a.GetInput("config-repo"), App: a.GetInput("app"),
		Image: a.GetInput("image"), Tag: a.GetInput("tag"), TagStrategy: a.GetInput("tag-strategy"),
		Digest: a.GetInput("digest"), Env: a.GetInput("env"), PolicyFile: a.GetInput("policy-file"),
	}
	if in.Command == "" {
		in.Command = "auto"
	}
	switch v := strings.ToLower(a.GetInput("dry-run")); v {
	case "", "false":
	case "true":
		in.DryRun = true
	default:
		return in, &command.InputError{Err: fmt.Errorf("dry-run %q: want true or false", v)}
	}
	return in, nil
}

// Exit statuses of "baton run".
const (
	ExitOK     = 0 // done, or nothing to do (no-op, not for this ref)
	ExitFailed = 1 // GitHub or the network failed; a retry of the job may pass
	ExitInput  = 2 // an input is wrong: fix the workflow
	ExitConfig = 3 // the config repository's policy or files are wrong: fix them
)

// ExitCode maps an error from Run to the exit status.
func ExitCode(err error) int {
	var ie *command.InputError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ie):
		return ExitInput
	case command.IsConfigError(err):
		return ExitConfig
	default:
		return ExitFailed
	}
}

// commandFor picks the command for command: auto from the event.
func commandFor(in Inputs, event string) (string, error) {
	if in.Command != "auto" {
		switch in.Command {
		case "bump", "tag", "approve", "release", "merge":
			return in.Command, nil
		}
		return "", &command.InputError{Err: fmt.Errorf("command %q is not available (auto, bump, tag, approve, release or merge)", in.Command)}
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
		return "", &command.InputError{Err: fmt.Errorf("event %s: set the command input (bump, tag, merge), or give the dispatch a command input", event)}
	case "":
		return "", &command.InputError{Err: errors.New("GITHUB_EVENT_NAME is not set: baton run is meant to run inside GitHub Actions (use baton bump on the command line)")}
	default:
		return "", &command.InputError{Err: fmt.Errorf("event %s has no command: set the command input", event)}
	}
}

// Run runs the Action. Its error, if any, was already reported as an
// ::error annotation; the caller maps it to an exit status.
func Run(ctx context.Context, env Env) error {
	a := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	err := run(ctx, a, env)
	if err != nil {
		annotate(a, err)
	}
	return err
}

func run(ctx context.Context, a *githubactions.Action, env Env) error {
	in, err := ReadInputs(a)
	masked := map[string]bool{}
	addMask := func(s string) {
		if s != "" && !masked[s] {
			masked[s] = true
			a.AddMask(s)
		}
	}
	mask(addMask, in)
	if err != nil {
		return err
	}
	if in.Command == "auto" && env.Getenv("GITHUB_EVENT_NAME") == "workflow_dispatch" {
		// A dispatch names its command as a workflow input.
		if p, perr := readPayload(env.Getenv("GITHUB_EVENT_PATH")); perr == nil && p.Inputs["command"] != "" {
			in.Command = p.Inputs["command"]
		}
	}
	cmd, err := commandFor(in, env.Getenv("GITHUB_EVENT_NAME"))
	if err != nil {
		return err
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	build := command.BuildFromEnv(env.Getenv)
	out := &outputs{a: a, getenv: env.Getenv}
	switch cmd {
	case "tag":
		res, err := command.Tag(command.TagOptions{Image: in.Image, Tag: in.Tag, Strategy: in.TagStrategy, Build: build, Now: now})
		if err != nil {
			return err
		}
		out.set("tag", res.Tag)
		out.set("image", res.Image)
		a.Infof("%s", "tag: "+res.Tag)
		return nil
	case "approve", "release", "merge":
		return review(ctx, a, env, in, cmd, out, addMask)
	default:
		res, err := command.Bump(ctx, command.BumpOptions{
			ConfigRepo: in.ConfigRepo, App: in.App, Image: in.Image, Tag: in.Tag, TagStrategy: in.TagStrategy,
			Digest: in.Digest, Env: in.Env, PolicyFile: in.PolicyFile, DryRun: in.DryRun,
			Auth:  command.Auth{Token: in.GitHubToken, AppID: in.AppID, PrivateKey: in.PrivateKey, APIURL: env.Getenv("GITHUB_API_URL")},
			Build: build, Now: now, HTTPClient: env.HTTPClient, Log: env.Stdout,
			OnToken: addMask,
		})
		if err != nil {
			return err
		}
		reportBump(a, out, res)
		return nil
	}
}

// mask hides every secret input from the log, line by line for the key.
func mask(addMask func(string), in Inputs) {
	addMask(in.GitHubToken)
	for _, line := range strings.Split(in.PrivateKey, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "-----") {
			addMask(l)
		}
	}
}

// outputs writes step outputs when the runner provides the file; outside a
// runner they are printed instead of failing.
type outputs struct {
	a      *githubactions.Action
	getenv func(string) string
}

func (o *outputs) set(k, v string) {
	if o.getenv("GITHUB_OUTPUT") == "" {
		o.a.Infof("%s", "output "+k+"="+v)
		return
	}
	o.a.SetOutput(k, v)
}

func (o *outputs) summary(md string) {
	if o.getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	o.a.AddStepSummary(md)
}

func reportBump(a *githubactions.Action, out *outputs, res *command.BumpOutcome) {
	out.set("tag", res.Tag)
	out.set("image", res.Image.String())
	out.set("env", res.Env)
	out.set("changed", strconv.FormatBool(res.Changed()))
	prNumber, prURL := "", ""
	if res.PR != nil {
		prNumber, prURL = strconv.Itoa(res.PR.Number), res.PR.URL
	}
	out.set("pr-number", prNumber)
	out.set("pr-url", prURL)
	if m := res.Merge; m != nil {
		switch {
		case m.Release != nil:
			out.set("merged", "true")
			out.set("release-tag", m.Release.Tag)
			out.set("release-url", m.Release.URL)
			a.Noticef("%s", fmt.Sprintf("merged and released %s (%s)", m.Release.Tag, m.Release.URL))
		case m.Waiting != "":
			a.Noticef("%s", "not merged yet: waiting for "+m.Waiting)
		}
	}

	switch res.Outcome {
	case promotion.Created, promotion.Updated:
		a.Noticef("%s", fmt.Sprintf("%s %s → %s in %s: pull request #%d %s (%s)", res.App, strings.Join(res.From, ", "), res.To, res.Env, res.PR.Number, res.Outcome, res.PR.URL))
	case promotion.Planned:
		a.Infof("%s", res.Diff)
		a.Noticef("%s", fmt.Sprintf("dry run: %s %s → %s in %s; nothing was changed", res.App, strings.Join(res.From, ", "), res.To, res.Env))
	default:
		a.Noticef("%s", res.Notice)
	}
	from := strings.Join(res.From, ", ")
	if from == "" {
		from = "—"
	}
	pr := "—"
	if res.PR != nil {
		pr = fmt.Sprintf("[#%d](%s)", res.PR.Number, res.PR.URL)
	}
	var b strings.Builder
	b.WriteString("### Baton\n\n| App | Environment | From | To | Pull request | Result |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | `%s` | `%s` | %s | %s |\n", res.App, dash(res.Env), from, res.To, pr, res.Outcome)
	if res.Notice != "" {
		fmt.Fprintf(&b, "\n%s\n", res.Notice)
	}
	out.summary(b.String())
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// placeRe finds "file:line: " at the start of an error line.
var placeRe = regexp.MustCompile(`^([^\s:]+\.ya?ml):(\d+): `)

// annotate reports an error as ::error annotations: one per line of a
// joined error, with file and line where the line names them.
func annotate(a *githubactions.Action, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := placeRe.FindStringSubmatch(line); m != nil {
			a.WithFieldsMap(map[string]string{"file": m[1], "line": m[2], "title": "Baton"}).Errorf("%s", line)
			continue
		}
		a.WithFieldsMap(map[string]string{"title": "Baton"}).Errorf("%s", line)
	}
}
