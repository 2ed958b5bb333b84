package command_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestLoadPolicy: the one loader reads the named file from the default
// branch, falls back to the default policy only when .baton.yaml is
// absent, and reports a missing named file or an invalid policy as the
// config repository's problem.
func TestLoadPolicy(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		NoSeedLayout: true, ConfigFiles: map[string]string{
			"ops/baton.yaml": "environments:\n  production:\n    branches: [main]\n    approvers: [\"@acme/sre\"]\n",
			"bad/baton.yaml": "environments:\n  production:\n    shade: blue\n",
			"README.md":      "config\n",
		},
		NoDefaultPeople: true, Roles: map[string]string{ghsimtest.CI: "write"},
	})
	gh, err := forge.New(context.Background(), forge.Options{Token: w.Token(ghsimtest.CI), APIURL: w.URL, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, source, approvers string
		code                    int
		errText                 string
	}{
		{file: "ops/baton.yaml", source: "ops/baton.yaml", approvers: "@acme/sre"},
		{file: "", source: "the default policy (no .baton.yaml)"},
		{file: "ops/missing.yaml", code: command.ExitConfig, errText: "policy file ops/missing.yaml does not exist on acme/config's default branch"},
		{file: "bad/baton.yaml", code: command.ExitConfig, errText: "bad/baton.yaml:3"},
	} {
		pol, _, err := command.LoadPolicy(context.Background(), gh, "acme/config", tc.file)
		if tc.errText != "" {
			if command.ExitCode(err) != tc.code || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("%q: err %v (exit %d), want exit %d naming %q", tc.file, err, command.ExitCode(err), tc.code, tc.errText)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.file, err)
		}
		env, ok := pol.Env("production")
		if pol.Source != tc.source || !ok || strings.Join(env.Approvers, ",") != tc.approvers {
			t.Errorf("%q: source %q, production %+v", tc.file, pol.Source, env)
		}
		// The loader bound to the file gives the same policy.
		bound, err := command.PolicyLoader(gh, "acme/config", tc.file)(context.Background())
		if err != nil || bound.Source != pol.Source {
			t.Errorf("%q: PolicyLoader gave %v, %v", tc.file, bound, err)
		}
	}
}
