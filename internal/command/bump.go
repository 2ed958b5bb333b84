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
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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
func Bump(ctx context.Context, opts BumpOptions) (*BumpOutcome, error) {
	if opts.ConfigRepo == "" {
		return nil, inputErr("config-repo is required: the owner/name of the config repository")
	}
	if owner, name, ok := strings.Cut(opts.ConfigRepo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, inputErr("config-repo %q is not owner/name", opts.ConfigRepo)
	}
	if opts.Image == "" {
		return nil, inputErr("image is required: the image repository, e.g. ghcr.io/acme/web")
	}
	want, err := image.Parse(opts.Image)
	if err != nil {
		return nil, inputErr("image: %v", err)
	}
	tag := want.Tag
	switch {
	case opts.Tag != "" && opts.TagStrategy != "semver":
		tag = opts.Tag
	case tag == "":
		t, err := Tag(TagOptions{Tag: opts.Tag, Strategy: opts.TagStrategy, Build: opts.Build, Now: opts.Now})
		if err != nil {
			return nil, err
		}
		tag = t.Tag
	}
	repo := want.Written
	if want.Digest != "" && opts.Digest == "" {
		opts.Digest = want.Digest
	}
	want, err = image.WithTag(repo, tag, opts.Digest)
	if err != nil {
		return nil, inputErr("image: %v", err)
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
	if err != nil {
		return nil, err
	}
	res, err := promotion.Bump(ctx, gh, promotion.BumpRequest{
		ConfigRepo: opts.ConfigRepo, App: app, Image: want, Env: opts.Env, Ref: opts.Build.Ref,
		Policy: pol, DefaultBranch: defaultBranch, SourceRepo: opts.Build.Repo, SourceSHA: opts.Build.SHA,
		RunURL: opts.Build.RunURL, Actor: opts.Build.Actor, AllowDowngrade: opts.AllowDowngrade,
		DryRun: opts.DryRun, Log: opts.Log,
	})
	if err != nil {
		if IsConfigError(err) {
			return nil, err // its lines start with file:line, for annotations
		}
		name := app
		if name == "" {
			name = want.Name
		}
		return nil, fmt.Errorf("bump %s to %s in %s: %w", name, want.Version(), opts.ConfigRepo, err)
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
