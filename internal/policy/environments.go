package policy

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver/v3"
)

// ErrNoEnvironment is returned when a ref maps to no environment.
var ErrNoEnvironment = errors.New("no environment for this ref")

// EnvForRef maps an app-repository ref (refs/heads/develop,
// refs/tags/v1.2.3) to the environment it bumps, by the environments'
// branches: and tags: globs (path.Match). It fails wrapping
// ErrNoEnvironment when no glob matches, and names the environments when
// more than one does.
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

// IsLast reports whether env is the last environment declared, the one
// whose releases GitHub marks as latest.
func (p *Policy) IsLast(env string) bool {
	return len(p.Envs) > 0 && p.Envs[len(p.Envs)-1].Name == env
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

// Files renders the files an app's image lives in for an environment:
// the app's files: when it has them, else the environment's. Duplicates
// are listed once.
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

// fileFields lists what a file template sees, for messages.
const fileFields = ".Env, .App"

// RenderFile renders one file template and checks the path stays inside
// the repository (CleanPath).
func RenderFile(tmpl, env, app string) (string, error) {
	t, err := template.New("file").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("file template %q: %w", tmpl, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, map[string]string{"Env": env, "App": app}); err != nil {
		return "", fmt.Errorf("file template %q: %w (fields: %s)", tmpl, err, fileFields)
	}
	return CleanPath(b.String())
}

// CleanPath cleans a repository path and refuses one that leaves the
// repository, is absolute, points into .git, or holds a backslash, a NUL
// or glob characters.
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
		return "", fmt.Errorf("file path %q leaves the repository; paths stay inside the config repository", p)
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
// constraint, and why not. Tags that are not semver never satisfy a
// constraint.
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
