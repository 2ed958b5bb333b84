// Package policy reads and validates .baton.yaml, the config repository's
// promotion policy: which apps exist, which environments they go to, from
// which refs, through which files, and who may approve.
//
// The policy is always read from the config repository's default branch,
// never from a pull request or the app repository; this package only
// parses what the caller read there.
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/semver/v3"
	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// FileName is the policy file's name at the config repository's root.
const FileName = ".baton.yaml"

// DefaultFiles is the file template of the seed layout.
const DefaultFiles = "environments/{{ .Env }}/{{ .App }}-deployment.yaml"

// DefaultReleaseTag is the default release tag template: v + the UTC
// merge time as 20060102150405.
const DefaultReleaseTag = `v{{ .Merged.Format "20060102150405" }}`

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
	Name string
	// Image is the normalised image repository ("ghcr.io/acme/web").
	Image string
	// Repo is the source repository, owner/name, or "".
	Repo string
	// Files overrides the environments' file templates for this app.
	Files []string
	// Keys are explicit key paths (a.b.c[:tag|:digest|:name]).
	Keys []string
	// FluxPolicies are Flux image policies (namespace:name) whose setter
	// markers belong to this app.
	FluxPolicies []string
}

// Env is one deployment environment.
type Env struct {
	Name         string
	Branches     []string // app-repo branch globs that bump this environment
	Tags         []string // app-repo tag globs that bump this environment
	Files        []string // file templates
	Merge        string   // auto or approval
	After        string   // the environment an image must have been released to first
	Soak         time.Duration
	Approvals    int
	Approvers    []string // logins and @org/team
	SelfApproval bool
	Versions     string // semver constraint on tags, or ""
	Checks       []string
	Line         int

	constraint *semver.Constraints
}

// Error is a validation error at a place in the policy file.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
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

// Default returns the policy used when the config repository has no
// .baton.yaml: develop bumps staging, main bumps production, files in the
// seed layout, one approval from anyone with write access.
func Default() *Policy {
	p := &Policy{
		Source:      "the default policy (no " + FileName + ")",
		Apps:        map[string]*App{},
		ReleaseTag:  DefaultReleaseTag,
		MergeMethod: "squash",
		Envs: []*Env{
			{Name: "staging", Branches: []string{"develop"}, Files: []string{DefaultFiles}, Merge: MergeApproval, Approvals: 1},
			{Name: "production", Branches: []string{"main"}, Files: []string{DefaultFiles}, Merge: MergeApproval, Approvals: 1},
		},
	}
	p.releaseTmpl = template.Must(template.New("release.tag").Option("missingkey=error").Parse(p.ReleaseTag))
	return p
}

