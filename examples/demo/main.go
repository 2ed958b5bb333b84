// Command demo runs Baton's main job end to end on the built-in GitHub
// simulator: no credentials, no network. It seeds a config repository in
// the seed layout, runs the Action for a push to develop and a push to
// main, shows the two pull requests and their diffs, approves one by
// comment (refused for an outsider, accepted for a writer), which merges
// and releases it, and shows the config repository's tags, releases and
// history. `make demo` runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/baton-dev/baton/internal/action"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, "examples/config-repo")
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, seedDir string) error {
	// The simulator's clock: the wall clock plus an offset the demo moves
	// forward instead of sleeping; never behind the wall clock, since Baton
	// signs its App JWTs with the real time.
	clk := ghsimtest.NewWallClock()
	sim := ghsim.New(ghsim.Options{Now: clk.Now})
	srv := sim.Serve()
	defer srv.Close()

	files := map[string]string{}
	err := fs.WalkDir(os.DirFS(seedDir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "README.md" {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(seedDir), p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the sample config repo: %w", err)
	}
	sim.AddUser("alice")
	if _, err := sim.CreateRepo("acme/config", ghsim.RepoOptions{Private: true, Files: files, Author: "alice", Message: "Seed the config repo"}); err != nil {
		return err
	}
	if _, err := sim.CreateRepo("acme/app", ghsim.RepoOptions{Files: map[string]string{"main.go": "package main\n"}, Author: "alice"}); err != nil {
		return err
	}
	app, err := sim.AddApp("baton")
	if err != nil {
		return err
	}
	// On the app repository too: Baton reads the build's workflow run
	// there, to know who triggered it (self-approval).
	sim.Install(app, "acme", "acme/config", "acme/app")

	step(w, "GitHub simulator on %s; config repo acme/config (seed layout, no .baton.yaml); the Baton App installed on it and on acme/app", srv.URL)
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		fmt.Fprintf(w, "    %s\n", p)
	}

	pushes := []struct{ ref, sha, tag string }{
		{"refs/heads/develop", "5b2f1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c", "1.5.0"},
		{"refs/heads/main", "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b", "1.4.2"},
	}
	for _, p := range pushes {
		step(w, "acme/app: push to %s built ghcr.io/acme/app:%s; the workflow runs Baton (command: auto)", p.ref, p.tag)
		run, err := sim.AddWorkflowRun("acme/app", ghsim.RunOptions{HeadSHA: p.sha, HeadBranch: strings.TrimPrefix(p.ref, "refs/heads/"), Actor: "alice"})
		if err != nil {
			return err
		}
		out, err := runAction(ctx, srv.URL, app, p.ref, p.sha, p.tag, run)
		fmt.Fprint(w, indent(out))
		if err != nil {
			return err
		}
	}

	step(w, "Pull requests in acme/config")
	for _, pr := range sim.PullRequests("acme/config") {
		fmt.Fprintf(w, "  #%d %s\n     %s/acme/config/pull/%d  (%s → %s, by %s, labels %s)\n", pr.Number, pr.Title, srv.URL, pr.Number, pr.PR.Head, pr.PR.Base, pr.User.Login, strings.Join(pr.Labels, ", "))
		diff, err := prDiff(sim, pr)
		if err != nil {
			return err
		}
		fmt.Fprint(w, indent(diff))
	}

	// The config repo's workflow runs Baton on issue_comment events.
	for login, role := range map[string]string{"bob": "write", "mallory": "read"} {
		if err := sim.SetPermission("acme/config", login, role); err != nil {
			return err
		}
	}
	// Approvals count only after the content they approve (GitHub's times
	// have 1 s resolution): the people comment a little later, on the
	// simulator's clock.
	clk.Advance(2 * time.Second)
	for _, c := range []struct{ user, note string }{
		{"mallory", "mallory (read access) comments /approve on #2"},
		{"bob", "bob (write access) comments /approve on #2"},
	} {
		step(w, "%s; the config repo's workflow runs Baton (event issue_comment)", c.note)
		id, err := sim.AddComment("acme/config", 2, c.user, "/approve")
		if err != nil {
			return err
		}
		out, err := runEvent(ctx, srv.URL, app, "issue_comment", map[string]any{
			"action": "created", "repository": map[string]any{"full_name": "acme/config"},
			"issue":   map[string]any{"number": 2, "pull_request": map[string]any{"url": srv.URL + "/repos/acme/config/pulls/2"}},
			"comment": map[string]any{"id": id, "body": "/approve", "created_at": clk.Now().UTC().Format(time.RFC3339), "user": map[string]any{"login": c.user, "type": "User"}},
		})
		fmt.Fprint(w, indent(out))
		if err != nil {
			return err
		}
		comments := sim.Comments("acme/config", 2)
		reply, _, _ := strings.Cut(comments[len(comments)-1].Body, "\n\n<!-- baton:reply ") // the hidden marker
		fmt.Fprintf(w, "  Baton replied: %s\n", reply)
	}

	step(w, "git tag and releases of acme/config")
	for _, t := range sim.Refs("acme/config", "refs/tags/") {
		fmt.Fprintf(w, "  %s\n", strings.TrimPrefix(t, "refs/tags/"))
	}
	for _, r := range sim.Releases("acme/config") {
		fmt.Fprintf(w, "  release %q (latest: %v)\n%s", r.Name, r.Latest, indent(indent(r.Body)))
	}

	step(w, "git log --all of acme/config")
	log, err := sim.Log("acme/config")
	if err != nil {
		return err
	}
	for _, c := range log {
		refs := ""
		if len(c.Refs) > 0 {
			refs = " (" + strings.Join(c.Refs, ", ") + ")"
		}
		fmt.Fprintf(w, "  commit %s%s\n  Author: %s\n  Date:   %s\n\n%s\n", c.SHA, refs, c.Author, c.When.Format(time.RFC1123Z), indent(indent(strings.TrimRight(c.Message, "\n")+"\n")))
	}
	return nil
}

func step(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "\n==> "+format+"\n", args...)
}

