package cli

import (
	"github.com/spf13/cobra"

	"github.com/baton-dev/baton/internal/action"
)

func newRunCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run as a GitHub Action (the container entrypoint): inputs from INPUT_*, command from the event",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := action.Run(cmd.Context(), action.Env{Getenv: env.Getenv, Stdout: env.Stdout})
			if err != nil {
				return &reported{err}
			}
			return nil
		},
	}
}

// reported is an error already printed as an ::error annotation.
type reported struct{ error }

func (r *reported) Unwrap() error { return r.error }
