package ghsimtest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

func get(t *testing.T, w *ghsimtest.World, token, path string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWorldSeedsTheLayoutPeopleAndApp(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true, Policy: "apps: {}\n", ConfigFiles: map[string]string{"extra.txt": "x\n"}})
	for path, want := range map[string]string{
		"environments/staging/web-deployment.yaml": ghsimtest.StagingDeployment,
		".baton.yaml": "apps: {}\n",
		"extra.txt":   "x\n",
	} {
		got, err := w.Sim.FileAt(w.Config, "main", path)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	if got, _ := w.Sim.FileAt(w.Config, "main", "environments/production/web-deployment.yaml"); got == "" || got == ghsimtest.StagingDeployment {
		t.Errorf("production manifest = %q, want the 1.3.0 copy", got)
	}
	for _, tc := range []struct {
		login string
		want  int
	}{
		{ghsimtest.Reader, 200}, {ghsimtest.Writer, 200}, {"stranger", 404},
	} {
		if got := get(t, w, w.Token(tc.login), "/repos/acme/config"); got != tc.want {
			t.Errorf("%s reads the private config repo: %d, want %d", tc.login, got, tc.want)
		}
	}
	if first, again := w.Token(ghsimtest.Writer), w.Token(ghsimtest.Writer); first != again {
		t.Error("Token is not stable")
	}
	if got := get(t, w, w.Token(ghsimtest.CI), "/orgs/acme/teams/sre/memberships/"+ghsimtest.Approver); got != 200 {
		t.Errorf("approver in acme/sre: %d", got)
	}
	if got := get(t, w, w.InstallationToken(), "/repos/acme/web"); got != 200 {
		t.Errorf("installation token reads the app repo: %d", got)
	}
}

func TestWorldOptionsOverride(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		Start: start, NoSeedLayout: true, ConfigFiles: map[string]string{"only.yaml": "a: 1\n"},
		Roles: map[string]string{ghsimtest.Writer: "", "zed": "maintain"},
		Teams: map[string][]string{"acme/sre": nil, "acme/ops": {"zed"}},
	})
	if _, err := w.Sim.FileAt(w.Config, "main", "environments/staging/web-deployment.yaml"); err == nil {
		t.Error("NoSeedLayout kept the seed layout")
	}
	if got := get(t, w, w.Token(ghsimtest.Writer), "/repos/acme/config"); got != 404 {
		t.Errorf("removed writer reads the repo: %d, want 404", got)
	}
	if got := get(t, w, w.Token("zed"), "/orgs/acme/teams/ops/memberships/zed"); got != 200 {
		t.Errorf("zed in acme/ops: %d", got)
	}
	if got := get(t, w, w.Token("zed"), "/orgs/acme/teams/sre/memberships/"+ghsimtest.Approver); got != 404 {
		t.Errorf("removed team acme/sre answers %d, want 404", got)
	}
	acts := w.Sim.Activities(w.Config)
	if len(acts) != 1 || !acts[0].Timestamp.Equal(start) {
		t.Errorf("seed push recorded at %+v, want %v", acts, start)
	}
}

func TestClockDrivesTheSimulator(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	w.Sim.Inject(ghsim.Fault{Method: "GET", Route: "*", Kind: ghsim.FaultLatency, Latency: 50 * time.Millisecond})
	before := w.Clock.Now()
	wall := time.Now()
	for range 10 {
		get(t, w, w.Token(ghsimtest.Reader), "/repos/acme/config")
	}
	if got := w.Clock.Now().Sub(before); got != 500*time.Millisecond {
		t.Errorf("latency advanced the clock by %v, want 500ms", got)
	}
	if time.Since(wall) > 400*time.Millisecond {
		t.Errorf("latency was spent on the wall clock (%v)", time.Since(wall))
	}
}

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c := ghsimtest.NewClock(ghsimtest.DefaultStart)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Sleep(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(ghsimtest.DefaultStart.Add(800*time.Second), c.Now()); diff != "" {
		t.Errorf("clock (-want +got):\n%s", diff)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.SleepContext(ctx, time.Hour); err == nil {
		t.Error("SleepContext on a done context returned nil")
	}
	if err := c.SleepContext(context.Background(), time.Hour); err != nil || !c.Now().Equal(ghsimtest.DefaultStart.Add(800*time.Second+time.Hour)) {
		t.Errorf("SleepContext: %v, now %v", err, c.Now())
	}
}

func TestWorldAppInstalledOnConfigOnly(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{App: true, PrivateAppRepo: true, AppInstalledOn: []string{ghsimtest.ConfigRepo}})
	tok := w.InstallationToken()
	if got := get(t, w, tok, "/repos/acme/config"); got != 200 {
		t.Errorf("config repo: %d, want 200", got)
	}
	if got := get(t, w, tok, "/repos/acme/web"); got != 404 {
		t.Errorf("private app repo outside the installation: %d, want 404", got)
	}
}

func TestActionsTokenIsABotWriter(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{})
	tok, err := w.ActionsToken()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := w.ActionsToken(); again != tok {
		t.Error("ActionsToken is not stable")
	}
	if got := get(t, w, tok, "/repos/acme/config"); got != 200 {
		t.Errorf("GITHUB_TOKEN reads the config repo: %d", got)
	}
	u, ok := w.Sim.User(ghsimtest.ActionsBot)
	if !ok || u.Type != "Bot" {
		t.Errorf("account = %+v, want a Bot", u)
	}
}

func TestWallClockFollowsTheWallClockAhead(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{WallClock: true, Start: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	before := time.Now()
	if got := w.Clock.Now(); got.Before(before) || got.After(before.Add(time.Minute)) {
		t.Errorf("wall clock reads %v at wall %v (Start must be ignored)", got, before)
	}
	w.Clock.Advance(time.Hour)
	w.Clock.Sleep(time.Hour)
	if got := time.Until(w.Clock.Now()); got < 2*time.Hour-time.Minute || got > 2*time.Hour {
		t.Errorf("wall clock is %v ahead after advancing 2h", got)
	}
	at := time.Now().Add(24 * time.Hour)
	w.Clock.Set(at)
	if got := w.Clock.Now(); got.Before(at) || got.After(at.Add(time.Minute)) {
		t.Errorf("after Set(%v) the clock reads %v", at, got)
	}
}

func TestNoDefaultPeopleAndStagingManifest(t *testing.T) {
	t.Parallel()
	w := ghsimtest.NewWorld(t, ghsimtest.WorldOptions{
		NoDefaultPeople: true, Roles: map[string]string{ghsimtest.CI: "write"},
		StagingManifest: "image: ghcr.io/acme/web:1.4.0\n",
	})
	for _, tc := range []struct {
		login string
		want  int
	}{
		{ghsimtest.CI, 200}, {ghsimtest.Writer, 404}, {ghsimtest.Admin, 404},
	} {
		if got := get(t, w, w.Token(tc.login), "/repos/acme/config"); got != tc.want {
			t.Errorf("%s reads the config repo: %d, want %d", tc.login, got, tc.want)
		}
	}
	if got := get(t, w, w.Token(ghsimtest.CI), "/orgs/acme/teams/sre/memberships/"+ghsimtest.Approver); got != 404 {
		t.Errorf("team acme/sre without default people: %d, want 404", got)
	}
	for path, want := range map[string]string{
		"environments/staging/web-deployment.yaml":    "image: ghcr.io/acme/web:1.4.0\n",
		"environments/production/web-deployment.yaml": "image: ghcr.io/acme/web:1.3.0\n",
	} {
		if got, err := w.Sim.FileAt(w.Config, "main", path); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
}
