package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// TestReliabilityBadInputThroughTheBinary is the part of the reliability
// suite (internal/reliability) that needs the process itself: the exit
// status a pipeline sees and the message it prints, for bad input given
// as Action inputs and as CLI flags, and that nothing was written to
// GitHub. Exit 2: the workflow or command line is wrong; 3: the config
// repository is.
func TestReliabilityBadInputThroughTheBinary(t *testing.T) {
	t.Parallel()
	dup := strings.Replace(ghsimtest.StagingDeployment, "          ports:", "          image: ghcr.io/acme/web:1.2.0\n          ports:", 1)
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, []byte("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		files  map[string]string
		inputs map[string]string // as an Action on push to develop; nil: args as the CLI
		args   []string
		exit   int
		want   []string // the output names each
	}{
		{name: "Action: an environment the policy does not have", inputs: map[string]string{"env": "prod"},
			exit: 2, want: []string{`"prod"`, "staging", "production"}},
		{name: "CLI: an environment the policy does not have names --env", args: []string{"--env", "prod"},
			exit: 2, want: []string{"--env", `"prod"`, "staging"}},
		{name: "Action: an image reference in upper case", inputs: map[string]string{"image": "ghcr.io/acme/Web:1.5.0"},
			exit: 2, want: []string{"ghcr.io/acme/Web:1.5.0", "lowercase"}},
		{name: "CLI: a tag a registry cannot hold", args: []string{"--image", "ghcr.io/acme/web", "--tag", "1.5.0 && rm"},
			exit: 2, want: []string{"--tag", "1.5.0 && rm"}},
		{name: "Action: a key given twice in one container", files: map[string]string{"environments/staging/web-deployment.yaml": dup},
			inputs: map[string]string{}, exit: 3, want: []string{"environments/staging/web-deployment.yaml", "lines 12 and 13"}},
		{name: "CLI: a private key that is not PEM names --private-key", args: []string{"--app-id", "12", "--private-key", keyFile},
			exit: 2, want: []string{"--private-key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, tc.files)
			var r run
			if tc.inputs != nil {
				in := map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web:1.5.0", "app": "web"}
				for k, v := range tc.inputs {
					in[k] = v
				}
				r = w.action(t, "push", pushPayload(t, "refs/heads/develop", sha1), in, nil)
			} else {
				args := []string{"bump", "--config-repo", "acme/config", "--image", "ghcr.io/acme/web:1.5.0", "--ref", "refs/heads/develop", "--app", "web"}
				r = w.cli(t, append(args, tc.args...)...)
			}
			out := r.Stdout + r.Stderr
			t.Logf("exit %d:\n%s", r.Code, out)
			if r.Code != tc.exit {
				t.Errorf("exit %d, want %d", r.Code, tc.exit)
			}
			for _, s := range tc.want {
				if !strings.Contains(out, s) {
					t.Errorf("the output does not name %q", s)
				}
			}
			for _, q := range w.sim.Requests() {
				if q.Mutating() && strings.HasPrefix(q.Path, "/repos/") {
					t.Errorf("bad input wrote: %s %s → %d", q.Method, q.Path, q.Status)
				}
			}
		})
	}
}
