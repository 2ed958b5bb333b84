package command_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/promotion"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"done", nil, command.ExitOK},
		{"input", &command.InputError{Err: errors.New("image is required")}, command.ExitInput},
		{"wrapped input", fmt.Errorf("bump: %w", &command.InputError{Err: errors.New("x")}), command.ExitInput},
		{"config repo", fmt.Errorf("bump: %w", &promotion.ConfigError{Err: errors.New(".baton.yaml:3: unknown key")}), command.ExitConfig},
		{"github", &githost.Error{Op: "create ref", Status: 500, Kind: githost.ErrRetryable}, command.ExitFailed},
		{"undecided guard", &promotion.UndecidedError{What: "the history of acme/web", Err: githost.ErrRetryable}, command.ExitFailed},
	} {
		if got := command.ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestConfigRepoCommandsCheckTheirInputs: approve, merge and release refuse
// options that name no event or a malformed repository, as input errors
// and before any request.
func TestConfigRepoCommandsCheckTheirInputs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cr := command.ConfigRepo{Repo: "acme/config", Auth: command.Auth{Token: "t", APIURL: "http://127.0.0.1:1"}}
	bad := cr
	bad.Repo = "acme"
	ev := &promotion.CommentEvent{Action: "created", Body: "/approve"}
	for name, run := range map[string]func() error{
		"approve with no event": func() error { _, err := command.Approve(ctx, command.ApproveOptions{ConfigRepo: cr}); return err },
		"approve with two events": func() error {
			_, err := command.Approve(ctx, command.ApproveOptions{ConfigRepo: cr, Comment: ev, Review: &promotion.ReviewEvent{}})
			return err
		},
		"approve in a bad repo": func() error {
			_, err := command.Approve(ctx, command.ApproveOptions{ConfigRepo: bad, Comment: ev})
			return err
		},
		"merge with no commit": func() error { _, err := command.Merge(ctx, command.MergeOptions{ConfigRepo: cr}); return err },
		"release with no PR":   func() error { _, err := command.Release(ctx, command.ReleaseOptions{ConfigRepo: cr}); return err },
		"merge without credentials": func() error {
			_, err := command.Merge(ctx, command.MergeOptions{ConfigRepo: command.ConfigRepo{Repo: "acme/config"}, SHA: "abc"})
			return err
		},
	} {
		if err := run(); command.ExitCode(err) != command.ExitInput {
			t.Errorf("%s: err %v (exit %d), want an input error", name, err, command.ExitCode(err))
		}
	}
}
