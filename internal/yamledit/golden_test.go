package yamledit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/image"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/edit")

// goldenCase is one directory under testdata/edit: input.yaml, args (the
// flags of "baton edit"), and the wanted want.yaml and want.txt.
type goldenCase struct {
	dir   string
	input []byte
	want  image.Ref
	opts  Options
}

func loadCase(t *testing.T, dir string) goldenCase {
	t.Helper()
	input, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	args, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	c := goldenCase{dir: dir, input: input}
	fields := strings.Fields(string(args))
	for i := 0; i+1 < len(fields); i += 2 {
		switch v := fields[i+1]; fields[i] {
		case "--image":
			if c.want, err = image.Parse(v); err != nil {
				t.Fatal(err)
			}
		case "--policy":
			c.opts.Policies = append(c.opts.Policies, v)
		case "--key":
			c.opts.Keys = append(c.opts.Keys, v)
		case "--tag-pattern":
			c.opts.TagPattern = v
		default:
			t.Fatalf("%s/args: unknown flag %q", dir, fields[i])
		}
	}
	return c
}

// report renders a result or an error as the text kept in want.txt.
func report(res *Result, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "changed: %v\n", res.Changed)
	for _, p := range res.Places {
		fmt.Fprintf(&b, "%d %s %s -> %s\n", p.Line, p.Kind, p.From, p.To)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "edit", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 40 {
		t.Fatalf("only %d golden cases", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			c := loadCase(t, dir)
			res, err := Edit("input.yaml", c.input, c.want, c.opts)
			gotReport := report(res, err)
			wantOut := filepath.Join(dir, "want.yaml")
			wantReport := filepath.Join(dir, "want.txt")
			if *update {
				writeGolden(t, wantReport, []byte(gotReport))
				if err == nil {
					writeGolden(t, wantOut, res.Output)
				} else if rerr := os.Remove(wantOut); rerr != nil && !os.IsNotExist(rerr) {
					t.Fatal(rerr)
				}
				return
			}
			want, rerr := os.ReadFile(wantReport)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if diff := cmp.Diff(string(want), gotReport); diff != "" {
				t.Errorf("report mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				if _, serr := os.Stat(wantOut); serr == nil {
					t.Errorf("edit failed but %s exists", wantOut)
				}
				return
			}
			wantBytes, rerr := os.ReadFile(wantOut)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if diff := cmp.Diff(string(wantBytes), string(res.Output)); diff != "" {
				t.Errorf("output mismatch (-want +got):\n%s", diff)
			}
			if !bytes.Equal(res.Output, c.input) != res.Changed {
				t.Errorf("Changed = %v, but output differs from input: %v", res.Changed, !bytes.Equal(res.Output, c.input))
			}
			checkInvariants(t, c.input, res.Output, c.want, c.opts)
		})
	}
}

// checkChangedDocsParse splits input and output into documents as the
// engine does and checks that each document that changed parses before
// and after.
func checkChangedDocsParse(t *testing.T, in, out []byte) {
	t.Helper()
	in, out = bytes.TrimPrefix(in, bom), bytes.TrimPrefix(out, bom)
	a := (&file{src: in, lines: newLineTable(in)}).chunks()
	b := (&file{src: out, lines: newLineTable(out)}).chunks()
	if len(a) != len(b) {
		t.Fatalf("the edit changed the documents from %d to %d", len(a), len(b))
	}
	for i := range a {
		x, y := in[a[i].start:a[i].end], out[b[i].start:b[i].end]
		if bytes.Equal(x, y) {
			continue
		}
		if _, err := parse(x); err != nil {
			t.Fatalf("document %d changed although it does not parse: %v", i, err)
		}
		if _, err := parse(y); err != nil {
			t.Fatalf("document %d does not parse after the edit: %v", i, err)
		}
	}
}

func writeGolden(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkInvariants asserts what every successful edit promises: the result
// parses, a second edit changes nothing, and every line the edit did not
// target is byte-for-byte the same.
func checkInvariants(t *testing.T, in, out []byte, want image.Ref, opts Options) {
	t.Helper()
	// Documents that cannot hold the image are copied unparsed, so an
	// invalid one stays invalid; every document the edit changed parses.
	if _, err := parse(bytes.TrimPrefix(in, bom)); err == nil {
		if _, err := parse(bytes.TrimPrefix(out, bom)); err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
	}
	checkChangedDocsParse(t, in, out)
	again, err := Edit("again.yaml", out, want, opts)
	if err != nil {
		t.Fatalf("second edit failed: %v", err)
	}
	if again.Changed || !bytes.Equal(again.Output, out) {
		t.Fatalf("second edit changed the file again:\n%s", again.Output)
	}
	if why, ok := onlyImageLines(in, out, want); !ok {
		t.Fatalf("edit touched more than image values: %s", why)
	}
}

// onlyImageLines reports whether a line diff of in and out touches image
// values only: every added line carries the new tag or digest (or restores a
// removed line whose final line break moved), and every other removed line
// is a value line, replaced one for one, or a stale digest.
func onlyImageLines(in, out []byte, want image.Ref) (string, bool) {
	for _, e := range udiff.Lines(string(in), string(out)) {
		removed := strings.SplitAfter(string(in[e.Start:e.End]), "\n")
		added := strings.SplitAfter(e.New, "\n")
		kept := map[string]int{}
		for _, l := range removed {
			kept[strings.TrimRight(l, "\r\n")]++
		}
		extra := 0
		for _, l := range added {
			k := strings.TrimRight(l, "\r\n")
			if k == "" {
				continue
			}
			if kept[k] > 0 {
				kept[k]--
				continue
			}
			if !mentions(l, want) && !clearsValue(l) {
				return fmt.Sprintf("added line %q holds no new value", l), false
			}
			extra++
		}
		for l, n := range kept {
			if l == "" || n == 0 {
				continue
			}
			if strings.HasPrefix(strings.TrimSpace(l), "#") {
				return fmt.Sprintf("removed comment line %q", l), false
			}
			if !strings.Contains(l, "sha256:") && !strings.Contains(l, "digest:") {
				extra -= n
			}
		}
		if extra < 0 {
			return "more lines removed than replaced", false
		}
	}
	return "", true
}

// mentions reports whether line carries want's new tag or digest.
func mentions(line string, want image.Ref) bool {
	return want.Tag != "" && strings.Contains(line, want.Tag) || want.Digest != "" && strings.Contains(line, want.Digest)
}

// clearsValue reports whether line empties a value (a stale digest).
func clearsValue(line string) bool {
	l := strings.TrimRight(line, "\r\n")
	return strings.HasSuffix(l, `: ""`) || strings.HasSuffix(l, `: ''`)
}
