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

// clock is the simulator's clock, moved by tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// setup serves a simulator with acme/config (a.yaml on main) and alice, a
// writer; it returns the simulator, its URL and alice's token. The
// simulator keeps real time, as App JWTs (signed with the real time) need.
func setup(t *testing.T) (*ghsim.Sim, string, string) {
	t.Helper()
	return serve(t, ghsim.Options{})
}

// setupClock is setup with the simulator on a clock the test moves.
func setupClock(t *testing.T) (*ghsim.Sim, string, string, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	sim, url, tok := serve(t, ghsim.Options{Now: clk.Now})
	return sim, url, tok, clk
}

func serve(t *testing.T, opts ghsim.Options) (*ghsim.Sim, string, string) {
	t.Helper()
	sim := ghsim.New(opts)
	srv := sim.Serve()
	t.Cleanup(srv.Close)
	if _, err := sim.CreateRepo("acme/config", ghsim.RepoOptions{Private: true, Files: map[string]string{"a.yaml": "image: x:1\n"}}); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetPermission("acme/config", "alice", "write"); err != nil {
		t.Fatal(err)
	}
	return sim, srv.URL, sim.Token("alice")
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
