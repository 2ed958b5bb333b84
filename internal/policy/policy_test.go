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
	if prod.Approvals != 2 || prod.SelfApproval || prod.Merge != MergeApproval {
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
