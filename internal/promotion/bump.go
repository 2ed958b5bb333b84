package promotion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/yamledit"
)

// BumpGitHub is what a bump needs from the hosting service: who Baton
// is, the config repository's default branch and files, the Git Data API
// to write one commit, the pull request it opens or updates, and (through
// sourceGitHub) the app repository's history for the downgrade guards.
type BumpGitHub interface {
	sourceGitHub
	runGitHub
	// Self is the account Baton acts as (GET /user, or the App's bot).
	Self(ctx context.Context) (githost.Identity, error)
	Repo(ctx context.Context, repo string) (*githost.Repo, error)
	Branch(ctx context.Context, repo, branch string) (*githost.Commit, error)
	// Ref is the commit a ref points at (GET /repos/{o}/{r}/git/ref/{ref}).
	Ref(ctx context.Context, repo, ref string) (string, error)
	File(ctx context.Context, repo, ref, path string) ([]byte, error)
	CreateTree(ctx context.Context, repo, baseTree string, files map[string][]byte) (string, error)
	CreateCommit(ctx context.Context, repo, message, tree string, parents []string) (*githost.Commit, error)
	CreateRef(ctx context.Context, repo, ref, sha string) error
	UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error
	DeleteRef(ctx context.Context, repo, ref string) error
	// OpenPRsForHead lists the open pull requests from branch in repo
	// itself, each naming the default branch
	// (GET /repos/{o}/{r}/pulls?state=open&head=).
	OpenPRsForHead(ctx context.Context, repo, branch string) ([]*githost.PR, error)
	// CompareBranch reads the base's head and the head commit with its
	// provenance (GET /repos/{o}/{r}/compare/{base}...{head}).
	CompareBranch(ctx context.Context, repo, base, head string) (*githost.BranchCompare, error)
	CreatePR(ctx context.Context, repo string, n githost.NewPR) (*githost.PR, error)
	UpdatePR(ctx context.Context, repo string, number int, title, body string) (*githost.PR, error)
	// RecentActivity is the newest part of a branch's activity log,
	// oldest first, read newest first until enough says the entries so
	// far suffice (GET /repos/{o}/{r}/activity?ref=&direction=desc): who
	// put a commit on Baton's branch.
	RecentActivity(ctx context.Context, repo, ref string, enough func(newestFirst []githost.Activity) bool) ([]githost.Activity, error)
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

	SourceRepo string // app repository, owner/name
	SourceSHA  string // the commit the image was built from
	RunURL     string // the workflow run
	// RunID is the build's workflow run in SourceRepo (GITHUB_RUN_ID; 0
	// outside Actions): who triggered the build is read from it.
	RunID int64
	// Actor is the login the caller says triggered the build
	// (GITHUB_ACTOR): recorded, marked unverified, only when no run can be read.
	Actor          string
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

// Bump puts req.Image into an environment of the config repository
// through a pull request: one PR per app and environment, rebuilt from the
// current base on every bump, never empty, never a downgrade.
//
// The request count is kept low on purpose. Before any write, one list of
// the open pull requests on Baton's branch tells whether Baton already has
// one; when it has, one comparison of the default branch with its head
// gives both the base to build on and Baton's record of what the branch
// holds (read from Baton's own commit, never from the PR body): a re-run
// that finds its image there writes nothing. The policy read names the
// default branch (req.DefaultBranch) when it can.
func Bump(ctx context.Context, gh BumpGitHub, req BumpRequest) (*BumpResult, error) {
	logf := func(format string, args ...any) {
		if req.Log != nil {
			fmt.Fprintf(req.Log, format+"\n", args...)
		}
	}
	pol := req.Policy
	if pol == nil {
		return nil, errors.New("bump: no policy given (internal error: the caller must load it)")
	}
	app, env, files, res, err := target(req)
	if err == nil && app != nil {
		err = checkSourceRepo(app, req.SourceRepo)
	}
	if err != nil || res.Outcome != "" {
		return res, err
	}
	res.Env, res.Merge, res.Branch = env.Name, env.Merge, BranchName(env.Name, app.Name)

	prs, err := gh.OpenPRsForHead(ctx, req.ConfigRepo, res.Branch)
	if errors.Is(err, githost.ErrNotFound) {
		return nil, noAccess(req.ConfigRepo, err)
	}
	if err != nil {
		return nil, err
	}
	defaultBranch := req.DefaultBranch
	for _, p := range prs {
		if defaultBranch == "" {
			defaultBranch = p.DefaultBranch
		}
	}
	if defaultBranch == "" {
		repo, err := gh.Repo(ctx, req.ConfigRepo)
		if errors.Is(err, githost.ErrNotFound) {
			return nil, noAccess(req.ConfigRepo, err)
		}
		if err != nil {
			return nil, fmt.Errorf("read the config repository: %w", err)
		}
		defaultBranch = repo.DefaultBranch
	}
	// Who Baton is matters once a pull request is on its branch: only its
	// own is updated (GET /user, or the App's bot; cached).
	var self githost.Identity
	if len(prs) > 0 {
		if self, err = gh.Self(ctx); err != nil {
			return nil, fmt.Errorf("tell whether pull request #%d on %s is Baton's: %w", prs[0].Number, res.Branch, err)
		}
	}
	pr := ownPR(prs, self, req.ConfigRepo, res.Branch)
	if pr == nil {
		for _, other := range prs {
			if other.Base == defaultBranch {
				return nil, &ConfigError{Err: fmt.Errorf("pull request #%d (%s → %s) is not Baton's: %s. Baton never updates a pull request it did not open, "+
					"and GitHub allows one open pull request per branch and base; close #%d so that Baton can open its own", other.Number, other.Head, other.Base, notBatonPR(other, self, req.ConfigRepo), other.Number)}
			}
		}
	}

	var base githost.Commit
	var held, claim *heldRecord // claim: unproven until held
	if pr != nil {
		cmp, err := gh.CompareBranch(ctx, req.ConfigRepo, defaultBranch, pr.HeadSHA)
		if err != nil {
			return nil, fmt.Errorf("read %s's default branch %s and pull request #%d: %w", req.ConfigRepo, defaultBranch, pr.Number, err)
		}
		base, res.PR = cmp.Base, pr
		// What the head's trailers claim counts only once the activity log
		// proves Baton pushed the commit (recordOf); the proof is read only
		// when the claim would stop the bump (a re-run, a downgrade), so an
		// update pays for no proof it does not use. A claim nobody proves
		// (a writer's commit with Baton's e-mail and trailers) is replaced.
		if claim = claimOf(cmp.Head); claim != nil {
			same := claim.image.String() == req.Image.String()
			newer, whyErr := "", error(nil)
			if !same && !req.AllowDowngrade {
				newer, whyErr = claim.newerThan(ctx, gh, app, req)
			}
			if same || newer != "" || whyErr != nil {
				log, err := proofLog(ctx, gh, req.ConfigRepo, res.Branch, cmp.Head.SHA, self)
				if err != nil {
					return nil, err
				}
				held = recordOf(cmp.Head, self, res.Branch, log)
			}
			switch {
			case held == nil:
			case same:
				return unchanged(ctx, gh, req, res, pr, env, app, files, held)
			case whyErr != nil:
				return nil, whyErr
			case newer != "":
				res.Outcome = Skipped
				res.Notice = newer + fmt.Sprintf(" (pull request #%d carries it)", pr.Number)
				return res, nil
			}
		}
	} else {
		b, err := gh.Branch(ctx, req.ConfigRepo, defaultBranch)
		if errors.Is(err, githost.ErrNotFound) {
			return nil, &ConfigError{Err: fmt.Errorf("%s has no branch %s: the config repository is empty (no commits) or its default branch is missing; "+
				"push the environments' files to %s first", req.ConfigRepo, defaultBranch, defaultBranch)}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s's default branch %s: %w", req.ConfigRepo, defaultBranch, err)
		}
		base = *b
	}

	// Edit every file of the environment at the base commit, all or nothing.
	changes, err := editFiles(ctx, gh, req.ConfigRepo, base.SHA, files, req.Image, editOptions(app, env))
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

	who, err := actorOfRun(ctx, gh, req, logf)
	if err != nil {
		return nil, err
	}
	title := titleFor(env.Name, app.Name, req.Image)
	meta := Meta{
		App: app.Name, Env: env.Name, Image: req.Image.String(), From: res.From, Base: base.SHA,
		Files: sortedKeys(changed), Source: source(req), Run: req.RunURL, Actor: who.display(),
	}
	message := Trailers{
		TrailerApp: meta.App, TrailerEnv: meta.Env, TrailerImage: meta.Image, TrailerFrom: strings.Join(meta.From, ", "),
		TrailerSource: meta.Source, TrailerRun: meta.Run, TrailerDowngrade: allowedIf(req.AllowDowngrade),
	}.with(who.trailers()...).Message(title)
	if req.DryRun {
		res.Outcome = Planned
		logf("Dry run: nothing is changed. Baton would:")
		logf("  POST /repos/%s/git/trees (base tree %s, %d file(s))", req.ConfigRepo, short(base.Tree), len(changed))
		logf("  POST /repos/%s/git/commits %q (parent %s)", req.ConfigRepo, strings.SplitN(message, "\n", 2)[0], short(base.SHA))
		if pr != nil {
			logf("  PATCH /repos/%s/git/refs/heads/%s (force: the branch is rebuilt on %s)", req.ConfigRepo, res.Branch, defaultBranch)
			logf("  PATCH /repos/%s/pulls/%d %q", req.ConfigRepo, pr.Number, title)
			logf("  POST /repos/%s/issues/%d/comments (superseded)", req.ConfigRepo, pr.Number)
		} else {
			logf("  POST /repos/%s/git/refs refs/heads/%s", req.ConfigRepo, res.Branch)
			logf("  POST /repos/%s/pulls %q (%s → %s)", req.ConfigRepo, title, res.Branch, defaultBranch)
			logf("  POST /repos/%s/issues/{number}/labels baton, env:%s", req.ConfigRepo, env.Name)
		}
		return res, nil
	}

	tree, err := gh.CreateTree(ctx, req.ConfigRepo, base.Tree, changed)
	if isArchived(err) {
		return nil, &ConfigError{Err: fmt.Errorf("%s is archived, so GitHub refuses every write to it (%w): unarchive it (Settings → General), or set config-repo to the repository in use; nothing was written", req.ConfigRepo, err)}
	}
	if err != nil {
		return nil, err
	}
	commit, err := gh.CreateCommit(ctx, req.ConfigRepo, message, tree, []string{base.SHA})
	if err != nil {
		return nil, err
	}
	meta.Commit = commit.SHA
	w := &writer{
		since: commit.Committed.Add(-time.Minute), made: commit.Committed,
		gh: gh, req: req, res: res, self: self, app: app, env: env, files: files,
		defaultBranch: defaultBranch, ref: "heads/" + res.Branch, commit: commit.SHA,
		title: title, body: PRBody(meta, req.Image, placesOf(changes), log, env), prev: held, claim: claim,
	}
	return w.run(ctx, pr)
}

// target finds the app, the environment and its files; a result with an
// outcome (Skipped) ends the bump without a request.
func target(req BumpRequest) (*policy.App, *policy.Env, []string, *BumpResult, error) {
	pol := req.Policy
	app, err := pol.App(req.App, req.Image.Name)
	if err != nil {
		return nil, nil, nil, nil, &AppError{Err: err}
	}
	res := &BumpResult{App: app.Name, To: req.Image.Version()}
	var env *policy.Env
	if req.Env != "" {
		var ok bool
		if env, ok = pol.Env(req.Env); !ok {
			return nil, nil, nil, nil, &UnknownEnvError{Env: req.Env, Source: pol.Source, Declared: pol.EnvNames()}
		}
	} else {
		env, err = pol.EnvForRef(req.Ref)
		if errors.Is(err, policy.ErrNoEnvironment) {
			res.Outcome, res.Notice = Skipped, err.Error()
			return app, nil, nil, res, nil
		}
		if err != nil {
			return nil, nil, nil, nil, &ConfigError{Err: err}
		}
	}
	res.Env = env.Name
	if req.Image.Tag != "" {
		if ok, why := env.Allows(req.Image.Tag); !ok {
			res.Outcome, res.Notice = Skipped, why
			return app, env, nil, res, nil
		}
	}
	files, err := pol.Files(env, app)
	if err != nil {
		return nil, nil, nil, nil, &ConfigError{Err: err}
	}
	return app, env, files, res, nil
}

// AppError says the bump names no app the policy can place: no app name,
// an app the policy does not declare, or an image no declared app has. It
// is a wrong input (exit 2), not a broken policy.
type AppError struct{ Err error }

// Error implements error.
func (e *AppError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *AppError) Unwrap() error { return e.Err }

// UnknownEnvError is an explicit environment (--env, the env input) that
// the policy does not declare: a wrong input, not a broken policy.
type UnknownEnvError struct {
	Env      string
	Source   string
	Declared []string
}

// Error implements error.
func (e *UnknownEnvError) Error() string {
	return fmt.Sprintf("environment %q is not in %s (declared: %s)", e.Env, e.Source, strings.Join(e.Declared, ", "))
}

// editOptions are the edit engine's options for an app in an environment:
// its Flux policies, and its key paths and tag pattern for that
// environment (the environment's override, else the app's): keys restrict
// the edit to those places, a pattern to the variants whose tag matches.
func editOptions(app *policy.App, env *policy.Env) yamledit.Options {
	return yamledit.Options{Policies: app.FluxPolicies, Keys: app.KeysFor(env.Name), TagPattern: app.TagPatternFor(env.Name)}
}

func noAccess(repo string, err error) error {
	return fmt.Errorf("read the config repository: %w (it does not exist, or the token cannot see it: "+
		"a workflow's own GITHUB_TOKEN reaches only its own repository; use a GitHub App installed on %s, or a token with access)", err, repo)
}

// titleFor is the title of a promotion pull request, and its commit's
// subject.
func titleFor(env, app string, img image.Ref) string {
	return fmt.Sprintf("chore(%s): bump %s to %s", env, app, img.Version())
}

// unchanged ends a re-run whose image Baton's pull request already holds:
// no write, except what restores the pull request's own state (its labels,
// and a title that a crashed run left describing another version).
func unchanged(ctx context.Context, gh BumpGitHub, req BumpRequest, res *BumpResult, pr *githost.PR, env *policy.Env, app *policy.App, files []string, held *heldRecord) (*BumpResult, error) {
	res.Outcome = Unchanged
	res.Notice = fmt.Sprintf("pull request #%d already puts %s into %s", pr.Number, req.Image.Version(), env.Name)
	if title := titleFor(env.Name, app.Name, held.image); pr.Title != title {
		_, body := renderRecord(held, files, env)
		if _, err := gh.UpdatePR(ctx, req.ConfigRepo, pr.Number, title, body); err != nil {
			return nil, err
		}
	}
	if err := restoreLabels(ctx, gh, req.ConfigRepo, pr, env); err != nil {
		return nil, err
	}
	return res, nil
}

// restoreLabels adds the baton and env:<env> labels when someone removed
// them. Labels only show state; Baton never reads them to decide.
func restoreLabels(ctx context.Context, gh BumpGitHub, repo string, pr *githost.PR, env *policy.Env) error {
	var missing []string
	for _, l := range []string{"baton", "env:" + env.Name} {
		if !hasLabel(pr, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := gh.AddLabels(ctx, repo, pr.Number, missing); err != nil {
		return fmt.Errorf("restore the labels of pull request #%d: %w", pr.Number, err)
	}
	return nil
}

// isArchived recognizes GitHub's refusal of a write to an archived
// repository (403 "Repository was archived so is read-only.").
func isArchived(err error) bool { return errors.Is(err, githost.ErrArchived) }
