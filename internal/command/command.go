// Package command implements Baton's commands once, for both front ends:
// the CLI (flags, in internal/cli) and the GitHub Action (inputs, in
// internal/action). Each command takes one options struct.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/promotion"
)

// InputError is a mistake in the options a person gave (a flag or an
// Action input); the process exits with status 2.
type InputError struct{ Err error }

// Error implements error.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// Auth is how Baton authenticates to GitHub.
type Auth struct {
	Token      string // github-token
	AppID      string // app-id
	PrivateKey string // private-key: PEM text, or a path to a PEM file
	APIURL     string // GITHUB_API_URL
}

// Client builds the GitHub client for repo; an App token also covers the
// alsoRead repositories when the installation includes them.
func (a Auth) Client(ctx context.Context, repo string, hc *http.Client, onToken func(string), logf func(string, ...any), alsoRead ...string) (*forge.Client, error) {
	opts := forge.Options{Token: a.Token, Repo: repo, APIURL: a.APIURL, HTTPClient: hc, OnToken: onToken, Logf: logf, AlsoRead: alsoRead}
	if a.AppID != "" || a.PrivateKey != "" {
		if a.AppID == "" || a.PrivateKey == "" {
			return nil, inputErr("GitHub App auth needs both app-id and private-key")
		}
		id, err := strconv.ParseInt(a.AppID, 10, 64)
		if err != nil || id <= 0 {
			return nil, inputErr("app-id %q is not a number (the App's ID from its settings page)", a.AppID)
		}
		key := []byte(a.PrivateKey)
		if !strings.Contains(a.PrivateKey, "-----BEGIN") {
			b, err := os.ReadFile(a.PrivateKey)
			if err != nil {
				return nil, inputErr("private-key is neither a PEM key nor a readable file: %v", err)
			}
			key = b
		}
		opts.Token, opts.AppID, opts.PrivateKey = "", id, key
	} else if a.Token == "" {
		return nil, inputErr("no GitHub credentials: set github-token, or app-id and private-key")
	}
	return forge.New(ctx, opts)
}

// Build describes the app-repository build that produced an image, from
// the GITHUB_* variables of a workflow run or the CLI's flags.
type Build struct {
	Repo      string // owner/name (GITHUB_REPOSITORY)
	SHA       string // GITHUB_SHA
	Ref       string // GITHUB_REF
	RunNumber string // GITHUB_RUN_NUMBER
	RunURL    string // $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID
	Actor     string // GITHUB_ACTOR
}

// BuildFromEnv reads a Build from a workflow run's environment.
func BuildFromEnv(getenv func(string) string) Build {
	b := Build{
		Repo: getenv("GITHUB_REPOSITORY"), SHA: getenv("GITHUB_SHA"), Ref: getenv("GITHUB_REF"),
		RunNumber: getenv("GITHUB_RUN_NUMBER"), Actor: getenv("GITHUB_ACTOR"),
	}
	if server, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_RUN_ID"); server != "" && id != "" && b.Repo != "" {
		b.RunURL = strings.TrimSuffix(server, "/") + "/" + b.Repo + "/actions/runs/" + id
	}
	return b
}

// TagOptions are the inputs of "baton tag".
type TagOptions struct {
	Image    string // repository, optionally with a tag
	Tag      string // an explicit tag, or the base version of the semver strategy
	Strategy string // sha, semver, timestamp, or a Go template
	Build    Build
	Now      time.Time
}

// TagResult is what "baton tag" computed.
type TagResult struct {
	Tag   string
	Image string // repository:tag, when an image was given
}

// Tag computes the image tag before the build, so the workflow can tag
// and push with it.
func Tag(opts TagOptions) (*TagResult, error) {
	tag := opts.Tag
	strategy := opts.Strategy
	if strategy == "semver" || tag == "" {
		base := ""
		if strategy == "semver" {
			base = tag
		}
		var err error
		tag, err = image.ComputeTag(strategy, image.TagInput{SHA: opts.Build.SHA, Ref: opts.Build.Ref, RunNumber: opts.Build.RunNumber, Now: opts.Now, BaseVersion: base})
		if err != nil {
			return nil, inputErr("%v", err)
		}
	} else if err := image.ValidTag(tag); err != nil {
		return nil, inputErr("tag: %v", err)
	}
	res := &TagResult{Tag: tag}
	if opts.Image != "" {
		r, err := image.Parse(opts.Image)
		if err != nil {
			return nil, inputErr("image: %v", err)
		}
		r.Tag, r.Digest = tag, ""
		res.Image = r.String()
	}
	return res, nil
}

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
	res, err := promotion.Bump(ctx, gh, promotion.BumpRequest{
		ConfigRepo: opts.ConfigRepo, App: app, Image: want, Env: opts.Env, Ref: opts.Build.Ref,
		PolicyFile: opts.PolicyFile, SourceRepo: opts.Build.Repo, SourceSHA: opts.Build.SHA,
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
		results, err := promotion.HandleChecks(ctx, gh, promotion.MergeEvent{Repo: opts.ConfigRepo, Number: res.PR.Number})
		if err != nil {
			return out, fmt.Errorf("pull request #%d was opened, but the merge attempt failed: %w", res.PR.Number, err)
		}
		if len(results) == 1 {
			out.Merge = results[0]
		}
	}
	return out, nil
}

// IsConfigError reports whether err is a problem in the config repository
// (policy or files) rather than in GitHub or the inputs.
func IsConfigError(err error) bool {
	var ce *promotion.ConfigError
	return errors.As(err, &ce)
}
