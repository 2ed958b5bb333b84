package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

func TestEditFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    EditOptions
		wantErr string
	}{
		{
			name: "all flags",
			args: []string{"--image", "ghcr.io/acme/web", "--tag", "1.5.0", "--digest", "sha256:ab", "--dry-run", "--policy", "flux-system:web", "--key", "a.b:tag", "--key", "c", "--tag-pattern", "-bookworm$", "f.yaml", "dir"},
			want: EditOptions{Image: "ghcr.io/acme/web", Tag: "1.5.0", Digest: "sha256:ab", DryRun: true, Policies: []string{"flux-system:web"}, KeyPaths: []string{"a.b:tag", "c"}, TagPattern: "-bookworm$", Paths: []string{"f.yaml", "dir"}},
		},
		{name: "no image", args: []string{"f.yaml"}, wantErr: "--image is required"},
		{name: "no path", args: []string{"--image", "web:1"}, wantErr: "name the files or directories to edit: baton edit --image REPO:TAG PATH"},
		{name: "unknown flag", args: []string{"--imag", "web:1", "f.yaml"}, wantErr: "unknown flag: --imag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got *EditOptions
			cmd := newEditCmd(Env{}, func(_ context.Context, o *EditOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if ExitCode(err) != 2 {
					t.Errorf("exit code = %d, want 2", ExitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.Stdout, got.Stderr = nil, nil
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

const (
	stagingYAML = "spec:\n  containers:\n    - image: ghcr.io/acme/web:1.4.0 # keep\n"
	otherYAML   = "spec:\n  containers:\n    - image: ghcr.io/acme/api:1.4.0\n"
	badYAML     = "spec:\n  containers:\n    - image: >-\n        ghcr.io/acme/web:1.4.0\n"
)

// writeTree writes files (path → content) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Run(context.Background(), args, Env{Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), err
}

func TestEditWritesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"staging/web.yaml": stagingYAML, "staging/api.yaml": otherYAML, "staging/notes.txt": "ghcr.io/acme/web:1.4.0"})
	stdout, _, err := runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", filepath.Join(dir, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	wantLine := filepath.ToSlash(filepath.Join(dir, "staging/web.yaml")) + ": ghcr.io/acme/web 1.4.0 → 1.5.0 (1 place)\n"
	if diff := cmp.Diff(wantLine, stdout); diff != "" {
		t.Errorf("stdout mismatch (-want +got):\n%s", diff)
	}
	if got, want := readFile(t, filepath.Join(dir, "staging/web.yaml")), strings.Replace(stagingYAML, "1.4.0", "1.5.0", 1); got != want {
		t.Errorf("file = %q, want %q", got, want)
	}
	if got := readFile(t, filepath.Join(dir, "staging/api.yaml")); got != otherYAML {
		t.Errorf("unrelated file changed: %q", got)
	}
	stdout, _, err = runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", filepath.Join(dir, "staging/web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "already at 1.5.0 (1 place)") {
		t.Errorf("second run: %q", stdout)
	}
}

func TestEditDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"web.yaml": stagingYAML})
	path := filepath.Join(dir, "web.yaml")
	stdout, stderr, err := runCLI(t, "edit", "--dry-run", "--image", "ghcr.io/acme/web:1.5.0", path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.ToSlash(path)
	wantDiff := "--- a/" + name + "\n+++ b/" + name + "\n@@ -1,3 +1,3 @@\n spec:\n   containers:\n-    - image: ghcr.io/acme/web:1.4.0 # keep\n+    - image: ghcr.io/acme/web:1.5.0 # keep\n"
	if diff := cmp.Diff(wantDiff, stdout); diff != "" {
		t.Errorf("diff mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "1.4.0 → 1.5.0") {
		t.Errorf("stderr = %q", stderr)
	}
	if got := readFile(t, path); got != stagingYAML {
		t.Errorf("dry run wrote the file: %q", got)
	}
}

func TestEditFailureWritesNothing(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.yaml": stagingYAML, "b.yaml": badYAML, "c.yaml": otherYAML})
	_, _, err := runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "c.yaml"))
	if err == nil {
		t.Fatal("edit succeeded; want an error")
	}
	for _, want := range []string{
		filepath.Join(dir, "b.yaml") + ":3: the value is a block scalar",
		filepath.Join(dir, "c.yaml") + ": no reference to the image ghcr.io/acme/web",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if ExitCode(err) != 1 {
		t.Errorf("exit code = %d, want 1", ExitCode(err))
	}
	if got := readFile(t, filepath.Join(dir, "a.yaml")); got != stagingYAML {
		t.Errorf("a.yaml was written although b.yaml failed: %q", got)
	}
}

