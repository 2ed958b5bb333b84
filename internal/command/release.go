package command

import (
	"context"
	"errors"

	"github.com/baton-dev/baton/internal/promotion"
)

// ReleaseOptions are the inputs of "release": a pull_request event, acted
// on when it is the merge of a Baton pull request.
type ReleaseOptions struct {
	ConfigRepo
	Event promotion.ClosedEvent
}

// Release tags and releases a merged Baton pull request, whoever merged
// it; it is idempotent with the release Baton makes right after its own
// merge. Any pull_request event also finishes what earlier runs left
// (see Reconcile).
func Release(ctx context.Context, opts ReleaseOptions) (*promotion.Result, error) {
	if opts.Event.PR == nil {
		return nil, &InputError{Err: errors.New("release needs a pull_request event")}
	}
	gh, loadPolicy, err := opts.connect(ctx)
	if err != nil {
		return nil, err
	}
	ev := opts.Event
	ev.Repo = opts.Repo
	res, err := promotion.HandleClosed(ctx, gh, loadPolicy, ev)
	if err == nil && !res.Merged {
		sweep(ctx, opts.ConfigRepo, gh, loadPolicy)
	}
	return res, err
}
