package action

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/command"
	"go.yaml.in/yaml/v3"
)

// TestActionYAMLMatchesTheCode keeps action.yml's inputs and outputs in step
// with what the runner reads and writes.
func TestActionYAMLMatchesTheCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Inputs  map[string]struct{ Description string } `yaml:"inputs"`
		Outputs map[string]struct{ Description string } `yaml:"outputs"`
		Runs    struct{ Using, Image string }           `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var inputs, outputs []string
	for k, v := range doc.Inputs {
		if strings.TrimSpace(v.Description) == "" {
			t.Errorf("input %s has no description", k)
		}
		inputs = append(inputs, k)
	}
	for k, v := range doc.Outputs {
		if strings.TrimSpace(v.Description) == "" {
			t.Errorf("output %s has no description", k)
		}
		outputs = append(outputs, k)
	}
	sort.Strings(inputs)
	sort.Strings(outputs)
	wantIn := []string{"allow-downgrade", "app", "app-id", "command", "config-repo", "digest", "dry-run", "env", "github-token", "image", "policy-file", "private-key", "tag", "tag-strategy"}
	wantOut := []string{"changed", "env", "image", "merged", "pr-number", "pr-url", "release-tag", "release-url", "tag"}
	if diff := cmp.Diff(wantIn, inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantOut, outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if doc.Runs.Using != "docker" || doc.Runs.Image != "Dockerfile" {
		t.Errorf("runs = %+v", doc.Runs)
	}
}

func TestCommandFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command, event, want string
		code                 int
	}{
		{"auto", "push", "bump", 0}, {"auto", "create", "bump", 0}, {"tag", "push", "tag", 0},
		{"auto", "issue_comment", "approve", 0}, {"auto", "pull_request_review", "approve", 0}, {"auto", "pull_request", "release", 0},
		{"auto", "check_suite", "merge", 0}, {"auto", "status", "merge", 0}, {"auto", "workflow_run", "merge", 0},
		{"auto", "workflow_dispatch", "reconcile", 0}, {"auto", "schedule", "reconcile", 0}, {"reconcile", "push", "reconcile", 0}, {"auto", "", "", command.ExitInput}, {"deploy", "push", "", command.ExitInput},
	} {
		got, err := commandFor(Inputs{Command: tc.command}, tc.event)
		if got != tc.want || command.ExitCode(err) != tc.code {
			t.Errorf("%s/%s = %q, %v", tc.command, tc.event, got, err)
		}
	}
}

func TestAnnotationsCarryFileAndLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env := map[string]string{"GITHUB_EVENT_NAME": "push", "INPUT_DRY-RUN": "sometimes"}
	err := Run(context.Background(), Env{Getenv: func(k string) string { return env[k] }, Stdout: &out})
	if command.ExitCode(err) != command.ExitInput || !strings.Contains(out.String(), `::error title=Baton::dry-run "sometimes": want true or false`) {
		t.Errorf("err %v, out:\n%s", err, out.String())
	}
}

func TestWorkflowDispatchCommandInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"ref":"refs/heads/main","inputs":{"command":"tag"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := map[string]string{"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": event, "GITHUB_SHA": strings.Repeat("ab", 20), "INPUT_IMAGE": "ghcr.io/acme/web"}
	err := Run(context.Background(), Env{Getenv: func(k string) string { return env[k] }, Stdout: &out})
	if err != nil || !strings.Contains(out.String(), "output tag=sha-ababab") {
		t.Fatalf("err %v\n%s", err, out.String())
	}
}
