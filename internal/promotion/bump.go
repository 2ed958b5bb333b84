package promotion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/yamledit"
)

// BumpGitHub is what a bump needs from the hosting service: the config
// repository's default branch and files, the Git Data API to write one
// commit, the pull request it opens or updates, and (through
// sourceGitHub) the app repository's history for the downgrade guards.
type BumpGitHub interface {
	sourceGitHub
	Repo(ctx context.Context, repo string) (*githost.Repo, error)
	Branch(ctx context.Context, repo, branch string) (*githost.Commit, error)
	File(ctx context.Context, repo, ref, path string) ([]byte, error)
	CreateTree(ctx context.Context, repo, baseTree string, files map[string][]byte) (string, error)
	CreateCommit(ctx context.Context, repo, message, tree string, parents []string) (*githost.Commit, error)
	CreateRef(ctx context.Context, repo, ref, sha string) error
	UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error
	DeleteRef(ctx context.Context, repo, ref string) error
	FindOpenPR(ctx context.Context, repo, branch string) (*githost.PR, error)
	CreatePR(ctx context.Context, repo string, n githost.NewPR) (*githost.PR, error)
	UpdatePR(ctx context.Context, repo string, number int, title, body string) (*githost.PR, error)
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	Comment(ctx context.Context, repo string, number int, body string) (int64, error)
}

// BumpRequest asks to put an image into an environment.
type BumpRequest struct {
	ConfigRepo string    // owner/name of the config repository
	App        string    // app name; "" to find it by image in the policy
	Image      image.Ref // the new image: repository, tag and/or digest
	Env        string    // explicit environment; "" to map Ref
	Ref        string    // the app-repo ref that was built (refs/heads/develop)
	// Policy is the config repository's policy, read by the caller's one
	// loader (internal/command) from the file the user named.
	Policy *policy.Policy
	// DefaultBranch is the config repository's default branch when the
	// policy read named it; "" makes the bump ask GitHub.
	DefaultBranch string

	SourceRepo     string // app repository, owner/name
	SourceSHA      string // the commit the image was built from
	RunURL         string // the workflow run
	Actor          string // who triggered the build
	AllowDowngrade bool
	DryRun         bool
	// Log receives the dry run's plan and progress notes; nil discards.
	Log io.Writer
}

// Outcome says what a bump did.
type Outcome string

// Outcomes of a bump.
const (
	Created   Outcome = "created"   // a new pull request
	Updated   Outcome = "updated"   // an open pull request now carries the new image
	Unchanged Outcome = "unchanged" // the open pull request already carries it
	NoOp      Outcome = "no-op"     // the environment already runs it
	Skipped   Outcome = "skipped"   // refused by policy (no env, downgrade, versions)
	Planned   Outcome = "planned"   // dry run
)

// BumpResult is what a bump did.
type BumpResult struct {
	Outcome Outcome
	Notice  string // why, for Skipped and NoOp
	App     string
	Env     string
	From    []string // versions before
	To      string
	Files   []FileChange
	PR      *githost.PR
	Branch  string
	Diff    string // unified diff of the change (dry run and summary)
	// Merge is the environment's merge mode (auto or approval).
	Merge string
}

// Changed reports whether the bump changed anything on GitHub.
func (r *BumpResult) Changed() bool { return r.Outcome == Created || r.Outcome == Updated }

// FileChange is one file of a bump.
type FileChange struct {
	Path   string
	Places int
	From   []string
	Old    []byte
	New    []byte
}

// maxRebuilds bounds how often a bump rebuilds after losing a race.
const maxRebuilds = 3

