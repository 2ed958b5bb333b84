package yamledit

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/image"
)

func TestChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{name: "one document", src: "a: 1\nb: 2\n", want: []string{"a: 1\nb: 2\n"}},
		{name: "markers", src: "a: 1\n---\nb: 2\n--- \nc: 3", want: []string{"a: 1\n", "---\nb: 2\n", "--- \nc: 3"}},
		{name: "leading marker", src: "---\na: 1\n", want: []string{"---\na: 1\n"}},
		{name: "document end", src: "a: 1\n...\nb: 2\n", want: []string{"a: 1\n...\n", "b: 2\n"}},
		{name: "not a marker", src: "a: ---x\n----\n- --- \n", want: []string{"a: ---x\n----\n- --- \n"}},
		{name: "marker with content", src: "a: 1\n--- |\n  text\n", want: []string{"a: 1\n", "--- |\n  text\n"}},
		{name: "crlf", src: "a: 1\r\n---\r\nb: 2\r\n", want: []string{"a: 1\r\n", "---\r\nb: 2\r\n"}},
		{name: "directives keep the file whole", src: "a: 1\n---\n%YAML 1.2\n---\nb: 2\n", want: []string{"a: 1\n---\n%YAML 1.2\n---\nb: 2\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := []byte(tt.src)
			f := &file{src: src, lines: newLineTable(src)}
			var got []string
			for _, c := range f.chunks() {
				got = append(got, tt.src[c.start:c.end])
				if l := f.lines.lineOf(c.start); l != c.line && c.start < len(src) {
					t.Errorf("chunk at %d: line %d, want %d", c.start, c.line, l)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("chunks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEditLeavesOtherDocumentsUnparsed shows the prefilter: a document that
// cannot hold the image is copied as it is, even one a parser would reject
// (Baton only vouches for the documents it changes), while the same fault
// in the document with the image is refused with its line in the file.
func TestEditLeavesOtherDocumentsUnparsed(t *testing.T) {
	t.Parallel()
	want, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		t.Fatal(err)
	}
	other := "kind: ConfigMap\ndata: {a: [1, 2}\n"
	res, err := Edit("f.yaml", []byte("image: ghcr.io/acme/web:1.4.0\n---\n"+other), want, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, wantOut := string(res.Output), "image: ghcr.io/acme/web:1.5.0\n---\n"+other; got != wantOut {
		t.Errorf("output = %q, want %q", got, wantOut)
	}
	_, err = Edit("f.yaml", []byte(other+"---\nimage: ghcr.io/acme/web:1.4.0\nbad: [\n"), want, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Line != 5 || !strings.Contains(err.Error(), "invalid YAML") || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("error = %v, want invalid YAML at line 5 of the file", err)
	}
}

func TestEditSizeCap(t *testing.T) {
	t.Parallel()
	want, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("image: ghcr.io/acme/web:1.4.0\n" + strings.Repeat("#\n", MaxFileSize/2))
	_, err = Edit("big.yaml", src, want, Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.yaml: 10.0 MB is over the 10 MB limit") {
		t.Errorf("error = %v, want the size cap naming the file and its size", err)
	}
	if _, err := Edit("ok.yaml", src[:MaxFileSize], want, Options{}); err != nil {
		t.Errorf("a file of exactly the cap: %v", err)
	}
}
