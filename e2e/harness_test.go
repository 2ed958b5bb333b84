// Package e2e runs the built baton binary the way the Actions runner does
// (INPUT_* variables, GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)
// against the GitHub simulator on loopback.
package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// binary is the baton executable built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "baton-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "baton")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-trimpath", "-o", binary, "../cmd/baton")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build baton: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir) //nolint:errcheck // best effort
	os.Exit(code)
}

// world is a ghsimtest World as the e2e tests need it: the seed layout
// (files laid over it), the app repository, "ci" as the only collaborator
// and no team, on the simulator's wall clock, because the binary runs as a
// subprocess on real time and signs App JWTs with it.
type world struct {
	sim   *ghsim.Sim
	clock *ghsimtest.Clock // the simulator's time: the wall clock plus an offset a test advances
	url   string
	token string // a token of "ci" with write access to acme/config
}

func newWorld(t *testing.T, files map[string]string) *world {
	t.Helper()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		WallClock: true, ConfigFiles: files,
		NoDefaultPeople: true, Roles: map[string]string{ghsimtest.CI: "write"},
	})
	return &world{sim: w.Sim, clock: w.Clock, url: w.URL, token: w.Token(ghsimtest.CI)}
}

// run is one Action run.
type run struct {
	Code    int
	Stdout  string
	Stderr  string
	Outputs map[string]string
	Summary string
}

// action runs the binary as the runner runs a container action: inputs as
// INPUT_<NAME> (hyphens kept), the GITHUB_* context, an event payload file
// made from a template, and the output and summary files.
func (w *world) action(t *testing.T, event string, payload map[string]any, inputs map[string]string, extra map[string]string) run {
	t.Helper()
	dir := t.TempDir()
	eventPath := filepath.Join(dir, "event.json")
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(eventPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, p := range []string{outPath, sumPath} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ref, _ := payload["ref"].(string)
	sha, _ := payload["after"].(string)
	// The workflow run GitHub records for this job: the bump reads who
	// triggered the build from it. A payload with no commit has none.
	runID := "4242"
	if id, err := w.sim.AddWorkflowRun("acme/web", ghsim.RunOptions{HeadSHA: sha, HeadBranch: strings.TrimPrefix(ref, "refs/heads/"), Event: event, Actor: "alice"}); err == nil {
		runID = strconv.FormatInt(id, 10)
	}
	env := []string{
		"PATH=/usr/bin:/bin", "HOME=" + dir, "CI=true", "GITHUB_ACTIONS=true",
		"GITHUB_EVENT_NAME=" + event, "GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_OUTPUT=" + outPath, "GITHUB_STEP_SUMMARY=" + sumPath,
		"GITHUB_REPOSITORY=acme/web", "GITHUB_REF=" + ref, "GITHUB_SHA=" + sha,
		"GITHUB_RUN_ID=" + runID, "GITHUB_RUN_NUMBER=17", "GITHUB_ACTOR=alice", "GITHUB_ACTOR_ID=583231",
		"GITHUB_SERVER_URL=https://github.com", "GITHUB_API_URL=" + w.url,
		"GITHUB_WORKSPACE=/github/workspace",
	}
	for k, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	r := runBinary(t, env, "run")
	r.Outputs = parseOutputs(t, outPath)
	s, _ := os.ReadFile(sumPath)
	r.Summary = string(s)
	return r
}

// runBinary runs the binary with args and only the variables env, and
// returns its exit status and output.
func runBinary(t *testing.T, env []string, args ...string) run {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// cli runs the binary as a person runs the CLI: arguments, a token in
// GITHUB_TOKEN, the simulator as the API.
func (w *world) cli(t *testing.T, args ...string) run {
	t.Helper()
	return w.cliWith(t, map[string]string{"GITHUB_TOKEN": w.token}, args...)
}

// cliWith runs the binary as a person runs it on the command line: the
// arguments, and only the variables given.
func (w *world) cliWith(t *testing.T, env map[string]string, args ...string) run {
	t.Helper()
	vars := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "GITHUB_API_URL=" + w.url}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	return runBinary(t, vars, args...)
}

// parseOutputs reads the runner's output file format:
// name<<DELIMITER\nvalue\nDELIMITER\n.
func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// pushPayload makes a push event from the recorded template.
func pushPayload(t *testing.T, ref, sha string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", "push-new-branch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["ref"], p["after"] = ref, sha
	if repo, ok := p["repository"].(map[string]any); ok {
		repo["full_name"], repo["name"] = "acme/web", "web"
	}
	return p
}
