package policy

import (
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

var (
	nameRe  = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	repoRe  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	loginRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?(\[bot\])?$`)
	teamRe  = regexp.MustCompile(`^@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9_.-]+$`)
	fluxRe  = regexp.MustCompile(`^[a-z0-9-]+:[a-z0-9.-]+$`)
)

// nameRule says what nameRe accepts, for messages.
const nameRule = "lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit"

var (
	appKeys    = []string{"image", "repo", "files", "keys", "tag-pattern", "flux-policies", "environments"}
	appEnvKeys = []string{"keys", "tag-pattern"}
	envKeys    = []string{"branches", "tags", "files", "merge", "approvals", "approvers", "self-approval", "versions", "checks"}
)

// app validates apps.<name>.
func (v *validator) app(name string, k, n *yaml.Node) *App {
	where := "apps." + quoteKey(name)
	if !nameRe.MatchString(name) {
		v.errf(k, where, "app names are %s", nameRule)
	}
	a := &App{Name: name}
	v.mapping(n, where, "", appKeys, func(key string, _, val *yaml.Node) {
		full := where + "." + key
		switch key {
		case "image":
			raw := v.str(val, full)
			if raw == "" {
				return
			}
			repo, err := image.ParseRepository(raw)
			if err != nil {
				v.errf(val, full, "%v (want a repository such as ghcr.io/acme/web, without tag)", err)
				return
			}
			a.Image = repo
		case "repo":
			a.Repo = v.str(val, full)
			if a.Repo != "" && !repoRe.MatchString(a.Repo) {
				v.errf(val, full, "%q is not owner/name, such as acme/web", a.Repo)
			}
		case "files":
			a.Files = v.strList(val, full)
		case "keys":
			a.Keys = v.keys(val, full)
		case "tag-pattern":
			a.TagPattern, a.tagRe = v.tagPattern(val, full)
		case "flux-policies":
			a.FluxPolicies = v.strList(val, full)
			for i, fp := range a.FluxPolicies {
				if !fluxRe.MatchString(fp) {
					v.errf(val.Content[i], full, "%q is not namespace:name, such as flux-system:web", fp)
				}
			}
		case "environments":
			a.Envs = map[string]*AppEnv{}
			v.mapping(val, full, "", nil, func(env string, _, en *yaml.Node) {
				a.Envs[env] = v.appEnv(full+"."+quoteKey(env), en)
			})
		}
	})
	if a.Image == "" && n.Kind == yaml.MappingNode && mapGet(n, "image") == nil {
		v.errf(k, where+".image", "missing; every app names its image repository, such as image: ghcr.io/acme/web")
	}
	return a
}

// appEnv validates apps.<app>.environments.<env>, an override of the
// app's edit settings.
func (v *validator) appEnv(where string, n *yaml.Node) *AppEnv {
	o := &AppEnv{}
	v.mapping(n, where, "", appEnvKeys, func(key string, _, val *yaml.Node) {
		switch key {
		case "keys":
			o.Keys = v.keys(val, where+".keys")
		case "tag-pattern":
			o.TagPattern, o.tagRe = v.tagPattern(val, where+".tag-pattern")
		}
	})
	return o
}

// keys validates a keys: list.
func (v *validator) keys(n *yaml.Node, key string) []string {
	list := v.strList(n, key)
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.ShortTag() == "!!null" || e.Value == "" {
			continue // reported by strList
		}
		if err := CheckKeyPath(e.Value); err != nil {
			v.errf(e, key, "%v", err)
			continue
		}
		out = append(out, e.Value)
	}
	if len(out) != len(list) {
		return nil
	}
	return out
}

// tagPattern validates a tag-pattern: value.
func (v *validator) tagPattern(n *yaml.Node, key string) (string, *regexp.Regexp) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		v.errf(n, key, "want a Go regular expression such as \"-bookworm$\", got %s", describe(n))
		return "", nil
	}
	re, err := compileTagPattern(n.Value)
	if err != nil {
		v.errf(n, key, "%v", err)
		return "", nil
	}
	return n.Value, re
}

// env validates environments.<name>.
func (v *validator) env(name string, k, n *yaml.Node) *Env {
	where := "environments." + quoteKey(name)
	if !nameRe.MatchString(name) {
		v.errf(k, where, "environment names are %s", nameRule)
	}
	e := newEnv(name, k.Line)
	approvalKeys := map[string]*yaml.Node{}
	var mergeNode *yaml.Node
	v.mapping(n, where, "env", envKeys, func(key string, kn, val *yaml.Node) {
		full := where + "." + key
		switch key {
		case "branches", "tags":
			globs := v.strList(val, full)
			for i, g := range globs {
				if _, err := path.Match(g, ""); err != nil {
					v.errf(val.Content[i], full, "%q is not a valid glob (%v); use * ? and [a-z] as in path.Match", g, err)
				}
			}
			if key == "branches" {
				e.Branches = globs
			} else {
				e.Tags = globs
			}
		case "files":
			e.Files = v.strList(val, full)
		case "merge":
			mergeNode = val
			e.Merge = v.enum(val, full, MergeAuto, MergeApproval)
		case "approvals":
			approvalKeys[key] = kn
			if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!int" {
				v.errf(val, full, "want a whole number such as 1, got %s", describe(val))
				return
			}
			var n int
			if err := val.Decode(&n); err != nil || n < 1 || n > 20 {
				v.errf(val, full, "want a whole number from 1 to 20, got %s (for no approvals, write merge: auto)", val.Value)
				return
			}
			e.Approvals = n
		case "approvers":
			approvalKeys[key] = kn
			e.Approvers = v.strList(val, full)
			for i, a := range e.Approvers {
				if !loginRe.MatchString(a) && !teamRe.MatchString(a) {
					v.errf(val.Content[i], full, "%q is neither a GitHub login (alice) nor a team (@acme/sre)", a)
				}
			}
		case "self-approval":
			approvalKeys[key] = kn
			if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!bool" {
				v.errf(val, full, "want true or false, got %s", describe(val))
				return
			}
			e.SelfApproval = val.Value == "true"
		case "versions":
			e.Versions = v.str(val, full)
			if e.Versions == "" {
				return
			}
			c, err := semver.NewConstraint(e.Versions)
			if err != nil {
				v.errf(val, full, "%q is not a semver constraint such as \">= 1.0.0\" or \"^1.2\" (%v)", e.Versions, err)
				return
			}
			e.constraint = c
		case "checks":
			e.Checks = v.checks(val, full)
		}
	})
	if e.Merge == MergeAuto {
		// Approvals are not counted when an environment merges on green
		// checks: refuse settings that would look like a protection.
		for _, key := range []string{"approvals", "approvers", "self-approval"} {
			if kn := approvalKeys[key]; kn != nil {
				v.errf(kn, where+"."+key, "has no effect with merge: auto (line %d), which merges once checks pass; remove it or write merge: approval", mergeNode.Line)
			}
		}
	}
	return e
}

// crossCheck validates what spans keys: file templates rendered for every
// declared app and environment, overrides naming declared environments,
// and apps' distinct images.
func (v *validator) crossCheck(p *Policy, root *yaml.Node) {
	envsNode, appsNode := mapGet(root, "environments"), mapGet(root, "apps")
	appNames := p.AppNames()
	// Render every template with the names it will see; with no apps
	// declared the app's name is checked when it arrives (Policy.App).
	sampleApps := appNames
	if len(sampleApps) == 0 {
		sampleApps = []string{"app"}
	}
	sampleEnvs := p.EnvNames()
	if len(sampleEnvs) == 0 {
		sampleEnvs = []string{"env"} // environments: is missing, reported above
	}
	for _, e := range p.Envs {
		for _, a := range sampleApps {
			if v.fileTemplates(mapGet(mapGet(envsNode, e.Name), "files"), "environments."+quoteKey(e.Name)+".files", e.Name, a) {
				break
			}
		}
	}
	for _, a := range appNames {
		app := p.Apps[a]
		for _, e := range sampleEnvs {
			if v.fileTemplates(mapGet(mapGet(appsNode, a), "files"), "apps."+quoteKey(a)+".files", e, a) {
				break
			}
		}
		over := mapGet(mapGet(appsNode, a), "environments")
		for _, env := range sortedKeys(app.Envs) {
			if _, ok := p.Env(env); !ok {
				v.errf(keyNode(over, env), "apps."+quoteKey(a)+".environments."+quoteKey(env), "not an environment (declared: %s)", strings.Join(p.EnvNames(), ", "))
			}
		}
	}
	images := map[string]string{}
	for _, n := range appNames {
		a := p.Apps[n]
		if other, dup := images[a.Image]; dup && a.Image != "" {
			v.errf(mapGet(mapGet(appsNode, n), "image"), "apps."+quoteKey(n)+".image", "same image as app %q; each app has its own image", other)
		}
		images[a.Image] = n
	}
}

// fileTemplates renders the templates of a files: list for one
// environment and app and reports template errors and paths outside the
// repository; it reports whether it found one, so each list is reported
// for one environment and app only.
func (v *validator) fileTemplates(list *yaml.Node, key, env, app string) bool {
	if list == nil || list.Kind != yaml.SequenceNode {
		return false // the default, or reported as the wrong type
	}
	found := false
	for _, n := range list.Content {
		if n.Kind != yaml.ScalarNode || n.Value == "" {
			continue // reported by strList
		}
		if _, err := RenderFile(n.Value, env, app); err != nil {
			v.errf(n, key, "%v", err)
			found = true
		}
	}
	return found
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// quoteKey writes a name into a dotted key path, quoted when it is not a
// valid name (so "apps.\"..\"" reads as one key).
func quoteKey(name string) string {
	if nameRe.MatchString(name) {
		return name
	}
	return strconv.Quote(name)
}
