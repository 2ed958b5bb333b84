// Package command holds every use case's entry, once for both front ends:
// the CLI (flags, in internal/cli) and the GitHub Action (inputs and
// events, in internal/action). Each command has one file and one options
// struct; the front ends only translate into those. The package also
// holds what every command shares: the input error and the exit codes
// (errors.go), authentication (auth.go), the build's context (build.go)
// and the one policy loader (policy.go).
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/promotion"
)

// BumpOptions are the inputs of "baton bump".
type BumpOptions struct {
	ConfigRepo     string
	App            string // defaults to the app repository's name
	Image          string // repository, optionally with tag and digest
	Tag            string
	TagStrategy    string
	Digest         string
	Env            string
	PolicyFile     string
	DryRun         bool
	AllowDowngrade bool
	Auth           Auth
	Build          Build
	Now            time.Time
	HTTPClient     *http.Client
	// OnToken receives every token, to be masked.
	OnToken func(string)
	// Log receives progress and the dry run's plan.
	Log io.Writer
	// Names names the inputs in errors (nil: the Action's input names).
	Names Names
}

// BumpOutcome is what "baton bump" did, with the image it used.
type BumpOutcome struct {
	*promotion.BumpResult
	Image image.Ref
	Tag   string
	// Merge is the merge attempt right after the bump of a merge: auto
	// environment (nil when none was made).
	Merge *promotion.Result
}