// Bump puts req.Image into an environment of the config repository
// through a pull request: one PR per app and environment, rebuilt from the
// current base on every bump, never empty, never a downgrade.
//
// The request count is kept low on purpose (a new bump costs at most 8
// requests to the config repository): the caller's policy read names the
// default branch (req.DefaultBranch); the ref is created optimistically,
// and only when it exists does Baton look for the open pull request.
func Bump(ctx context.Context, gh BumpGitHub, req BumpRequest) (*BumpResult, error) {
	logf := func(format string, args ...any) {
		if req.Log != nil {
			fmt.Fprintf(req.Log, format+"\n", args...)
		}
	}
	pol, defaultBranch := req.Policy, req.DefaultBranch
	if pol == nil {
		return nil, errors.New("bump: no policy given (internal error: the caller must load it)")
	}
	app, err := pol.App(req.App, req.Image.Name)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	res := &BumpResult{App: app.Name, To: req.Image.Version()}
	var env *policy.Env
	if req.Env != "" {
		var ok bool
		if env, ok = pol.Env(req.Env); !ok {
			return nil, &ConfigError{Err: fmt.Errorf("environment %q is not in %s (declared: %s)", req.Env, pol.Source, strings.Join(pol.EnvNames(), ", "))}
		}
	} else {
		env, err = pol.EnvForRef(req.Ref)
		if errors.Is(err, policy.ErrNoEnvironment) {
			res.Outcome, res.Notice = Skipped, err.Error()
			return res, nil
		}
		if err != nil {
			return nil, &ConfigError{Err: err}
		}
	}
	res.Env = env.Name
	res.Merge = env.Merge
	res.Branch = BranchName(env.Name, app.Name)
	if req.Image.Tag != "" {
		if ok, why := env.Allows(req.Image.Tag); !ok {
			res.Outcome, res.Notice = Skipped, why
			return res, nil
		}
	}
	files, err := pol.Files(env, app)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	if defaultBranch == "" {
		repo, err := gh.Repo(ctx, req.ConfigRepo)
		if errors.Is(err, githost.ErrNotFound) {
			return nil, fmt.Errorf("read the config repository: %w (it does not exist, or the token cannot see it: "+
				"a workflow's own GITHUB_TOKEN reaches only its own repository; use a GitHub App installed on %s, or a token with access)", err, req.ConfigRepo)
		}
		if err != nil {
			return nil, fmt.Errorf("read the config repository: %w", err)
		}
		defaultBranch = repo.DefaultBranch
	}
	base, err := gh.Branch(ctx, req.ConfigRepo, defaultBranch)
	if err != nil {
		return nil, fmt.Errorf("read %s's default branch %s: %w", req.ConfigRepo, defaultBranch, err)
	}

	// Edit every file of the environment at the base commit, all or nothing.
	changes, err := editFiles(ctx, gh, req.ConfigRepo, base.SHA, files, req.Image, yamledit.Options{Policies: app.FluxPolicies, Paths: app.Keys})
	if err != nil {
		return nil, err
	}
	res.Files = changes
	res.From = fromVersions(changes)
	res.Diff = diffOf(changes)
	changed := map[string][]byte{}
	for _, ch := range changes {
		if string(ch.Old) != string(ch.New) {
			changed[ch.Path] = ch.New
		}
	}
	if len(changed) == 0 {
		res.Outcome = NoOp
		res.Notice = fmt.Sprintf("%s already runs %s in %s", app.Name, req.Image.Version(), env.Name)
		return res, nil
	}
	if why := downgrade(res.From, req.Image, req.AllowDowngrade); why != "" {
		res.Outcome, res.Notice = Skipped, why
		return res, nil
	}
	log, err := changelog(ctx, gh, app, req, res.From, func() (string, error) { return lastSource(ctx, gh, req.ConfigRepo, base.SHA, changes) })
	if err != nil && !req.AllowDowngrade {
		return nil, err
	}
	if log != nil && log.Status == "behind" && !req.AllowDowngrade {
		res.Outcome = Skipped
		res.Notice = fmt.Sprintf("refusing to downgrade: %s is an ancestor of the source of %s in %s (pass allow-downgrade, or roll back)", short(req.SourceSHA), strings.Join(res.From, ", "), env.Name)
		return res, nil
	}

	title := fmt.Sprintf("chore(%s): bump %s to %s", env.Name, app.Name, req.Image.Version())
	meta := Meta{
		App: app.Name, Env: env.Name, Image: req.Image.String(), From: res.From, Base: base.SHA,
		Files: sortedKeys(changed), Source: source(req), Run: req.RunURL, Actor: req.Actor,
	}
	message := Trailers{
		TrailerApp: meta.App, TrailerEnv: meta.Env, TrailerImage: meta.Image, TrailerFrom: strings.Join(meta.From, ", "),
		TrailerSource: meta.Source, TrailerRun: meta.Run, TrailerActor: meta.Actor,
	}.Message(title)
	if req.DryRun {
		res.Outcome = Planned
		logf("Dry run: nothing is changed. Baton would:")
		logf("  POST /repos/%s/git/trees (base tree %s, %d file(s))", req.ConfigRepo, short(base.Tree), len(changed))
		logf("  POST /repos/%s/git/commits %q (parent %s)", req.ConfigRepo, strings.SplitN(message, "\n", 2)[0], short(base.SHA))
		logf("  POST /repos/%s/git/refs refs/heads/%s — or, when it exists, force-update it and the open pull request", req.ConfigRepo, res.Branch)
		logf("  POST /repos/%s/pulls %q (%s → %s)", req.ConfigRepo, title, res.Branch, defaultBranch)
		logf("  POST /repos/%s/issues/{number}/labels baton, env:%s", req.ConfigRepo, env.Name)
		return res, nil
	}

	tree, err := gh.CreateTree(ctx, req.ConfigRepo, base.Tree, changed)
	if err != nil {
		return nil, err
	}
	commit, err := gh.CreateCommit(ctx, req.ConfigRepo, message, tree, []string{base.SHA})
	if err != nil {
		return nil, err
	}
	meta.Commit = commit.SHA
	body := PRBody(meta, req.Image, changes, log, env)
	ref := "heads/" + res.Branch
	labels := []string{"baton", "env:" + env.Name}
	open := func() (*BumpResult, error) {
		pr, err := gh.CreatePR(ctx, req.ConfigRepo, githost.NewPR{Title: title, Head: res.Branch, Base: defaultBranch, Body: body})
		if err != nil {
			return nil, err
		}
		if err := gh.AddLabels(ctx, req.ConfigRepo, pr.Number, labels); err != nil {
			return nil, fmt.Errorf("pull request #%d was opened, but labeling it failed: %w", pr.Number, err)
		}
		res.Outcome, res.PR = Created, pr
		return res, nil
	}

	triedOpen := false // a PR "that exists" may be ours, its creation's answer lost
	err = gh.CreateRef(ctx, req.ConfigRepo, ref, commit.SHA)
	if err == nil {
		out, err := open()
		if err == nil {
			return out, nil
		}
		triedOpen = true
		if !errors.Is(err, githost.ErrExists) {
			// No pull request points at the branch we made: remove it
			// rather than leave an orphan.
			if derr := gh.DeleteRef(ctx, req.ConfigRepo, ref); derr != nil {
				err = errors.Join(err, fmt.Errorf("remove the branch %s again: %w", res.Branch, derr))
			}
			return nil, err
		}
		// Another run opened the pull request meanwhile: fall through and
		// update it.
	} else if !errors.Is(err, githost.ErrExists) {
		return nil, err
	}

	// The branch exists: an open pull request to update, a run racing us,
	// or a branch an earlier run left behind.
	for attempt := 0; attempt < maxRebuilds; attempt++ {
		existing, err := gh.FindOpenPR(ctx, req.ConfigRepo, res.Branch)
		if err != nil {
			return nil, err
		}
		if existing == nil {
			if err := gh.UpdateRef(ctx, req.ConfigRepo, ref, commit.SHA, true); err != nil {
				return nil, err
			}
			out, err := open()
			if errors.Is(err, githost.ErrExists) {
				triedOpen = true
				continue // a racing run opened it, or ours did and its answer was lost
			}
			return out, err
		}
		if meta, _ := ParseMeta(existing.Body); meta != nil {
			if meta.Image == req.Image.String() && meta.Base == base.SHA && meta.Commit == existing.HeadSHA {
				res.Outcome, res.PR = Unchanged, existing
				res.Notice = fmt.Sprintf("pull request #%d already puts %s into %s", existing.Number, req.Image.Version(), env.Name)
				if triedOpen && meta.Commit == commit.SHA {
					res.Outcome, res.Notice = Created, ""
				}
				if !hasLabel(existing, "baton") || !hasLabel(existing, "env:"+env.Name) {
					if err := gh.AddLabels(ctx, req.ConfigRepo, existing.Number, labels); err != nil {
						return nil, err
					}
				}
				return res, nil
			}
			why := downgradeFrom(meta.Image, req.Image, req.AllowDowngrade)
			if why == "" && !req.AllowDowngrade {
				older, err := olderSource(ctx, gh, app, req, meta.Source)
				if err != nil {
					if cur, perr := image.Parse(meta.Image); perr != nil || !semverPair(cur.Tag, req.Image.Tag) {
						return nil, err
					}
				}
				if older {
					why = fmt.Sprintf("refusing to downgrade: %s is an ancestor of %s", short(req.SourceSHA), meta.Source)
				}
			}
			if why != "" {
				if existing.HeadSHA != meta.Commit && meta.Commit != "" {
					// A racing run of ours moved the branch under a newer
					// PR: put the PR's own commit back.
					if err := gh.UpdateRef(ctx, req.ConfigRepo, ref, meta.Commit, true); err != nil {
						return nil, err
					}
				}
				res.Outcome, res.PR = Skipped, existing
				res.Notice = why + fmt.Sprintf(" (pull request #%d carries it)", existing.Number)
				return res, nil
			}
		}
		return updatePR(ctx, gh, req, res, existing, ref, commit.SHA, title, body)
	}
	return nil, fmt.Errorf("gave up after %d attempts: other runs keep changing %s", maxRebuilds, res.Branch)
}