func TestEditBadImage(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"a.yaml": stagingYAML})
	for _, img := range []string{"ghcr.io/acme/web", "ghcr.io/Acme/x:1", "web:"} {
		_, _, err := runCLI(t, "edit", "--image", img, filepath.Join(dir, "a.yaml"))
		if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), img) {
			t.Errorf("--image %q: error %v (exit %d); want a usage error quoting the value", img, err, ExitCode(err))
		}
	}
}

func TestEditConflictingInputs(t *testing.T) {
	t.Parallel()
	dig := "sha256:" + strings.Repeat("a", 64)
	tests := [][]string{
		{"--image", "ghcr.io/acme/web:1.5.0", "--tag", "1.6.0"},
		{"--image", "ghcr.io/acme/web:1.5.0@" + dig, "--digest", "sha256:" + strings.Repeat("b", 64)},
	}
	for _, args := range tests {
		dir := writeTree(t, map[string]string{"a.yaml": stagingYAML})
		_, _, err := runCLI(t, append(append([]string{"edit"}, args...), filepath.Join(dir, "a.yaml"))...)
		if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "disagree") {
			t.Errorf("%v: error %v (exit %d); want a usage error naming the conflict", args, err, ExitCode(err))
		}
		if got := readFile(t, filepath.Join(dir, "a.yaml")); got != stagingYAML {
			t.Errorf("%v: the file was written", args)
		}
	}
	// The same tag in both places is not a conflict.
	dir := writeTree(t, map[string]string{"a.yaml": stagingYAML})
	if _, _, err := runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", "--tag", "1.5.0", filepath.Join(dir, "a.yaml")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a.yaml")); !strings.Contains(got, "ghcr.io/acme/web:1.5.0") {
		t.Errorf("not edited: %q", got)
	}
}

func TestEditSizeCap(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("# padding line for the size cap test\n", (10<<20)/36+1) + stagingYAML
	dir := writeTree(t, map[string]string{"big.yaml": big})
	_, _, err := runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", filepath.Join(dir, "big.yaml"))
	if err == nil || !strings.Contains(err.Error(), "big.yaml: 10.3 MB is over the 10 MB limit") {
		t.Fatalf("error = %v, want the size cap naming the file and its size", err)
	}
	// Under a directory, a large file that does not mention the image is
	// passed over; the one that does is edited.
	other := strings.Repeat("# padding line for the size cap test\n", (10<<20)/36+1) + otherYAML
	dir = writeTree(t, map[string]string{"big.yaml": other, "a.yaml": stagingYAML})
	if _, _, err := runCLI(t, "edit", "--image", "ghcr.io/acme/web:1.5.0", dir); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "a.yaml")); !strings.Contains(got, "web:1.5.0") {
		t.Errorf("a.yaml not edited: %q", got)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, err := runCLI(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "baton ") || strings.TrimSpace(stdout) == "baton" {
		t.Errorf("version output %q", stdout)
	}
}

// Under a directory, a file Baton cannot edit is passed over only when it
// does not mention the image in any spelling: a Helm template holding the
// short Docker Hub name nginx:1.25 is reported, not skipped silently.
func TestEditDirectoryReportsATemplateThatMentionsTheImage(t *testing.T) {
	t.Parallel()
	tmpl := "spec:\n  replicas: {{ .Values.replicas }}\n  containers:\n    - image: nginx:1.25\n"
	dir := writeTree(t, map[string]string{"deploy.yaml": "image: nginx:1.25\n", "templates/web.yaml": tmpl, "other.yaml": otherYAML})
	_, _, err := runCLI(t, "edit", "--image", "nginx:1.26", dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "templates", "web.yaml")+":") || ExitCode(err) != 1 {
		t.Fatalf("error %v (exit %d), want the template reported with its line", err, ExitCode(err))
	}
	if got := readFile(t, filepath.Join(dir, "deploy.yaml")); got != "image: nginx:1.25\n" {
		t.Errorf("deploy.yaml was written although the template failed: %q", got)
	}
}
