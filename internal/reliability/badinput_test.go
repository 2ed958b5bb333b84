package reliability

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

const stagingFile = "environments/staging/web-deployment.yaml"

// withStaging is the seed layout with staging's file replaced.
func withStaging(content string) ghsimtest.WorldOptions {
	return ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, ConfigFiles: map[string]string{stagingFile: content}}
}

// aliasBomb is the "billion laughs" document: nine levels of nine aliases
// expand to 9⁹ strings, beside a real image reference.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("image: ghcr.io/acme/web:1.4.0\n")
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&b, "%s: &%s [%s]\n", name, name, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
		prev = name
	}
	return b.String()
}

// bigManifest is a valid manifest of at least size bytes: the seed's
// Deployment followed by comment lines.
func bigManifest(size int) string {
	var b strings.Builder
	b.Grow(size + 100)
	b.WriteString(ghsimtest.StagingDeployment)
	line := "# " + strings.Repeat("padding ", 12) + "\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.String()
}

func otherKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// TestAliasBombIsNeverExpanded: a file holding the "billion laughs"
// beside the image is edited without expanding an alias (parsing locates
// nodes, it never builds values): the pull request changes the image's
// bytes and nothing else, in bounded time.
func TestAliasBombIsNeverExpanded(t *testing.T) {
	t.Parallel()
	bomb := aliasBomb()
	r := newRig(t, withStaging(bomb))
	o, err := r.bump(context.Background(), "web", "ghcr.io/acme/web:1.5.0", "refs/heads/develop")
	if err != nil || o.PR == nil {
		t.Fatalf("bump: %+v, %v", o, err)
	}
	got, _ := r.w.Sim.FileAt(r.w.Config, o.PR.HeadSHA, stagingFile)
	if want := strings.Replace(bomb, "web:1.4.0", "web:1.5.0", 1); got != want {
		t.Errorf("the edit changed more than the image:\n%s", got)
	}
}

