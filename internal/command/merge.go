package command

import (
	"context"

	"github.com/baton-dev/baton/internal/promotion"
)

// MergeOptions are the inputs of "merge": a finished check (check_suite,
// check_run, status, workflow_run: the commit) or a pull request number.
type MergeOptions struct {
	ConfigRepo
	SHA    string // the commit whose checks finished
	Number int    // or the pull request to try
}

// Merge tries to merge the open Baton pull requests the check belongs to,
// and releases what it merged. When it merged nothing it also finishes
// what earlier runs left (see Reconcile).
func Merge(ctx context.Context, opts MergeOptions) ([]*promotion.Result, error) {
	if opts.SHA == "" && opts.Number == 0 {
		return nil, inputErr("merge needs the commit whose checks finished, or a pull request number")
	}
	gh, loadPolicy, err := opts.connect(ctx)
	if err != nil {
		return nil, err
	}
	results, err := promotion.HandleChecks(ctx, gh, loadPolicy, promotion.MergeEvent{Repo: opts.Repo, SHA: opts.SHA, Number: opts.Number})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Merged {
			return results, nil
		}
	}
	return append(results, sweep(ctx, opts.ConfigRepo, gh, loadPolicy)...), nil
}