// Parse reads and validates a policy file. Every problem is reported, each
// with the file, line and key, joined into one error.
func Parse(file string, data []byte) (*Policy, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Line: yamlLine(err), Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	p := &Policy{Source: file, Apps: map[string]*App{}, ReleaseTag: DefaultReleaseTag, MergeMethod: "squash"}
	v := &validator{file: file}
	if len(doc.Content) == 0 {
		v.errf(nil, "", "the file is empty; declare at least environments:")
		return nil, v.err()
	}
	root := doc.Content[0]
	v.mapping(root, "", []string{"apps", "environments", "release", "merge-method"}, func(key string, k, val *yaml.Node) {
		switch key {
		case "apps":
			v.mapping(val, "apps", nil, func(name string, k, an *yaml.Node) {
				if app := v.app(name, k, an); app != nil {
					p.Apps[name] = app
				}
			})
		case "environments":
			v.mapping(val, "environments", nil, func(name string, k, en *yaml.Node) {
				if env := v.env(name, k, en); env != nil {
					p.Envs = append(p.Envs, env)
				}
			})
		case "release":
			v.mapping(val, "release", []string{"tag"}, func(key string, _, tv *yaml.Node) {
				p.ReleaseTag = v.str(tv, "release.tag")
			})
		case "merge-method":
			p.MergeMethod = v.enum(val, "merge-method", "merge", "squash", "rebase")
		}
	})
	if mapGet(root, "environments") == nil && root.Kind == yaml.MappingNode {
		v.errf(root, "environments", "missing; declare at least one environment")
	}
	v.crossCheck(p, root)
	if tmpl, err := template.New("release.tag").Option("missingkey=error").Parse(p.ReleaseTag); err != nil {
		v.errf(keyNode(mapGet(root, "release"), "tag"), "release.tag", "not a valid template: %v", err)
	} else {
		p.releaseTmpl = tmpl
		if _, err := p.RenderReleaseTag(ReleaseData{Merged: time.Unix(0, 0).UTC(), Env: "x", App: "x", Tag: "1.0.0", PR: 1}); err != nil {
			v.errf(keyNode(mapGet(root, "release"), "tag"), "release.tag", "%v (fields: .Merged, .Env, .App, .Tag, .PR)", err)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// validator collects errors while walking the policy's YAML tree.
type validator struct {
	file string
	errs []error
}

func (v *validator) errf(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) err() error {
	sort.SliceStable(v.errs, func(i, j int) bool {
		var a, b *Error
		errors.As(v.errs[i], &a)
		errors.As(v.errs[j], &b)
		return a.Line < b.Line
	})
	return errors.Join(v.errs...)
}

// mapping walks a mapping, refusing keys not in allowed (when allowed is
// not nil) and duplicate keys.
func (v *validator) mapping(n *yaml.Node, where string, allowed []string, fn func(key string, k, val *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		v.errf(n, where, "want a mapping (key: value lines), got %s", describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		full := joinKey(where, key)
		if seen[key] {
			v.errf(k, full, "duplicate key")
			continue
		}
		seen[key] = true
		if allowed != nil && !contains(allowed, key) {
			v.errf(k, full, "unknown key (allowed here: %s)", strings.Join(allowed, ", "))
			continue
		}
		fn(key, k, val)
	}
}

func joinKey(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "an empty value"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "something else"
}

func (v *validator) str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		v.errf(n, key, "want a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

func (v *validator) strList(n *yaml.Node, key string) []string {
	if n.Kind != yaml.SequenceNode {
		v.errf(n, key, "want a list of strings such as [a, b], got %s", describe(n))
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.ShortTag() == "!!null" || e.Value == "" {
			v.errf(e, key, "want a non-empty string, got %s", describe(e))
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

func (v *validator) enum(n *yaml.Node, key string, allowed ...string) string {
	s := v.str(n, key)
	if s != "" && !contains(allowed, s) {
		v.errf(n, key, "%q is not allowed (one of: %s)", s, strings.Join(allowed, ", "))
		return ""
	}
	return s
}

var (
	nameRe  = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	repoRe  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	loginRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\[bot\])?$`)
	teamRe  = regexp.MustCompile(`^@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9_.-]+$`)
	fluxRe  = regexp.MustCompile(`^[a-z0-9-]+:[a-z0-9.-]+$`)
)

func (v *validator) app(name string, k, n *yaml.Node) *App {
	where := "apps." + name
	if !nameRe.MatchString(name) {
		v.errf(k, where, "app names are lower-case letters, digits, '.', '_' and '-'")
	}
	a := &App{Name: name}
	v.mapping(n, where, []string{"image", "repo", "files", "keys", "flux-policies"}, func(key string, _, val *yaml.Node) {
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
				v.errf(val, full, "%q is not owner/name", a.Repo)
			}
		case "files":
			a.Files = v.strList(val, full)
			for i, f := range a.Files {
				v.fileTemplate(val.Content[i], full, f)
			}
		case "keys":
			a.Keys = v.strList(val, full)
		case "flux-policies":
			a.FluxPolicies = v.strList(val, full)
			for i, fp := range a.FluxPolicies {
				if !fluxRe.MatchString(fp) {
					v.errf(val.Content[i], full, "%q is not namespace:name", fp)
				}
			}
		}
	})
	if a.Image == "" && n.Kind == yaml.MappingNode && mapGet(n, "image") == nil {
		v.errf(k, where+".image", "missing; every app names its image repository")
	}
	return a
}

var envKeys = []string{"branches", "tags", "files", "merge", "after", "soak", "approvals", "approvers", "self-approval", "versions", "checks"}

func (v *validator) env(name string, k, n *yaml.Node) *Env {
	where := "environments." + name
	if !nameRe.MatchString(name) {
		v.errf(k, where, "environment names are lower-case letters, digits, '.', '_' and '-'")
	}
	e := &Env{Name: name, Files: []string{DefaultFiles}, Merge: MergeApproval, Approvals: 1, Line: k.Line}
	v.mapping(n, where, envKeys, func(key string, _, val *yaml.Node) {
		full := where + "." + key
		switch key {
		case "branches", "tags":
			globs := v.strList(val, full)
			for i, g := range globs {
				if _, err := path.Match(g, ""); err != nil {
					v.errf(val.Content[i], full, "%q is not a valid glob (%v)", g, err)
				}
			}
			if key == "branches" {
				e.Branches = globs
			} else {
				e.Tags = globs
			}
		case "files":
			e.Files = v.strList(val, full)
			for i, f := range e.Files {
				v.fileTemplate(val.Content[i], full, f)
			}
		case "merge":
			e.Merge = v.enum(val, full, MergeAuto, MergeApproval)
		case "after":
			e.After = v.str(val, full)
		case "soak":
			s := v.str(val, full)
			if s == "" {
				return
			}
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				v.errf(val, full, "%q is not a duration such as 30m or 1h", s)
			}
			e.Soak = d
		case "approvals":
			if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!int" {
				v.errf(val, full, "want a whole number such as 1, got %s", describe(val))
				return
			}
			var n int
			if err := val.Decode(&n); err != nil || n < 0 || n > 20 {
				v.errf(val, full, "want a whole number from 0 to 20, got %s", val.Value)
				return
			}
			e.Approvals = n
		case "approvers":
			e.Approvers = v.strList(val, full)
			for i, a := range e.Approvers {
				if !loginRe.MatchString(a) && !teamRe.MatchString(a) {
					v.errf(val.Content[i], full, "%q is neither a GitHub login nor @org/team", a)
				}
			}
		case "self-approval":
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
				v.errf(val, full, "%q is not a semver constraint such as \">= 1.0.0\" (%v)", e.Versions, err)
				return
			}
			e.constraint = c
		case "checks":
			e.Checks = v.strList(val, full)
		}
	})
	return e
}

// fileTemplate checks that a file template parses and renders to a path
// inside the repository.
func (v *validator) fileTemplate(n *yaml.Node, key, tmpl string) {
	if _, err := RenderFile(tmpl, "env", "app"); err != nil {
		v.errf(n, key, "%v", err)
	}
}

// crossCheck validates what spans keys: after targets, cycles, and apps'
// distinct images.
func (v *validator) crossCheck(p *Policy, root *yaml.Node) {
	byName := map[string]*Env{}
	for _, e := range p.Envs {
		byName[e.Name] = e
	}
	envsNode := mapGet(root, "environments")
	for _, e := range p.Envs {
		if e.After == "" {
			continue
		}
		if _, ok := byName[e.After]; !ok {
			v.errf(keyNode(mapGet(envsNode, e.Name), "after"), "environments."+e.Name+".after",
				"%q is not an environment (declared: %s)", e.After, strings.Join(p.EnvNames(), ", "))
		}
	}
	for _, e := range p.Envs {
		seen := map[string]bool{e.Name: true}
		chain := []string{e.Name}
		for cur := byName[e.After]; cur != nil; cur = byName[cur.After] {
			chain = append(chain, cur.Name)
			if seen[cur.Name] {
				v.errf(keyNode(mapGet(envsNode, e.Name), "after"), "environments."+e.Name+".after",
					"the after: chain is a cycle (%s)", strings.Join(chain, " → "))
				break
			}
			seen[cur.Name] = true
		}
	}
	images := map[string]string{}
	names := make([]string, 0, len(p.Apps))
	for n := range p.Apps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := p.Apps[n]
		if other, dup := images[a.Image]; dup && a.Image != "" {
			v.errf(mapGet(mapGet(root, "apps"), n), "apps."+n+".image", "same image as app %q; each app has its own image", other)
		}
		images[a.Image] = n
	}
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

// IsLast reports whether env is the last environment of the promotion
// chain, the one whose releases GitHub marks as latest: the end of the
// after: chain when there is one, else the last environment declared.
func (p *Policy) IsLast(env string) bool {
	chain := false
	for _, e := range p.Envs {
		if e.After == env {
			return false
		}
		chain = chain || e.After != ""
	}
	if chain {
		e, ok := p.Env(env)
		return ok && e.After != ""
	}
	return len(p.Envs) > 0 && p.Envs[len(p.Envs)-1].Name == env
}

// ErrNoEnvironment is returned when a ref maps to no environment.
var ErrNoEnvironment = errors.New("no environment for this ref")

// EnvForRef maps an app-repository ref (refs/heads/develop,
// refs/tags/v1.2.3) to the environment it bumps.
func (p *Policy) EnvForRef(ref string) (*Env, error) {
	var name string
	var tag bool
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		name = strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/"):
		name, tag = strings.TrimPrefix(ref, "refs/tags/"), true
	default:
		name = ref
	}
	var matched []*Env
	for _, e := range p.Envs {
		globs := e.Branches
		if tag {
			globs = e.Tags
		}
		for _, g := range globs {
			if ok, _ := path.Match(g, name); ok {
				matched = append(matched, e)
				break
			}
		}
	}
	switch len(matched) {
	case 0:
		return nil, fmt.Errorf("%w: %s matches no branches:/tags: glob in %s", ErrNoEnvironment, ref, p.Source)
	case 1:
		return matched[0], nil
	default:
		names := make([]string, len(matched))
		for i, e := range matched {
			names[i] = e.Name
		}
		return nil, fmt.Errorf("%s matches the environments %s in %s; make their globs disjoint or pass env", ref, strings.Join(names, " and "), p.Source)
	}
}

// App returns the app to bump: by name when given, else the declared app
// whose image is repo. With no apps declared, the app is name itself.
func (p *Policy) App(name, repo string) (*App, error) {
	if len(p.Apps) == 0 {
		if name == "" {
			return nil, errors.New("no app name: set the app input (the policy declares no apps)")
		}
		if repo == "" {
			return nil, fmt.Errorf("app %s: no image repository: set the image input", name)
		}
		if !nameRe.MatchString(name) {
			return nil, fmt.Errorf("app name %q: use lower-case letters, digits, '.', '_' and '-'", name)
		}
		return &App{Name: name, Image: repo}, nil
	}
	if name != "" {
		a, ok := p.Apps[name]
		if !ok {
			return nil, fmt.Errorf("app %q is not declared in %s (declared: %s)", name, p.Source, strings.Join(p.AppNames(), ", "))
		}
		if repo != "" && repo != a.Image {
			return nil, fmt.Errorf("image %s is not app %s's image %s in %s", repo, name, a.Image, p.Source)
		}
		return a, nil
	}
	for _, n := range p.AppNames() {
		if p.Apps[n].Image == repo {
			return p.Apps[n], nil
		}
	}
	return nil, fmt.Errorf("no app in %s has the image %s (declared: %s)", p.Source, repo, strings.Join(p.AppNames(), ", "))
}

// AppNames lists the declared apps, sorted.
func (p *Policy) AppNames() []string {
	out := make([]string, 0, len(p.Apps))
	for n := range p.Apps {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Files renders the files an app's image lives in for an environment.
func (p *Policy) Files(env *Env, app *App) ([]string, error) {
	tmpls := env.Files
	if len(app.Files) > 0 {
		tmpls = app.Files
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range tmpls {
		f, err := RenderFile(t, env.Name, app.Name)
		if err != nil {
			return nil, err
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// RenderFile renders one file template and checks the path stays inside
// the repository.
func RenderFile(tmpl, env, app string) (string, error) {
	t, err := template.New("file").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("file template %q: %w", tmpl, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, map[string]string{"Env": env, "App": app}); err != nil {
		return "", fmt.Errorf("file template %q: %w (fields: .Env, .App)", tmpl, err)
	}
	return CleanPath(b.String())
}

// CleanPath cleans a repository path and refuses one that leaves the
// repository, is absolute, or points into .git.
func CleanPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty file path")
	}
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "\\") || len(p) > 1 && p[1] == ':' {
		return "", fmt.Errorf("file path %q is absolute; paths are relative to the config repository's root", p)
	}
	if strings.ContainsAny(p, "\\\x00") {
		return "", fmt.Errorf("file path %q has a backslash or NUL; use / between directories", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("file path %q leaves the repository", p)
	}
	for _, part := range strings.Split(c, "/") {
		if strings.EqualFold(part, ".git") {
			return "", fmt.Errorf("file path %q points into .git", p)
		}
	}
	if strings.ContainsAny(c, "*?[") {
		return "", fmt.Errorf("file path %q has glob characters; list each file", p)
	}
	return c, nil
}

// Allows reports whether a tag satisfies the environment's versions
// constraint. Tags that are not semver never satisfy a constraint.
func (e *Env) Allows(tag string) (bool, string) {
	if e.constraint == nil {
		return true, ""
	}
	v, err := semver.NewVersion(tag)
	if err != nil {
		return false, fmt.Sprintf("tag %q is not a semantic version, and environment %s only takes versions %s", tag, e.Name, e.Versions)
	}
	if !e.constraint.Check(v) {
		return false, fmt.Sprintf("version %s does not satisfy environment %s's versions: %s", tag, e.Name, e.Versions)
	}
	return true, ""
}

// ReleaseData is what the release tag template sees.
type ReleaseData struct {
	Merged time.Time
	Env    string
	App    string
	Tag    string
	PR     int
}

// RenderReleaseTag renders the release tag name.
func (p *Policy) RenderReleaseTag(d ReleaseData) (string, error) {
	d.Merged = d.Merged.UTC()
	var b bytes.Buffer
	if err := p.releaseTmpl.Execute(&b, d); err != nil {
		return "", err
	}
	tag := b.String()
	if tag == "" || strings.ContainsAny(tag, " ~^:?*[\\") || strings.Contains(tag, "..") {
		return "", fmt.Errorf("release tag %q is not a valid Git tag name", tag)
	}
	return tag, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return m
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1]) // digits, matched above
	return n
}
