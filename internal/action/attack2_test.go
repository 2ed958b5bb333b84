package action

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"

	"github.com/baton-dev/baton/internal/command"
)

// readOutputs parses a GITHUB_OUTPUT file the way the runner does:
// name=value lines, and name<<DELIMITER … DELIMITER blocks.
func readOutputs(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var v []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				v = append(v, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("output %s: no closing delimiter %q", name, delim)
			}
			out[name] = strings.Join(v, "\n")
			continue
		}
		name, v, _ := strings.Cut(lines[i], "=")
		out[name] = v
	}
	return out
}

// Second attack round: an output value holding the delimiter that
// go-githubactions writes for every output (a fixed string,
// "_GitHubActionsFileCommandDelimeter_") would end the value early, and
// what follows would set other outputs of the step (merged=true,
// release-url=…) that later steps trust. Every output is written with a
// random delimiter that the value does not contain, as the runner's
// toolkit does.
func TestAttack2OutputDelimiterInjection(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "GITHUB_OUTPUT" {
			return file
		}
		return ""
	}
	var log bytes.Buffer
	a := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(&log))
	o := &outputs{a: a, getenv: getenv, w: &log}
	evil := "1.5.0\n_GitHubActionsFileCommandDelimeter_\nmerged<<EOF\ntrue\nEOF\nrelease-url<<X\nhttps://evil.example\nX"
	o.set("tag", evil)
	o.set("merged", "false")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tag": evil, "merged": "false"}
	if diff := cmp.Diff(want, readOutputs(t, string(data))); diff != "" {
		t.Errorf("outputs (-want +got):\n%s\nfile:\n%s", diff, data)
	}
}

// A second delivery of a pull_request_review event (GitHub redelivers,
// people re-run jobs) must find Baton's earlier answer: the review's id
// goes to the use case, whose reply carries it in its marker. Without
// it every delivery answered again.
func TestAttack2ReviewEventCarriesTheReviewID(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "event.json")
	payload := `{"action":"submitted","review":{"id":80,"state":"approved","commit_id":"abc","submitted_at":"2026-11-30T10:00:00Z","user":{"id":5,"login":"carol","type":"User"}},"pull_request":{"number":7},"repository":{"full_name":"acme/config"}}`
	if err := os.WriteFile(path, []byte(payload), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := readPayload(path)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := p.reviewEvent("acme/config")
	if err != nil {
		t.Fatal(err)
	}
	if ev.ReviewID != 80 {
		t.Errorf("review event's ReviewID = %d, want 80 (review.id)", ev.ReviewID)
	}
}

// A workflow_dispatch's command input is set by whoever dispatches. The
// commands that read a pull request, comment or commit from the event
// must refuse a payload that names none with an input error (exit 2),
// not call GitHub with an empty commit id.
func TestAttack2DispatchWithACraftedCommand(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"merge", "release", "approve"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "event.json")
			if err := os.WriteFile(path, []byte(`{"inputs":{"command":"`+cmd+`"},"repository":{"full_name":"acme/config"}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_EVENT_PATH": path, "GITHUB_REPOSITORY": "acme/config"}
			_, err := invocationFor(Inputs{Command: "auto"}, world{getenv: func(k string) string { return env[k] }})
			if err == nil {
				t.Fatalf("dispatch with command %s and no event object: no error", cmd)
			}
			if cmd == "merge" && command.ExitCode(err) != command.ExitInput {
				t.Errorf("dispatch with command merge: exit %d (%v), want an input error", command.ExitCode(err), err)
			}
		})
	}
}