// updatePR points an open PR's branch at the rebuilt commit, rewrites its
// title and body, and says what it superseded.
func updatePR(ctx context.Context, gh BumpGitHub, req BumpRequest, res *BumpResult, existing *githost.PR, ref, sha, title, body string) (*BumpResult, error) {
	if err := gh.UpdateRef(ctx, req.ConfigRepo, ref, sha, true); err != nil {
		return nil, err
	}
	prev := "the previous version"
	if meta, _ := ParseMeta(existing.Body); meta != nil {
		if r, err := image.Parse(meta.Image); err == nil {
			prev = r.Version()
		}
	}
	pr, err := gh.UpdatePR(ctx, req.ConfigRepo, existing.Number, title, body)
	if err != nil {
		return nil, err
	}
	pr.HeadSHA = sha
	note := fmt.Sprintf("Superseded %s by %s: the branch was rebuilt on the current %s. Approvals given before this update no longer count.",
		code(prev), code(req.Image.Version()), pr.Base)
	if _, err := gh.Comment(ctx, req.ConfigRepo, existing.Number, note); err != nil {
		return nil, fmt.Errorf("pull request #%d was updated, but commenting failed: %w", existing.Number, err)
	}
	res.Outcome, res.PR = Updated, pr
	return res, nil
}

// editFiles reads and edits every file at the base commit; any failure
// fails the whole bump.
func editFiles(ctx context.Context, gh BumpGitHub, repo, sha string, files []string, want image.Ref, opts yamledit.Options) ([]FileChange, error) {
	var out []FileChange
	var errs []error
	for _, f := range files {
		data, err := gh.File(ctx, repo, sha, f)
		if errors.Is(err, githost.ErrNotFound) {
			errs = append(errs, &ConfigError{Err: fmt.Errorf("%s: does not exist in %s at %s (the policy's files: for this environment name it)", f, repo, short(sha))})
			continue
		}
		if err != nil {
			return nil, err
		}
		res, err := yamledit.Edit(f, data, want, opts)
		if err != nil {
			errs = append(errs, &ConfigError{Err: err})
			continue
		}
		out = append(out, FileChange{Path: f, Places: res.Count(), From: res.From(), Old: data, New: res.Output})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func fromVersions(changes []FileChange) []string {
	var out []string
	seen := map[string]bool{}
	for _, ch := range changes {
		for _, f := range ch.From {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
