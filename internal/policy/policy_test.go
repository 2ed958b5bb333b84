package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const full = `apps:
  web:
    image: ghcr.io/acme/web
    repo: acme/web
  worker:
    image: ghcr.io/acme/worker
    files: ["apps/worker/{{ .Env }}.yaml"]
environments:
  staging:
    branches: [develop, "release/*"]
    merge: auto
  production:
    after: staging
    soak: 1h
    merge: approval
    approvals: 2
    approvers: ["@acme/sre", "alice"]
    self-approval: false
    versions: ">= 1.0.0"
    tags: ["v*"]
release:
  tag: "deploy-{{ .Env }}-{{ .Merged.Format \"20060102150405\" }}"
merge-method: merge
`

func TestParseFull(t *testing.T) {
	t.Parallel()
	p, err := Parse(".baton.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"staging", "production"}, p.EnvNames()); diff != "" {
		t.Errorf("envs (-want +got):\n%s", diff)
	}
	prod, _ := p.Env("production")
	if prod.Approvals != 2 || prod.After != "staging" || prod.Soak != time.Hour || prod.SelfApproval || prod.Merge != MergeApproval {
		t.Errorf("production = %+v", prod)
	}
	if ok, _ := prod.Allows("1.2.0"); !ok {
		t.Error("1.2.0 refused")
	}
	if ok, why := prod.Allows("0.9.0"); ok || !strings.Contains(why, ">= 1.0.0") {
		t.Errorf("0.9.0: %v %q", ok, why)
	}
	if ok, _ := prod.Allows("sha-abc1234"); ok {
		t.Error("non-semver tag allowed under a constraint")
	}
	if !p.IsLast("production") || p.IsLast("staging") {
		t.Error("IsLast")
	}
	web, err := p.App("", "ghcr.io/acme/web")
	if err != nil || web.Name != "web" || web.Repo != "acme/web" {
		t.Fatalf("app = %+v, %v", web, err)
	}
	staging, _ := p.Env("staging")
	files, err := p.Files(staging, web)
	if err != nil || files[0] != "environments/staging/web-deployment.yaml" {
		t.Errorf("files = %v, %v", files, err)
	}
	worker, _ := p.App("worker", "")
	files, _ = p.Files(prod, worker)
	if files[0] != "apps/worker/production.yaml" {
		t.Errorf("worker files = %v", files)
	}
	tag, err := p.RenderReleaseTag(ReleaseData{Merged: time.Date(2026, 11, 26, 5, 38, 58, 0, time.FixedZone("x", 3600)), Env: "production"})
	if err != nil || tag != "deploy-production-20261126043858" {
		t.Errorf("tag = %q, %v", tag, err)
	}
	if p.MergeMethod != "merge" {
		t.Errorf("merge method %q", p.MergeMethod)
	}
}