// TestBadInputIsRefusedAndChangesNothing documents what Baton answers to
// each kind of bad input: the error names the thing that is wrong and
// what would be accepted, the exit status says whose mistake it is (2:
// the command line or the workflow; 3: the config repository), and
// nothing is written to GitHub (no branch, commit, pull request, label,
// tag or comment: the request log holds no write).
func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	bump := func(mod func(*command.BumpOptions)) func(*rig) error {
		return func(r *rig) error {
			o := r.bumpOptions("web", "ghcr.io/acme/web:1.5.0", "refs/heads/develop")
			if mod != nil {
				mod(&o)
			}
			// A refusal needs no long work: the bound keeps make test
			// short when a file is parsed that should have been refused.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := command.Bump(ctx, o)
			if ctx.Err() != nil {
				return fmt.Errorf("not refused within 30 s (the input was processed, not refused at the door): %w", err)
			}
			return err
		}
	}
	withPolicy := func(p string) ghsimtest.WorldOptions { return ghsimtest.WorldOptions{Policy: p} }
	for _, tc := range []struct {
		name  string
		world ghsimtest.WorldOptions
		run   func(*rig) error
		exit  int
		want  []string       // the error names each of these
		match *regexp.Regexp // and, when set, matches this
		// refused is a write GitHub itself refuses (an archived repository
		// says so only then): that one attempt, answered 403, creates
		// nothing; every other row makes no write at all.
		refused string
	}{
		{
			name:  "an environment's file that is not YAML: the file and the line",
			world: withStaging("spec:\n  containers:\n    - image: ghcr.io/acme/web:1.4.0\n      ports: [8080\n"),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{stagingFile + ":"},
		},
		{
			name:  "a key given twice in one map (YAML requires unique keys): both lines",
			world: withStaging("spec:\n  containers:\n    - name: web\n      image: ghcr.io/acme/web:1.3.0\n      image: ghcr.io/acme/web:1.2.0\n"),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{stagingFile, "image", "4", "5"},
		},
		{
			name:  "a 50 MB file is over the size cap: the file, its size and the cap",
			world: withStaging(bigManifest(50 << 20)),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{stagingFile}, match: regexp.MustCompile(`\d[\d.,]* ?(MB|MiB|bytes)\b.*\d[\d.,]* ?(MB|MiB|bytes)\b`), // the size and the cap
		},
		{
			name:  "a file that is not UTF-8 (Latin-1 é in a comment)",
			world: withStaging(strings.Replace(ghsimtest.StagingDeployment, "# Staging", "# Caf\xe9 staging", 1)),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{stagingFile, "UTF-8"},
		},
		{
			name:  "a NUL byte in a file",
			world: withStaging(strings.Replace(ghsimtest.StagingDeployment, "namespace: staging", "namespace: stag\x00ing", 1)),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{stagingFile, "control character 0x00"},
		},
		{
			name:  "an image reference that is not one (upper case in the repository)",
			world: withPolicy(ghsimtest.WebPolicy),
			run:   bump(func(o *command.BumpOptions) { o.Image = "ghcr.io/acme/Web:1.5.0" }), exit: command.ExitInput,
			want: []string{"image", "ghcr.io/acme/Web:1.5.0"},
		},
		{
			name:  "a tag with characters a tag cannot hold",
			world: withPolicy(ghsimtest.WebPolicy),
			run:   bump(func(o *command.BumpOptions) { o.Image, o.Tag = "ghcr.io/acme/web", "1.5.0;rm -rf /" }), exit: command.ExitInput,
			want: []string{"tag", "1.5.0;rm -rf /"},
		},
		{
			name:  "an environment the policy does not have: the accepted ones",
			world: withPolicy(ghsimtest.WebPolicy),
			run:   bump(func(o *command.BumpOptions) { o.Env = "prod" }), exit: command.ExitInput,
			want: []string{`"prod"`, "staging", "production"},
		},
		{
			name:  "an app name that climbs out of the environment's directory",
			world: ghsimtest.WorldOptions{},
			run:   bump(func(o *command.BumpOptions) { o.App = "../../.github/workflows/evil" }), exit: command.ExitInput,
			want: []string{"app", "../../.github/workflows/evil"},
		},
		{
			name: "a file template that climbs out of the repository",
			world: withPolicy("apps:\n  web:\n    image: ghcr.io/acme/web\nenvironments:\n  staging:\n    branches: [develop]\n" +
				"    files: [\"../{{ .Env }}/{{ .App }}.yaml\"]\n"),
			run: bump(nil), exit: command.ExitConfig,
			want: []string{".baton.yaml:7", "files", "../staging/web.yaml", "leaves the repository"},
		},
		{
			name: "an absolute file template",
			world: withPolicy("apps:\n  web:\n    image: ghcr.io/acme/web\nenvironments:\n  staging:\n    branches: [develop]\n" +
				"    files: [\"/etc/{{ .App }}.yaml\"]\n"),
			run: bump(nil), exit: command.ExitConfig,
			want: []string{".baton.yaml:7", "files", "/etc/web.yaml", "absolute"},
		},
		{
			name:  "a key path that is not one",
			world: withPolicy("apps:\n  web:\n    image: ghcr.io/acme/web\n    keys: [\"spec..containers[x]\"]\nenvironments:\n  staging:\n    branches: [develop]\n"),
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{".baton.yaml:4", "spec..containers[x]"},
		},
		{
			name: "a policy with a mistake of every kind: each named with its line",
			world: withPolicy("apps:\n  web:\n    image: ghcr.io/acme/web\n    colour: blue\n" +
				"environments:\n  staging:\n    branches: [develop]\n    merge: sometimes\n    approvals: 0\n    versions: \">= banana\"\n" +
				"  production:\n    branches: [\"[\"]\n    approvers: [\"@acme\"]\n"),
			run: bump(nil), exit: command.ExitConfig,
			want: []string{".baton.yaml:4", "colour", ".baton.yaml:8", "sometimes", ".baton.yaml:10", "banana", ".baton.yaml:12", ".baton.yaml:13", "@acme"},
		},
		{
			name:  "an empty config repository (no commit yet)",
			world: ghsimtest.WorldOptions{NoSeedLayout: true},
			run:   bump(nil), exit: command.ExitConfig,
			want: []string{"acme/config", "empty"},
		},
		{
			name:  "an archived config repository",
			world: ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy},
			run: func(r *rig) error {
				if err := r.w.Sim.SetArchived(r.w.Config, true); err != nil {
					return err
				}
				return bump(nil)(r)
			},
			exit:    command.ExitConfig,
			want:    []string{"acme/config is archived", "unarchive", "nothing was written"},
			refused: "POST /repos/acme/config/git/trees → 403",
		},
		{
			name:  "an App private key that is not the App's",
			world: ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, App: true, Start: time.Now()},
			run: func(r *rig) error {
				return bump(func(o *command.BumpOptions) {
					o.Auth = command.Auth{AppID: strconv.FormatInt(r.w.App.ID, 10), PrivateKey: otherKey(r.t.(*testing.T)), APIURL: r.w.URL, Sleep: r.w.Clock.SleepContext}
				})(r)
			},
			exit: command.ExitInput,
			want: []string{"private-key", "app-id"},
		},
		{
			// The runner's clock is an hour behind GitHub's: every JWT
			// Baton signs has expired by GitHub's clock.
			name:  "an App JWT that GitHub finds expired (the runner's clock is behind)",
			world: ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, App: true, Start: time.Now().Add(time.Hour)},
			run: func(r *rig) error {
				return bump(func(o *command.BumpOptions) {
					o.Auth = command.Auth{AppID: strconv.FormatInt(r.w.App.ID, 10), PrivateKey: string(r.w.App.PrivateKeyPEM()), APIURL: r.w.URL, Sleep: r.w.Clock.SleepContext}
				})(r)
			},
			exit: command.ExitFailed,
			want: []string{"app-id", "expired", "clock"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tc.world)
			r.t = t
			err := tc.run(r)
			if err == nil {
				t.Fatalf("accepted; want exit %d naming %q", tc.exit, tc.want)
			}
			t.Logf("exit %d: %v", command.ExitCode(err), err)
			if got := command.ExitCode(err); got != tc.exit {
				t.Errorf("exit %d, want %d", got, tc.exit)
			}
			var missing []string
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					missing = append(missing, w)
				}
			}
			if tc.match != nil && !tc.match.MatchString(err.Error()) {
				missing = append(missing, tc.match.String())
			}
			if len(missing) > 0 {
				t.Errorf("the error does not name %q", missing)
			}
			if w := writes(r.w.Sim.Requests()); tc.refused == "" && len(w) > 0 || tc.refused != "" && (len(w) != 1 || w[0] != tc.refused) {
				t.Errorf("bad input still wrote to GitHub (want %q at most):\n  %s", tc.refused, strings.Join(w, "\n  "))
			}
		})
	}
}
