// Package policy reads and validates .baton.yaml, the config repository's
// promotion policy: which apps exist, which environments they go to, from
// which refs, through which files, and who may approve.
//
// The policy is always read from the config repository's default branch,
// never from a pull request or the app repository; this package only
// parses what the caller read there.
//
// Files: schema.go (the types), validate.go and validate_fields.go (strict
// validation), unsupported.go (keys Baton does not enforce yet),
// defaults.go (the seed layout), environments.go (refs, apps and file
// templates), keys.go (explicit key paths and tag patterns), release.go
// (the release tag).
package policy

import (
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Merge modes.
const (
	MergeAuto     = "auto"     // merge once checks pass
	MergeApproval = "approval" // wait for approvals
)

// Policy is a validated .baton.yaml.
type Policy struct {
	// Source names where the policy came from, for messages.
	Source string
	// Apps are the declared apps, by name; empty when the policy declares
	// none and apps come from the Action's inputs.
	Apps map[string]*App
	// Envs are the environments in the order the file declares them.
	Envs []*Env
	// ReleaseTag is the release tag template.
	ReleaseTag string
	// MergeMethod is merge, squash or rebase.
	MergeMethod string

	releaseTmpl *template.Template
}

// App is one application whose image Baton promotes.
type App struct {
	// Name is the app's key under apps:, or the app input.
	Name string
	// Image is the normalised image repository ("ghcr.io/acme/web").
	Image string
	// Repo is the source repository, owner/name, or "".
	Repo string
	// Files overrides the environments' file templates for this app.
	Files []string
	// Keys are explicit key paths (a.b.c[:tag|:digest|:name]), checked by
	// CheckKeyPath. With keys, only those places change; use KeysFor to
	// apply an environment's override.
	Keys []string
	// TagPattern is a Go regular expression (RE2 syntax) matched against
	// the tag a place holds now; only places whose current tag matches are
	// edited, which tells variants of one repository apart
	// ("-bookworm$"). "" matches every tag. Use TagPatternFor to apply an
	// environment's override.
	TagPattern string
	// FluxPolicies are Flux image policies (namespace:name) whose setter
	// markers belong to this app.
	FluxPolicies []string
	// Envs are per-environment overrides of Keys and TagPattern
	// (apps.<app>.environments.<env>), by environment name.
	Envs map[string]*AppEnv

	tagRe *regexp.Regexp
}

// AppEnv overrides an app's edit settings in one environment.
type AppEnv struct {
	// Keys replace the app's Keys in this environment when not empty.
	Keys []string
	// TagPattern replaces the app's TagPattern in this environment when
	// not "".
	TagPattern string

	tagRe *regexp.Regexp
}

// Env is one deployment environment.
type Env struct {
	Name         string   // the key under environments:
	Branches     []string // app-repo branch globs that bump this environment
	Tags         []string // app-repo tag globs that bump this environment
	Files        []string // file templates
	Merge        string   // auto or approval
	Approvals    int      // approvals needed with merge: approval (1 to 20)
	Approvers    []string // logins and @org/team
	SelfApproval bool
	Versions     string  // semver constraint on tags, or ""
	Checks       []Check // checks that must pass before the merge, each with its source
	Line         int     // line of the environment's key in the policy file

	constraint *semver.Constraints
}

// ReleaseData is what the release tag template sees.
type ReleaseData struct {
	Merged time.Time // the pull request's merged_at, rendered in UTC
	Env    string    // environment name
	App    string    // app name
	Tag    string    // the image tag promoted
	PR     int       // the promotion pull request's number
}

// Error is a validation error at a place in the policy file.
type Error struct {
	File string
	Line int    // 1-based; 0 when the error has no place
	Key  string // dotted key path ("environments.production.after"), or ""
	Msg  string // what is wrong and what is accepted
}

// Error implements error: "file:line: key: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// EnvNames lists the environments in declaration order.
func (p *Policy) EnvNames() []string {
	out := make([]string, len(p.Envs))
	for i, e := range p.Envs {
		out[i] = e.Name
	}
	return out
}

// Env returns an environment by name.
func (p *Policy) Env(name string) (*Env, bool) {
	for _, e := range p.Envs {
		if e.Name == name {
			return e, true
		}
	}
	return nil, false
}