func TestEnvForRef(t *testing.T) {
	t.Parallel()
	p, err := Parse(".baton.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"refs/heads/develop": "staging", "refs/heads/release/1.2": "staging", "refs/tags/v1.2.3": "production",
		"refs/heads/feature/x": "", "refs/heads/release/1.2/x": "", "refs/tags/1.2.3": "",
	} {
		env, err := p.EnvForRef(ref)
		got := ""
		if env != nil {
			got = env.Name
		}
		if got != want {
			t.Errorf("%s → %q, want %q", ref, got, want)
		}
		if want == "" && !errors.Is(err, ErrNoEnvironment) {
			t.Errorf("%s: err = %v", ref, err)
		}
	}
	d := Default()
	if e, _ := d.EnvForRef("refs/heads/main"); e == nil || e.Name != "production" {
		t.Errorf("default main → %v", e)
	}
	if e, _ := d.EnvForRef("refs/heads/develop"); e == nil || e.Name != "staging" || e.Approvals != 1 {
		t.Errorf("default develop → %v", e)
	}
	amb, err := Parse("p.yaml", []byte("environments:\n  a: {branches: [main]}\n  b: {branches: [\"ma*\"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := amb.EnvForRef("refs/heads/main"); err == nil || !strings.Contains(err.Error(), "matches the environments a and b") {
		t.Errorf("ambiguous: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"unknown top key", "environments: {s: {}}\nenvironmentz: {}\n", []string{`p.yaml:2: environmentz: unknown key (allowed here: apps, environments, release, merge-method)`}},
		{"unknown env key", "environments:\n  staging:\n    branch: [develop]\n", []string{`p.yaml:3: environments.staging.branch: unknown key (allowed here: branches, tags, files, merge, after, soak, approvals, approvers, self-approval, versions, checks)`}},
		{"wrong types", "environments:\n  staging:\n    branches: develop\n    approvals: two\n    self-approval: yes\n", []string{
			`p.yaml:3: environments.staging.branches: want a list of strings such as [a, b], got "develop"`,
			`p.yaml:4: environments.staging.approvals: want a whole number such as 1, got "two"`,
			`p.yaml:5: environments.staging.self-approval: want true or false, got "yes"`,
		}},
		{"bad glob", "environments:\n  staging:\n    branches: [\"release/[\"]\n", []string{`p.yaml:3: environments.staging.branches: "release/[" is not a valid glob (syntax error in pattern)`}},
		{"bad semver", "environments:\n  p:\n    versions: \">= one\"\n", []string{`p.yaml:3: environments.p.versions: ">= one" is not a semver constraint`}},
		{"unknown after", "environments:\n  p:\n    after: qa\n", []string{`p.yaml:3: environments.p.after: "qa" is not an environment (declared: p)`}},
		{"cycle", "environments:\n  a:\n    after: b\n  b:\n    after: a\n", []string{`p.yaml:3: environments.a.after: the after: chain is a cycle (a → b → a)`, `p.yaml:5: environments.b.after: the after: chain is a cycle (b → a → b)`}},
		{"bad merge", "environments:\n  a:\n    merge: yolo\nmerge-method: fast\n", []string{`p.yaml:3: environments.a.merge: "yolo" is not allowed (one of: auto, approval)`, `p.yaml:4: merge-method: "fast" is not allowed (one of: merge, squash, rebase)`}},
		{"escaping path", "environments:\n  a:\n    files: [\"../secrets/{{ .App }}.yaml\", \"/etc/x\", \".git/config\", \"{{ .Nope }}\"]\n", []string{
			`p.yaml:3: environments.a.files: file path "../secrets/app.yaml" leaves the repository`,
			`p.yaml:3: environments.a.files: file path "/etc/x" is absolute`,
			`p.yaml:3: environments.a.files: file path ".git/config" points into .git`,
			`p.yaml:3: environments.a.files: file template "{{ .Nope }}"`,
		}},
		{"app without image", "apps:\n  web:\n    repo: acme/web\nenvironments: {a: {}}\n", []string{`p.yaml:2: apps.web.image: missing; every app names its image repository`}},
		{"app with tag", "apps:\n  web:\n    image: ghcr.io/acme/web:1.0\nenvironments: {a: {}}\n", []string{`p.yaml:3: apps.web.image: invalid image reference "ghcr.io/acme/web:1.0": a repository takes no tag or digest`}},
		{"approvers", "environments:\n  a:\n    approvers: [\"@acme\", \"bad user\"]\n", []string{`"@acme" is neither a GitHub login nor @org/team`, `"bad user" is neither`}},
		{"release template", "environments: {a: {}}\nrelease:\n  tag: \"{{ .When }}\"\n", []string{`p.yaml:3: release.tag: template: release.tag:1:3: executing "release.tag" at <.When>`}},
		{"invalid yaml", "environments:\n  a: [\n", []string{`p.yaml:2: not valid YAML`}},
		{"no environments", "apps: {}\n", []string{`p.yaml:1: environments: missing; declare at least one environment`}},
		{"duplicate key", "environments:\n  a: {}\n  a: {}\n", []string{`p.yaml:3: environments.a: duplicate key`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tt.in))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\ndoes not contain:\n%s", err, w)
				}
			}
		})
	}
}

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a/./b.yaml": "a/b.yaml", "a//b.yaml": "a/b.yaml", "a/b/../c.yaml": "a/c.yaml",
		"../x": "", "/x": "", "a/../../x": "", ".git/HEAD": "", "a/.GIT/x": "", "": "", "a\\b": "", "C:x": "", "a/*.yaml": "",
	} {
		got, err := CleanPath(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestAppWithoutDeclaredApps(t *testing.T) {
	t.Parallel()
	d := Default()
	a, err := d.App("web", "ghcr.io/acme/web")
	if err != nil || a.Name != "web" || a.Image != "ghcr.io/acme/web" {
		t.Fatalf("app = %+v, %v", a, err)
	}
	if _, err := d.App("", "ghcr.io/acme/web"); err == nil {
		t.Error("no app name accepted")
	}
	p, _ := Parse(".baton.yaml", []byte(full))
	if _, err := p.App("api", ""); err == nil || !strings.Contains(err.Error(), "declared: web, worker") {
		t.Errorf("unknown app: %v", err)
	}
	if _, err := p.App("web", "ghcr.io/acme/other"); err == nil {
		t.Error("mismatched image accepted")
	}
}