// Bump resolves the image, then opens or updates the promotion PR.
//
// Wrong inputs are *InputError (exit 2) naming the input as the front end
// calls it (opts.Names); problems in the config repository's policy or
// files are *ConfigFileError (exit 3); GitHub's failures are returned
// wrapped with what was being bumped (exit 1).
func Bump(ctx context.Context, opts BumpOptions) (*BumpOutcome, error) {
	n := opts.Names
	opts.Auth.Names = n
	if opts.ConfigRepo == "" {
		return nil, inputErr("%s is required: the owner/name of the config repository", n.Of("config-repo"))
	}
	if owner, name, ok := strings.Cut(opts.ConfigRepo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, inputErr("%s %q is not owner/name", n.Of("config-repo"), opts.ConfigRepo)
	}
	runID, ok := opts.Build.runID()
	if !ok {
		return nil, inputErr("GITHUB_RUN_ID %q is not a workflow run id: the number GitHub gives a run", opts.Build.RunID)
	}
	want, tag, err := resolveImage(opts)
	if err != nil {
		return nil, err
	}
	app := opts.App
	if app == "" && opts.Build.Repo != "" {
		_, app, _ = strings.Cut(opts.Build.Repo, "/")
		app = strings.ToLower(app)
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	gh, err := opts.Auth.Client(ctx, opts.ConfigRepo, opts.HTTPClient, opts.OnToken, logf, opts.Build.Repo)
	if err != nil {
		return nil, err
	}
	pol, defaultBranch, err := LoadPolicy(ctx, gh, opts.ConfigRepo, opts.PolicyFile)
	if isEmptyRepo(err) {
		return nil, &promotion.ConfigError{Err: fmt.Errorf("%s is empty (it has no commits): push the environments' files (and .baton.yaml) to its default branch first", opts.ConfigRepo)}
	}
	if err != nil {
		return nil, configFile(err, opts.ConfigRepo, defaultBranch)
	}
	if app == "" && len(pol.Apps) == 0 {
		// Nothing names the app: the image's last path element does
		// (ghcr.io/acme/web is web), as the seed layout's files expect.
		app = path.Base(want.Name)
	}
	res, err := promotion.Bump(ctx, gh, promotion.BumpRequest{
		ConfigRepo: opts.ConfigRepo, App: app, Image: want, Env: opts.Env, Ref: opts.Build.Ref,
		Policy: pol, DefaultBranch: defaultBranch, SourceRepo: opts.Build.Repo, SourceSHA: opts.Build.SHA,
		RunURL: opts.Build.RunURL, RunID: runID, Actor: opts.Build.Actor, AllowDowngrade: opts.AllowDowngrade,
		DryRun: opts.DryRun, Log: opts.Log,
	})
	var ue *promotion.UnknownEnvError
	var ae *promotion.AppError
	var be *promotion.BuildError
	switch {
	case err == nil:
	case errors.As(err, &be):
		return nil, inputErr("%v", err)
	case errors.As(err, &ue):
		return nil, inputErr("%s: %v", n.Of("env"), err)
	case errors.As(err, &ae):
		return nil, inputErr("%v (set %s to an app of the policy, or %s to its image)", err, n.Of("app"), n.Of("image"))
	case IsConfigError(err):
		return nil, configFile(err, opts.ConfigRepo, defaultBranch) // its lines start with file:line, for annotations
	default:
		name := app
		if name == "" {
			name = want.Name
		}
		return nil, fmt.Errorf("bump %s to %s in %s: %w", name, want.Version(), opts.ConfigRepo, err)
	}
	if res.Outcome == promotion.Skipped {
		res.Notice = strings.ReplaceAll(res.Notice, "pass allow-downgrade", "pass "+n.Of("allow-downgrade"))
	}
	out := &BumpOutcome{BumpResult: res, Image: want, Tag: tag}
	if res.Changed() && res.Merge == policy.MergeAuto {
		// merge: auto environments merge right after the bump when nothing
		// is pending; otherwise check events merge them later.
		samePolicy := func(context.Context) (*policy.Policy, error) { return pol, nil }
		results, err := promotion.HandleChecks(ctx, gh, samePolicy, promotion.MergeEvent{Repo: opts.ConfigRepo, Number: res.PR.Number})
		if err != nil {
			return out, fmt.Errorf("pull request #%d was opened, but the merge attempt failed: %w", res.PR.Number, err)
		}
		if len(results) == 1 {
			out.Merge = results[0]
		}
	}
	return out, nil
}

// resolveImage combines the image input with the tag and digest inputs
// (image.Resolve). A tag or digest given twice with different values is an
// input error: Baton cannot know which one was meant. With no tag at all,
// the tag strategy computes one (with semver, the tag input is its base
// version, not the image's tag).
func resolveImage(opts BumpOptions) (image.Ref, string, error) {
	n := opts.Names
	if opts.Image == "" {
		return image.Ref{}, "", inputErr("%s is required: the image repository, e.g. ghcr.io/acme/web", n.Of("image"))
	}
	explicit := opts.Tag
	if opts.TagStrategy == "semver" {
		explicit = ""
	}
	if explicit != "" {
		if err := image.ValidTag(explicit); err != nil {
			return image.Ref{}, "", inputErr("%s: %v", n.Of("tag"), err)
		}
	}
	want, err := image.Resolve(opts.Image, explicit, opts.Digest)
	var ce *image.ConflictError
	switch {
	case errors.As(err, &ce):
		return image.Ref{}, "", inputErr("%s names %s %q but %s is %q: give the %s once, or the same value in both", n.Of("image"), ce.Part, ce.InImage, n.Of(ce.Part), ce.Given, ce.Part)
	case err != nil:
		return image.Ref{}, "", inputErr("%s: %v", n.Of("image"), err)
	}
	if want.Tag == "" {
		t, err := Tag(TagOptions{Tag: opts.Tag, Strategy: opts.TagStrategy, Build: opts.Build, Now: opts.Now, Names: n})
		if err != nil {
			return image.Ref{}, "", err
		}
		if want, err = image.Resolve(want.String(), t.Tag, ""); err != nil {
			return image.Ref{}, "", inputErr("%s: %v", n.Of("image"), err)
		}
	}
	return want, want.Tag, nil
}

// configFile marks a config-repository problem with where its files live.
func configFile(err error, repo, branch string) error {
	if !IsConfigError(err) {
		return err
	}
	if branch == "" {
		branch = "HEAD"
	}
	return &ConfigFileError{Repo: repo, Ref: branch, Err: err}
}

// isEmptyRepo recognizes GitHub's answer for a repository with no commits
// (409 "Git Repository is empty." from the contents and Git APIs).
func isEmptyRepo(err error) bool {
	return errors.Is(err, githost.ErrConflict) && strings.Contains(err.Error(), "empty")
}