func indent(s string) string {
	if s == "" {
		return s
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// runEvent runs the Action in-process for a config-repository event.
func runEvent(ctx context.Context, apiURL string, app *ghsim.App, event string, payload map[string]any) (string, error) {
	dir, err := os.MkdirTemp("", "baton-demo-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir) //nolint:errcheck // temporary
	b, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	eventPath, outPath := filepath.Join(dir, "event.json"), filepath.Join(dir, "output")
	if err := os.WriteFile(eventPath, b, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(outPath, nil, 0o600); err != nil {
		return "", err
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": eventPath, "GITHUB_REPOSITORY": "acme/config",
		"GITHUB_API_URL": apiURL, "GITHUB_OUTPUT": outPath,
		"INPUT_APP-ID": fmt.Sprint(app.ID), "INPUT_PRIVATE-KEY": string(app.PrivateKeyPEM()),
	}
	var out bytes.Buffer
	err = action.Run(ctx, action.Env{Getenv: func(k string) string { return env[k] }, Stdout: &out})
	return visible(out.String(), outPath), err
}

// visible drops the mask commands and appends the step outputs.
func visible(log, outPath string) string {
	var shown []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") && l != "" {
			shown = append(shown, l)
		}
	}
	outputs, _ := os.ReadFile(outPath)
	var kv []string
	lines := strings.Split(string(outputs), "\n")
	for i := 0; i+1 < len(lines); i++ {
		if name, _, ok := strings.Cut(lines[i], "<<"); ok {
			kv = append(kv, name+"="+lines[i+1])
		}
	}
	shown = append(shown, "outputs: "+strings.Join(kv, " "))
	return strings.Join(shown, "\n") + "\n"
}

// runAction runs the Action in-process with the environment the runner
// gives a container action, and returns what it printed.
func runAction(ctx context.Context, apiURL string, app *ghsim.App, ref, sha, tag string, run int64) (string, error) {
	dir, err := os.MkdirTemp("", "baton-demo-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir) //nolint:errcheck // temporary
	outPath := filepath.Join(dir, "output")
	if err := os.WriteFile(outPath, nil, 0o600); err != nil {
		return "", err
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": ref, "GITHUB_SHA": sha,
		"GITHUB_REPOSITORY": "acme/app", "GITHUB_RUN_ID": fmt.Sprint(run), "GITHUB_RUN_NUMBER": "7", "GITHUB_ACTOR": "alice",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": apiURL, "GITHUB_OUTPUT": outPath,
		"INPUT_COMMAND": "auto", "INPUT_CONFIG-REPO": "acme/config", "INPUT_IMAGE": "ghcr.io/acme/app", "INPUT_TAG": tag,
		"INPUT_APP-ID": fmt.Sprint(app.ID), "INPUT_PRIVATE-KEY": string(app.PrivateKeyPEM()),
	}
	var out bytes.Buffer
	err = action.Run(ctx, action.Env{Getenv: func(k string) string { return env[k] }, Stdout: &out})
	return visible(out.String(), outPath), err
}

// prDiff renders a pull request's change from the simulator's Git data.
func prDiff(sim *ghsim.Sim, pr ghsim.Issue) (string, error) {
	var b strings.Builder
	for _, path := range []string{"environments/staging/app-deployment.yaml", "environments/production/app-deployment.yaml"} {
		before, err := sim.FileAt("acme/config", pr.PR.Base, path)
		if err != nil {
			return "", err
		}
		after, err := sim.FileAt("acme/config", pr.PR.HeadSHA, path)
		if err != nil {
			return "", err
		}
		if before != after {
			b.WriteString(unified(path, before, after))
		}
	}
	return b.String(), nil
}
