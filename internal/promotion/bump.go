// Package promotion holds Baton's use cases: bump an image in an
// environment through a pull request, and (later) approve, merge, release,
// promote and roll back. It depends on the small GitHub interface it
// defines below, never on a GitHub client.
package promotion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/yamledit"
)

// GitHub is what a bump needs from the hosting service.
type GitHub interface {
	Repo(ctx context.Context, repo string) (*githost.Repo, error)
	Branch(ctx context.Context, repo, branch string) (*githost.Commit, error)
	File(ctx context.Context, repo, ref, path string) ([]byte, error)
	// DefaultFile reads a file on the default branch and returns the
	// branch's name when the answer tells it ("" otherwise).
	DefaultFile(ctx context.Context, repo, path string) ([]byte, string, error)
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
	Compare(ctx context.Context, repo, base, head string, max int) (*githost.Comparison, error)
	LastCommit(ctx context.Context, repo, ref, path string) (*githost.CommitInfo, error)
}

// BumpRequest asks to put an image into an environment.
type BumpRequest struct {
	ConfigRepo string    // owner/name of the config repository
	App        string    // app name; "" to find it by image in the policy
	Image      image.Ref // the new image: repository, tag and/or digest
	Env        string    // explicit environment; "" to map Ref
	Ref        string    // the app-repo ref that was built (refs/heads/develop)
	PolicyFile string    // policy path in the config repo; "" for .baton.yaml

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

// ConfigError is a problem in the config repository (policy or files)
// that a person must fix; nothing was written.
type ConfigError struct{ Err error }

// Error implements error.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// BranchName is the head branch of an app's promotion pull request.
func BranchName(env, app string) string { return "baton/" + env + "/" + app }

// maxRebuilds bounds how often a bump rebuilds after losing a race.
const maxRebuilds = 3

// Bump puts req.Image into an environment of the config repository
// through a pull request: one PR per app and environment, rebuilt from the
// current base on every bump, never empty, never a downgrade.
//
// The request count is kept low on purpose (DESIGN §8): the policy is read
// from the default branch without naming it, which tells Baton the
// branch's name; the ref is created optimistically, and only when it
// exists does Baton look for the open pull request.
func Bump(ctx context.Context, gh GitHub, req BumpRequest) (*BumpResult, error) {
	logf := func(format string, args ...any) {
		if req.Log != nil {
			fmt.Fprintf(req.Log, format+"\n", args...)
		}
	}
	if req.PolicyFile == "" {
		req.PolicyFile = policy.FileName
	}
	pol, defaultBranch, err := loadDefaultPolicy(ctx, gh, req.ConfigRepo, req.PolicyFile)
	if err != nil {
		return nil, err
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
	log := changelog(ctx, gh, app, req, res.From, func() string { return lastSource(ctx, gh, req.ConfigRepo, base.SHA, changes) })
	if log != nil && log.Status == "behind" && !req.AllowDowngrade {
		res.Outcome = Skipped
		res.Notice = fmt.Sprintf("refusing to downgrade: %s is an ancestor of the source of %s in %s (pass allow-downgrade, or roll back)", short(req.SourceSHA), strings.Join(res.From, ", "), env.Name)
		return res, nil
	}

	meta := Meta{
		App: app.Name, Env: env.Name, Image: req.Image.String(), From: res.From, Base: base.SHA,
		Files: sortedKeys(changed), Source: source(req), Run: req.RunURL, Actor: req.Actor,
	}
	message := commitMessage(meta, req.Image)
	title := fmt.Sprintf("chore(%s): bump %s to %s", env.Name, app.Name, req.Image.Version())
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
			if why == "" && !req.AllowDowngrade && olderSource(ctx, gh, app, req, meta.Source) {
				why = fmt.Sprintf("refusing to downgrade: %s is an ancestor of %s", short(req.SourceSHA), meta.Source)
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
func updatePR(ctx context.Context, gh GitHub, req BumpRequest, res *BumpResult, existing *githost.PR, ref, sha, title, body string) (*BumpResult, error) {
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

// loadDefaultPolicy reads the policy from the config repository's default
// branch and, when GitHub's answer names it, that branch.
func loadDefaultPolicy(ctx context.Context, gh GitHub, repo, file string) (*policy.Policy, string, error) {
	data, branch, err := gh.DefaultFile(ctx, repo, file)
	if errors.Is(err, githost.ErrNotFound) {
		if file != policy.FileName {
			return nil, "", &ConfigError{Err: fmt.Errorf("policy file %s does not exist on %s's default branch", file, repo)}
		}
		return policy.Default(), "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read the policy: %w", err)
	}
	p, err := policy.Parse(file, data)
	if err != nil {
		return nil, "", &ConfigError{Err: err}
	}
	return p, branch, nil
}

// editFiles reads and edits every file at the base commit; any failure
// fails the whole bump.
func editFiles(ctx context.Context, gh GitHub, repo, sha string, files []string, want image.Ref, opts yamledit.Options) ([]FileChange, error) {
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

// downgrade refuses a new tag older than a running one when both are
// semantic versions.
func downgrade(from []string, want image.Ref, allow bool) string {
	if allow || want.Tag == "" {
		return ""
	}
	nv, err := semver.NewVersion(want.Tag)
	if err != nil {
		return ""
	}
	for _, f := range from {
		tag, _, _ := strings.Cut(f, "@")
		ov, err := semver.NewVersion(tag)
		if err == nil && nv.LessThan(ov) {
			return fmt.Sprintf("refusing to downgrade from %s to %s (pass allow-downgrade, or roll back)", tag, want.Tag)
		}
	}
	return ""
}

func downgradeFrom(current string, want image.Ref, allow bool) string {
	cur, err := image.Parse(current)
	if err != nil || cur.Tag == "" {
		return ""
	}
	return downgrade([]string{cur.Tag}, want, allow)
}

// lastSource reads the Baton-Source trailer of the last commit that
// changed the environment's first file: the source of the running image,
// for tags that do not name it (timestamps, templates).
func lastSource(ctx context.Context, gh GitHub, repo, sha string, changes []FileChange) string {
	if len(changes) == 0 {
		return ""
	}
	c, err := gh.LastCommit(ctx, repo, sha, changes[0].Path)
	if err != nil {
		return ""
	}
	return ParseTrailers(c.Message)["Baton-Source"]
}

// olderSource reports whether the bump's source commit is an ancestor of
// another promotion's source (owner/repo@sha) in the app repository.
func olderSource(ctx context.Context, gh GitHub, app *policy.App, req BumpRequest, other string) bool {
	repo, sha, ok := strings.Cut(other, "@")
	if !ok || req.SourceSHA == "" || sha == req.SourceSHA || repo != appRepo(app, req) {
		return false
	}
	cmp, err := gh.Compare(ctx, repo, sha, req.SourceSHA, 1)
	return err == nil && cmp.Status == "behind"
}

func appRepo(app *policy.App, req BumpRequest) string {
	if app.Repo != "" {
		return app.Repo
	}
	return req.SourceRepo
}

func source(req BumpRequest) string {
	if req.SourceRepo == "" || req.SourceSHA == "" {
		return ""
	}
	return req.SourceRepo + "@" + req.SourceSHA
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func short(sha string) string {
	if len(sha) >= 7 {
		return sha[:7]
	}
	return sha
}

func code(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }
