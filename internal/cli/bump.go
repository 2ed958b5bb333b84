package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/promotion"
)

func newBumpCmd(env Env, runF func(context.Context, *command.BumpOptions) error) *cobra.Command {
	opts := &command.BumpOptions{}
	cmd := &cobra.Command{
		Use:   "bump --config-repo OWNER/NAME --image REPO[:TAG] [flags]",
		Short: "Open or update the pull request that puts an image into an environment",
		Long: "Bump edits the environment's files in the config repository in one commit on\n" +
			"branch baton/<env>/<app> and opens or updates its pull request. The environment\n" +
			"comes from --env, or from --ref through the policy's branches:/tags: globs.",
		Example: "  baton bump --config-repo acme/config --image ghcr.io/acme/web:1.5.0 --ref refs/heads/develop\n" +
			"  GITHUB_TOKEN=… baton bump --config-repo acme/config --app web --image ghcr.io/acme/web --tag-strategy sha --sha $(git rev-parse HEAD) --env staging --dry-run",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Auth.Token == "" {
				opts.Auth.Token = firstEnv(env.Getenv, "BATON_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")
			}
			if opts.Auth.APIURL == "" {
				opts.Auth.APIURL = env.Getenv("GITHUB_API_URL")
			}
			opts.Now = time.Now()
			opts.Log = env.Stderr
			opts.Names = flagNames
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			res, err := command.Bump(cmd.Context(), *opts)
			if err != nil {
				return err
			}
			printBump(env.Stdout, res)
			return nil
		},
	}
	build := command.BuildFromEnv(env.Getenv)
	f := cmd.Flags()
	f.StringVar(&opts.ConfigRepo, "config-repo", "", "the config repository, `OWNER/NAME`")
	f.StringVar(&opts.App, "app", "", "app name (default: the app repository's name)")
	f.StringVar(&opts.Image, "image", "", "image `REPO[:TAG][@DIGEST]`")
	f.StringVar(&opts.Tag, "tag", "", "image tag (or the base version of --tag-strategy semver)")
	f.StringVar(&opts.TagStrategy, "tag-strategy", "", "compute the tag: sha, semver, timestamp or a Go template")
	f.StringVar(&opts.Digest, "digest", "", "image digest, sha256:HEX")
	f.StringVar(&opts.Env, "env", "", "environment (default: from --ref and the policy)")
	f.StringVar(&opts.PolicyFile, "policy-file", "", "policy path in the config repository (default .baton.yaml)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the diff and the calls it would make; change nothing")
	f.BoolVar(&opts.AllowDowngrade, "allow-downgrade", false, "allow an older version than the running one")
	f.StringVar(&opts.Auth.Token, "github-token", "", "GitHub token (default: $BATON_GITHUB_TOKEN, $GITHUB_TOKEN or $GH_TOKEN)")
	f.StringVar(&opts.Auth.AppID, "app-id", "", "GitHub App ID (with --private-key)")
	f.StringVar(&opts.Auth.PrivateKey, "private-key", "", "GitHub App private key: PEM `FILE`")
	f.StringVar(&opts.Auth.APIURL, "api-url", "", "GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)")
	f.StringVar(&opts.Build.Ref, "ref", build.Ref, "the app-repository ref that was built (default $GITHUB_REF)")
	f.StringVar(&opts.Build.SHA, "sha", build.SHA, "the commit the image was built from (default $GITHUB_SHA)")
	f.StringVar(&opts.Build.Repo, "source-repo", build.Repo, "the app repository, OWNER/NAME (default $GITHUB_REPOSITORY)")
	f.StringVar(&opts.Build.RunURL, "run-url", build.RunURL, "the build's URL, recorded in the commit")
	f.StringVar(&opts.Build.Actor, "actor", build.Actor, "who triggered the build (default $GITHUB_ACTOR)")
	f.StringVar(&opts.Build.RunNumber, "run-number", build.RunNumber, "the build's run number, for semver pre-releases")
	return cmd
}

func firstEnv(getenv func(string) string, keys ...string) string {
	for _, k := range keys {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

func printBump(w io.Writer, res *command.BumpOutcome) {
	switch res.Outcome {
	case promotion.Created, promotion.Updated:
		fmt.Fprintf(w, "%s %s → %s in %s: pull request #%d %s\n%s\n", res.App, strings.Join(res.From, ", "), res.To, res.Env, res.PR.Number, res.Outcome, res.PR.URL)
	case promotion.Planned:
		fmt.Fprint(w, res.Diff)
	default:
		fmt.Fprintf(w, "%s: %s\n", res.Outcome, res.Notice)
	}
}
