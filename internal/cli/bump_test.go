package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/command"
)

func TestBumpFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"GITHUB_TOKEN": "ghp_env", "GITHUB_REF": "refs/heads/develop", "GITHUB_SHA": "abc", "GITHUB_REPOSITORY": "acme/web",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "9", "GITHUB_ACTOR": "alice", "GITHUB_API_URL": "https://ghe.example.com/api/v3",
	}
	tests := []struct {
		name string
		args []string
		want command.BumpOptions
	}{
		{
			name: "defaults from the workflow environment",
			args: []string{"--config-repo", "acme/config", "--image", "ghcr.io/acme/web:1.5.0"},
			want: command.BumpOptions{
				ConfigRepo: "acme/config", Image: "ghcr.io/acme/web:1.5.0",
				Auth:  command.Auth{Token: "ghp_env", APIURL: "https://ghe.example.com/api/v3"},
				Build: command.Build{Repo: "acme/web", SHA: "abc", Ref: "refs/heads/develop", RunURL: "https://github.com/acme/web/actions/runs/9", Actor: "alice"},
			},
		},
		{
			name: "flags win",
			args: []string{"--config-repo", "acme/config", "--image", "ghcr.io/acme/web", "--tag-strategy", "sha", "--digest", "sha256:x",
				"--env", "production", "--dry-run", "--allow-downgrade", "--github-token", "ghp_flag", "--ref", "refs/tags/v1", "--app", "web", "--policy-file", "ops/baton.yaml"},
			want: command.BumpOptions{
				ConfigRepo: "acme/config", App: "web", Image: "ghcr.io/acme/web", TagStrategy: "sha", Digest: "sha256:x", Env: "production",
				PolicyFile: "ops/baton.yaml", DryRun: true, AllowDowngrade: true,
				Auth:  command.Auth{Token: "ghp_flag", APIURL: "https://ghe.example.com/api/v3"},
				Build: command.Build{Repo: "acme/web", SHA: "abc", Ref: "refs/tags/v1", RunURL: "https://github.com/acme/web/actions/runs/9", Actor: "alice"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *command.BumpOptions
			cmd := newBumpCmd(Env{Getenv: func(k string) string { return env[k] }, Stderr: &bytes.Buffer{}}, func(_ context.Context, o *command.BumpOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.Names == nil || got.Names("github-token") != "--github-token or GITHUB_TOKEN" {
				t.Error("errors would not name the flags")
			}
			got.Now, got.Log, got.Names = tt.want.Now, nil, nil
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBumpNeedsConfigRepo(t *testing.T) {
	t.Parallel()
	_, _, err := runCLI(t, "bump", "--image", "ghcr.io/acme/web:1")
	if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "config-repo is required") {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
	_, _, err = runCLI(t, "bump", "--config-repo", "acme/config", "--image", "ghcr.io/acme/web:1", "extra")
	if ExitCode(err) != 2 {
		t.Fatalf("positional args: %v", err)
	}
}
