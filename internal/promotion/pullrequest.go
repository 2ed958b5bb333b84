package promotion

import (
	"context"
	"fmt"
	"slices"
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

	// approvers caches authorizeApprover's answers by login for this one
	// run, so a command's author is not asked about twice.
	approvers map[string]authAnswer
}

// authAnswer is one cached authorization.
type authAnswer struct {
	ok  bool
	why string
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

// IsBatonPR reports whether a pull request looks like one of Baton's: its
// head is baton/<env>/<app>. It is the cheap filter before any request;
// labels play no part (a triage user can remove them). Whether Baton
// really opened it is proved from evidence before any decision
// (notBatonPR in evidence.go: author id, head repository, base).
func IsBatonPR(pr *githost.PR) bool {
	_, _, ok := ParseBranch(pr.Head)
	return ok
}

// ownPR picks Baton's pull request for a branch among the open ones on it
// (notBatonPR: opened by Baton's account id, head in the config repository
// itself, base the default branch). A pull request anyone else opened on a
// baton/... branch, or Baton's branch proposed to another base, is not
// Baton's and is never updated.
func ownPR(prs []*githost.PR, self githost.Identity, repo, branch string) *githost.PR {
	for _, pr := range prs {
		if pr.Head == branch && pr.State != "closed" && notBatonPR(pr, self, repo) == "" {
			return pr
		}
	}
	return nil
}

func hasLabel(pr *githost.PR, label string) bool {
	return slices.Contains(pr.Labels, label)
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
