package command

import (
	"context"
	"fmt"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/promotion"
)

// ReconcileOptions are the inputs of "reconcile" (schedule and
// workflow_dispatch in the config repository): finish what failed runs
// left.
type ReconcileOptions struct {
	ConfigRepo
}

// Reconcile releases every recently merged Baton promotion that has no
// release yet (a run that merged it ran out of retries on the release, or
// a GITHUB_TOKEN merge started no pull_request workflow). Nothing left to
// do costs at most three requests (Baton's identity, one page of closed
// pull requests, one page of releases when Baton merged any of them). A release that still fails is an error: the run fails, and
// the next one tries again.
func Reconcile(ctx context.Context, opts ReconcileOptions) ([]*promotion.Result, error) {
	gh, loadPolicy, err := opts.connect(ctx)
	if err != nil {
		return nil, err
	}
	return promotion.Reconcile(ctx, gh, loadPolicy, opts.Repo)
}

// sweep runs the reconciliation after another command's event, so the
// next event on any pull request finishes what a failed run left. It is
// best effort there: its failures are logged, not the event's result
// (the schedule's reconcile run reports them as its own).
func sweep(ctx context.Context, c ConfigRepo, gh *forge.Client, loadPolicy promotion.PolicyFunc) []*promotion.Result {
	done, err := promotion.Reconcile(ctx, gh, loadPolicy, c.Repo)
	if c.Log != nil {
		for _, r := range done {
			fmt.Fprintf(c.Log, "finished an earlier run: released #%d (merged as %.7s) as %s\n", r.PR.Number, r.MergeSHA, r.Release.Tag)
		}
		if err != nil {
			fmt.Fprintf(c.Log, "warning: could not finish earlier runs: %v\n", err)
		}
	}
	return done
}
