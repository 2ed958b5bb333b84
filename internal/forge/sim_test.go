package forge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/githost"
)

// sleeps records the client's waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d)
}

// world serves a ghsimtest World shaped for forge's tests, opts laid
// over that shape: acme/config holding only a.yaml, alice (a writer) its
// one collaborator, no team, and the public app repository acme/web.
func world(t *testing.T, opts ghsimtest.WorldOptions) *ghsimtest.World {
	t.Helper()
	opts.NoSeedLayout, opts.ConfigFiles = true, map[string]string{"a.yaml": "image: x:1\n"}
	opts.NoDefaultPeople, opts.Roles = true, map[string]string{"alice": "write"}
	return ghsimtest.NewWorld(t, opts)
}

// setup serves world on the wall clock, as App JWTs (signed with the
// real time) need; it returns the simulator, its URL and alice's token.
func setup(t *testing.T) (*ghsim.Sim, string, string) {
	t.Helper()
	w := world(t, ghsimtest.WorldOptions{WallClock: true})
	return w.Sim, w.URL, w.Token("alice")
}

// setupClock is setup with the simulator on a clock the test moves.
func setupClock(t *testing.T) (*ghsim.Sim, string, string, *ghsimtest.Clock) {
	t.Helper()
	w := world(t, ghsimtest.WorldOptions{Start: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	return w.Sim, w.URL, w.Token("alice"), w.Clock
}

// client builds a forge client for a token whose waits sl records.
func client(t *testing.T, url, tok string, sl *sleeps) *forge.Client {
	t.Helper()
	c, err := forge.New(context.Background(), forge.Options{Token: tok, APIURL: url, Sleep: sl.sleep, Retry: forge.Retry{Attempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openPR pushes a change of a.yaml to branch (as alice) and opens a pull
// request for it against main.
func openPR(t *testing.T, sim *ghsim.Sim, c *forge.Client, branch, content string) *githost.PR {
	t.Helper()
	if _, err := sim.Push("acme/config", branch, "alice", map[string]*string{"a.yaml": &content}, "bump on "+branch); err != nil {
		t.Fatal(err)
	}
	pr, err := c.CreatePR(context.Background(), "acme/config", githost.NewPR{Title: "bump " + branch, Head: branch, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// api makes one request to the simulator as another actor would (a
// person reviewing, editing a comment), outside the client under test,
// and decodes the answer into out when not nil.
func api(t *testing.T, url, tok, method, path string, body, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, url+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// installApp adds the App "baton" to the simulator and installs it on
// acme for the given repositories (all of acme's when none).
func installApp(t *testing.T, sim *ghsim.Sim, repos ...string) *ghsim.App {
	t.Helper()
	app, err := sim.AddApp("baton")
	if err != nil {
		t.Fatal(err)
	}
	sim.Install(app, "acme", repos...)
	return app
}
