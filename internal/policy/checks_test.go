package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestChecksNameTheirSource shows each form of a required check and the
// source it stands for: a bare name is a check run of the GitHub Actions
// app, never a status any writer could post.
func TestChecksNameTheirSource(t *testing.T) {
	t.Parallel()
	src := "environments:\n  production:\n    checks:\n      - kubeconform\n      - {name: security-scan, app: snyk}\n      - {status: deploy/preview, creator: \"@ci-bot\"}\n"
	p, err := Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	env, _ := p.Env("production")
	want := []Check{
		{Name: "kubeconform", App: ActionsAppSlug, Line: 4},
		{Name: "security-scan", App: "snyk", Line: 5},
		{Name: "deploy/preview", Creator: "ci-bot", Line: 6},
	}
	if diff := cmp.Diff(want, env.Checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if got := env.Checks[2].String(); got != "status deploy/preview (by @ci-bot)" {
		t.Errorf("String() = %q", got)
	}
}

func TestChecksMistakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entry, want string
	}{
		{"{status: security-scan}", `p.yaml:4: environments.production.checks: status "security-scan" needs creator: the login whose status counts (any writer can post a status of any name)`},
		{"{name: a, status: b, creator: c}", `p.yaml:4: environments.production.checks: a check has name: (a check run) or status: (a commit status), not both`},
		{"{status: s, creator: c, app: x}", `p.yaml:4: environments.production.checks: status "s" takes creator:, not app: (apps report check runs: write {name: s, app: x})`},
		{"{name: s, creator: c}", `p.yaml:4: environments.production.checks: check run "s" takes app:, not creator: (a status by an account is {status: s, creator: c})`},
		{"{app: snyk}", `p.yaml:4: environments.production.checks: a check needs name: (a check run) or status: (a commit status)`},
		{"{name: s, owner: x}", `p.yaml:4: environments.production.checks.owner: unknown key (allowed here: name, app, status, creator)`},
		{"[a]", `p.yaml:4: environments.production.checks: want a check run name, {name: x, app: slug} or {status: context, creator: login}; got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte("environments:\n  production:\n    checks:\n      - "+tt.entry+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}
