package promotion

import (
	"context"
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
)

// Labels Baton keeps state in, visible on the pull request.
const (
	LabelHold    = "baton:hold"
	LabelChanges = "baton:changes-requested"
)

// Promotion is a Baton pull request with the policy that governs it. It
// holds only what was read before any check; what the checks establish is
// returned by them (see verified).
type Promotion struct {
	Repo   string
	PR     *githost.PR
	Env    *policy.Env
	App    string
	Policy *policy.Policy
}

// BranchName is the head branch of an app's promotion pull request.
func BranchName(env, app string) string { return "baton/" + env + "/" + app }

// ParseBranch splits baton/<env>/<app>.
func ParseBranch(branch string) (env, app string, ok bool) {
	rest, found := strings.CutPrefix(branch, "baton/")
	if !found {
		return "", "", false
	}
	env, app, ok = strings.Cut(rest, "/")
	return env, app, ok && env != "" && app != "" && !strings.Contains(app, "/")
}

// IsBatonPR reports whether a pull request is one of Baton's: its head is
// baton/<env>/<app> and it carries the baton label.
func IsBatonPR(pr *githost.PR) bool {
	_, _, ok := ParseBranch(pr.Head)
	return ok && hasLabel(pr, "baton")
}

// isBatonCommit decides whether a commit is provably Baton's own, so that
// its Baton-* trailers may be read as Baton's record of what the branch
// holds. It is the one place that decides a commit's provenance: today the
// commit's author and committer must both be the account Baton acts as (by
// id when GitHub links them), and when Baton is an App, GitHub must have
// verified the commit's signature (an App's API commits are signed; a
// writer can put Baton's e-mail on a commit, never its signature). With
// an unknown identity nothing is Baton's. Evidence a token writer cannot
// forge in token mode (the repository activity log) is to be added here.
func isBatonCommit(c *githost.AuthoredCommit, self githost.Identity) bool {
	if c == nil || !self.Known() {
		return false
	}
	if !self.Is(c.AuthorLogin, c.AuthorID) || !self.Is(c.CommitterLogin, c.CommitterID) {
		return false
	}
	if self.App && !c.Verified {
		return false
	}
	return true
}

// ownPR picks Baton's pull request for a branch: one that Baton's identity
// opened (by account id when known), whose head is the branch in the config
// repository itself and whose base is the default branch. A pull request
// anyone else opened on a baton/... branch, or Baton's branch proposed to
// another base, is not Baton's and is never updated.
func ownPR(prs []*githost.PR, self githost.Identity, branch, defaultBranch string) *githost.PR {
	for _, pr := range prs {
		if pr.Head == branch && pr.Base == defaultBranch && pr.State != "closed" && self.Known() && self.Is(pr.Author, pr.AuthorID) {
			return pr
		}
	}
	return nil
}

func hasLabel(pr *githost.PR, label string) bool {
	return contains(pr.Labels, label)
}

// Result is the outcome of a command or merge attempt.
type Result struct {
	// Reply is the comment Baton posts (or posted) on the pull request.
	Reply string
	// Ignored says why an event was not acted on ("" when it was).
	Ignored  string
	Merged   bool
	MergeSHA string
	Release  *githost.Release
	// Waiting says what the merge waits for.
	Waiting string
	PR      *githost.PR
}

// loadPromotion reads the policy through the caller's loader and finds the
// environment of a Baton pull request.
func loadPromotion(ctx context.Context, loadPolicy PolicyFunc, repo string, pr *githost.PR) (*Promotion, error) {
	envName, app, _ := ParseBranch(pr.Head)
	pol, err := loadPolicy(ctx)
	if err != nil {
		return nil, err
	}
	env, ok := pol.Env(envName)
	if !ok {
		return nil, &ConfigError{Err: fmt.Errorf("environment %q is no longer in %s", envName, pol.Source)}
	}
	return &Promotion{Repo: repo, PR: pr, Env: env, App: app, Policy: pol}, nil
}
