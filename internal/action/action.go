// Package action runs Baton as a GitHub Action: it reads the INPUT_*
// variables (hyphens kept, inputs.go) and the GITHUB_* context, turns the
// event into a command and its options (events.go), runs it through
// internal/command, and writes outputs, a step summary and annotations
// (outputs.go). It is the only package that imports go-githubactions.
package action

import (
	"context"
	"io"
	"net/http"
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

// Run runs the Action. Its error, if any, was already reported as an
// ::error annotation; the caller maps it to an exit status
// (command.ExitCode).
func Run(ctx context.Context, env Env) error {
	a := githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(env.Stdout))
	err := run(ctx, a, env)
	if err != nil {
		annotate(a, env.Getenv, err)
		(&outputs{a: a, getenv: env.Getenv, w: env.Stdout}).summary(failureSummary(err))
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
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	inv, err := invocationFor(in, world{getenv: env.Getenv, now: now, httpClient: env.HTTPClient, log: env.Stdout, addMask: addMask})
	if err != nil {
		return err
	}
	out := &outputs{a: a, getenv: env.Getenv, w: env.Stdout}
	switch inv.command {
	case "tag":
		res, err := command.Tag(inv.tag)
		if err != nil {
			return err
		}
		out.set("tag", res.Tag)
		out.set("image", res.Image)
		a.Infof("%s", "tag: "+res.Tag)
	case "bump":
		res, err := command.Bump(ctx, inv.bump)
		if err != nil {
			return err
		}
		reportBump(a, out, res)
	case "approve":
		res, err := command.Approve(ctx, inv.approve)
		if err != nil {
			return err
		}
		reportReview(a, out, []*promotion.Result{res})
	case "release":
		res, err := command.Release(ctx, inv.release)
		if err != nil {
			return err
		}
		reportReview(a, out, []*promotion.Result{res})
	case "reconcile":
		results, err := command.Reconcile(ctx, inv.reconcile)
		reportReview(a, out, results)
		if err != nil {
			return err
		}
	default:
		results, err := command.Merge(ctx, inv.merge)
		if err != nil {
			return err
		}
		reportReview(a, out, results)
	}
	return nil
}
