package yamledit

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/image"
)

// TestVerifyCatchesStrayChanges feeds verify outputs that differ from the
// planned edit elsewhere: each must be refused, naming the line.
func TestVerifyCatchesStrayChanges(t *testing.T) {
	t.Parallel()
	src := []byte("a: &x 1\nspec:\n  replicas: 3\n  image: ghcr.io/acme/web:1.4.0\n  b: *x\nimages:\n  - name: ghcr.io/acme/web\n")
	want, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tamper func(string) string
		line   int // 0: no error wanted
	}{
		{name: "as planned", tamper: func(s string) string { return s }},
		{name: "another value", tamper: func(s string) string { return strings.Replace(s, "replicas: 3", "replicas: 4", 1) }, line: 3},
		{name: "another style", tamper: func(s string) string { return strings.Replace(s, "replicas: 3", "replicas: '3'", 1) }, line: 3},
		{name: "wrong new value", tamper: func(s string) string { return strings.Replace(s, "web:1.5.0", "web:1.5.1", 1) }, line: 4},
		{name: "inserted key missing", tamper: func(s string) string { return strings.Replace(s, "    newTag: 1.5.0\n", "", 1) }, line: 7},
		{name: "anchor renamed", tamper: func(s string) string { return strings.ReplaceAll(strings.Replace(s, "&x", "&y", 1), "*x", "*y") }, line: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &file{name: "f.yaml", src: src, lines: newLineTable(src), want: want, base: "web"}
			if err := f.compileOptions(); err != nil {
				t.Fatal(err)
			}
			docs, err := parse(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.find(docs); err != nil {
				t.Fatal(err)
			}
			out, err := f.apply(0, len(src))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, []byte("newTag: 1.5.0")) {
				t.Fatalf("planned output lacks the insert:\n%s", out)
			}
			err = f.verify(docs, []byte(tt.tamper(string(out))), 0)
			var e *Error
			switch {
			case tt.line == 0 && err != nil:
				t.Fatalf("verify refused the planned edit: %v", err)
			case tt.line != 0 && (err == nil || !asError(err, &e) || e.Line != tt.line):
				t.Fatalf("verify = %v, want a refusal at line %d", err, tt.line)
			}
		})
	}
}

func asError(err error, e **Error) bool {
	v, ok := err.(*Error) //nolint:errorlint // verify returns *Error itself
	*e = v
	return ok
}

// TestVerifyLinesAgreesWithVerify runs the fast line check on every golden
// input's planned edits: whenever it accepts, the full re-parse must accept
// too, and it must accept the common one-token bump.
func TestVerifyLinesAgreesWithVerify(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "edit", "*"))
	if err != nil {
		t.Fatal(err)
	}
	fast := 0
	for _, dir := range dirs {
		c := loadCase(t, dir)
		src := bytes.TrimPrefix(c.input, bom)
		f := &file{name: "input.yaml", src: src, lines: newLineTable(src), want: c.want, opts: c.opts,
			base: c.want.Name[strings.LastIndexByte(c.want.Name, '/')+1:]}
		if err := f.compileOptions(); err != nil {
			continue
		}
		for _, ch := range f.chunks() {
			docs, err := parse(src[ch.start:ch.end])
			if err != nil {
				break
			}
			for _, d := range docs {
				shiftLines(d, ch.line-1)
			}
			f.edits = f.edits[:0]
			if f.find(docs) != nil || len(f.edits) == 0 {
				continue
			}
			out, err := f.apply(ch.start, ch.end)
			if err != nil || !f.verifyLines() {
				continue
			}
			fast++
			if err := f.verify(docs, out, ch.line-1); err != nil {
				t.Errorf("%s: the line check accepted what the full check refuses: %v", dir, err)
			}
		}
	}
	if fast < 20 {
		t.Errorf("the line check decided only %d documents; it should take the common bumps", fast)
	}
}

func TestVerifyLinesRefusesWhatItCannotDecide(t *testing.T) {
	t.Parallel()
	for _, l := range []string{"\tx: 1", "--- a", "? a", "%YAML 1.2"} {
		if entryPrefix([]byte(l)) >= 0 {
			t.Errorf("entryPrefix(%q) decided a line it should leave to the full check", l)
		}
	}
	if got := entryPrefix([]byte("    - - image: x")); got != 8 {
		t.Errorf("entryPrefix = %d, want 8", got)
	}
}
