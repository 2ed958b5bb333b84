package action

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"
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
