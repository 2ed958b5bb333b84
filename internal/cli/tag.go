package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/baton-dev/baton/internal/command"
)

func newTagCmd(env Env) *cobra.Command {
	opts := &command.TagOptions{}
	cmd := &cobra.Command{
		Use:   "tag [--image REPO] [--tag-strategy sha|semver|timestamp|TEMPLATE] [--tag BASE]",
		Short: "Compute the image tag for a build",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			opts.Now = time.Now()
			opts.Names = flagNames
			res, err := command.Tag(*opts)
			if err != nil {
				return err
			}
			if res.Image != "" {
				fmt.Fprintln(env.Stdout, res.Image)
				return nil
			}
			fmt.Fprintln(env.Stdout, res.Tag)
			return nil
		},
	}
	build := command.BuildFromEnv(env.Getenv)
	f := cmd.Flags()
	f.StringVar(&opts.Image, "image", "", "image repository; prints REPO:TAG when given")
	f.StringVar(&opts.Tag, "tag", "", "explicit tag, or the base version for --tag-strategy semver")
	f.StringVar(&opts.Strategy, "tag-strategy", "sha", "sha, semver, timestamp, or a Go template")
	f.StringVar(&opts.Build.SHA, "sha", build.SHA, "commit id (default $GITHUB_SHA)")
	f.StringVar(&opts.Build.Ref, "ref", build.Ref, "ref (default $GITHUB_REF)")
	f.StringVar(&opts.Build.RunNumber, "run-number", build.RunNumber, "run number (default $GITHUB_RUN_NUMBER)")
	return cmd
}
