package command

import (
	"context"
	"errors"

	"github.com/baton-dev/baton/internal/promotion"
)

// ApproveOptions are the inputs of "approve": one comment command
// (issue_comment) or one native review (pull_request_review), exactly one
// of them set.
type ApproveOptions struct {
	ConfigRepo
	Comment *promotion.CommentEvent
	Review  *promotion.ReviewEvent
}

// Approve runs a comment command or counts a review, and merges and
// releases the pull request when its policy is met. An event it acted on
// without merging also finishes what earlier runs left (see Reconcile).
func Approve(ctx context.Context, opts ApproveOptions) (*promotion.Result, error) {
	if (opts.Comment == nil) == (opts.Review == nil) {
		return nil, &InputError{Err: errors.New("approve needs one comment or one review event")}
	}
	gh, loadPolicy, err := opts.connect(ctx)
	if err != nil {
		return nil, err
	}
	var res *promotion.Result
	if opts.Review != nil {
		ev := *opts.Review
		ev.Repo = opts.Repo
		res, err = promotion.HandleReview(ctx, gh, loadPolicy, ev)
	} else {
		ev := *opts.Comment
		ev.Repo = opts.Repo
		ev.Self = gh.Identity // Baton never acts on its own comments
		res, err = promotion.HandleComment(ctx, gh, loadPolicy, ev)
	}
	if err == nil && res.Ignored == "" && !res.Merged {
		sweep(ctx, opts.ConfigRepo, gh, loadPolicy)
	}
	return res, err
}
