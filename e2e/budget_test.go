package e2e

import (
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestRequestBudgetsThroughTheBinary measures the requests each bump makes
// to the config repository, through the built binary as the runner runs
// it, and holds them to their budgets. The app repository's requests are
// counted apart, at most 2 for a bump that writes: the compare (the
// changelog) and the build's workflow run (who triggered it, as GitHub
// records it); so is GET /user (who Baton is): none is the config
// repository's.
//
//	operation    .baton.yaml   seed layout (no policy file)
//	new bump     ≤ 9, 5 writes ≤ 10 (+ GET /repos for the default branch)
//	re-run       ≤ 4, 0 writes ≤ 4 (the open pull request names the default branch;
//	             the activity log proves Baton pushed the head that already holds the image)
//	update       ≤ 10, 5 writes ≤ 10
//	no-op        ≤ 4, 0 writes ≤ 5
func TestRequestBudgetsThroughTheBinary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files map[string]string
		extra int // the seed layout's GET /repos where no pull request names the default branch
	}{
		{name: "with .baton.yaml", files: map[string]string{".baton.yaml": ghsimtest.WebPolicy}},
		{name: "seed layout", extra: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.files)
			in := map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web", "tag": "1.5.0"}
			step := func(what, ref, sha, tag string, max, maxWrites, appMax int, wantChanged string) {
				t.Helper()
				in["tag"] = tag
				w.sim.ResetLog()
				r := w.action(t, "push", pushPayload(t, ref, sha), in, nil)
				if r.Code != 0 || r.Outputs["changed"] != wantChanged {
					t.Fatalf("%s: exit %d, outputs %v\n%s", what, r.Code, r.Outputs, r.Stdout)
				}
				config, writes, app, other := 0, 0, 0, 0
				for _, q := range w.sim.Requests() {
					switch {
					case strings.HasPrefix(q.Path, "/repos/acme/config"):
						config++
						if q.Mutating() {
							writes++
						}
					case strings.HasPrefix(q.Path, "/repos/acme/web"):
						app++
					default:
						other++
					}
				}
				t.Logf("%-8s %2d config-repo requests (%d writes), %d to the app repository, %d other (GET /user)", what, config, writes, app, other)
				if config > max || writes > maxWrites || app > appMax {
					t.Errorf("%s: %d config-repo requests (%d writes) and %d to the app repository; budget %d (%d writes) and %d:\n%v",
						what, config, writes, app, max, maxWrites, appMax, w.sim.Requests())
				}
			}
			step("new", "refs/heads/develop", sha1, "1.5.0", 9+tc.extra, 5, 2, "true")
			step("re-run", "refs/heads/develop", sha1, "1.5.0", 4, 0, 0, "false")
			step("update", "refs/heads/develop", "2222222222222222222222222222222222222222", "1.6.0", 10, 5, 2, "true")
			step("no-op", "refs/heads/main", sha1, "1.3.0", 4+tc.extra, 0, 0, "false")
			if prs := w.sim.PullRequests("acme/config"); len(prs) != 1 {
				t.Errorf("%d pull requests", len(prs))
			}
		})
	}
}

// TestAppModeRerunWritesNothing: as a GitHub App, Baton recognizes its
// own signed commit on the branch, so a re-run writes nothing either.
func TestAppModeRerunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	app, err := w.sim.AddApp("baton")
	if err != nil {
		t.Fatal(err)
	}
	w.sim.Install(app, "acme", "acme/config")
	in := map[string]string{"app-id": itoa(app.ID), "private-key": string(app.PrivateKeyPEM()), "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0"}
	if r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil); r.Code != 0 || r.Outputs["changed"] != "true" {
		t.Fatalf("bump: exit %d\n%s", r.Code, r.Stdout)
	}
	w.sim.ResetLog()
	r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
	if r.Code != 0 || r.Outputs["changed"] != "false" || !strings.Contains(r.Stdout, "already puts 1.5.0") {
		t.Fatalf("re-run: exit %d %v\n%s", r.Code, r.Outputs, r.Stdout)
	}
	for _, q := range w.sim.Requests() {
		if q.Mutating() && !strings.HasSuffix(q.Path, "/access_tokens") {
			t.Errorf("the re-run wrote: %s %s", q.Method, q.Path)
		}
	}
	in["image"] = "ghcr.io/acme/web:1.4.5"
	if r := w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil); r.Code != 0 || !strings.Contains(r.Stdout, "refusing to downgrade from 1.5.0 to 1.4.5") {
		t.Fatalf("older: exit %d\n%s", r.Code, r.Stdout)
	}
}
