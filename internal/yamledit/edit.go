// Package yamledit changes image references in YAML files byte for byte.
//
// The promise is that an edit changes the bytes of the target values and
// nothing else: not a comment, a blank line, a quote, an indent, a line
// ending, a byte-order mark or another document. yaml.v3 is used only to
// locate nodes and to verify the result; a file is never re-encoded.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// ErrNoTarget is wrapped when a file holds no reference to the image.
var ErrNoTarget = errors.New("no reference to the image")

// Error is a refusal tied to a place in a file. Its text has the form
// "file:line: why", which editors and the Actions annotations understand.
type Error struct {
	File string
	Line int
	Err  error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Options tunes which values are targets.
type Options struct {
	// Policies are Flux image policy names ("namespace:name") whose setter
	// markers (# {"$imagepolicy": "ns:name[:tag|:name|:digest]"}) belong to
	// the image being set.
	Policies []string
	// Paths are explicit key paths ("spec.template.image", "images.0.tag")
	// whose scalar values are set: to the whole reference, or to the tag
	// when the path's last key is "tag" or ends in "Tag".
	Paths []string
}

// Kind names the rule that found a target.
type Kind string

// The rules that find targets.
const (
	KindImage     Kind = "image"     // a scalar holding an image reference
	KindKustomize Kind = "kustomize" // a kustomization images: entry
	KindHelm      Kind = "helm"      // a repository/tag values map or Helm parameters
	KindMarker    Kind = "marker"    // a Flux setter marker
	KindExplicit  Kind = "path"      // a key path from the policy
	kindAuxiliary Kind = "auxiliary" // a digest or name kept in step
)

// maxDecodedDocs bounds the documents of one file.
const maxDecodedDocs = 100000

// Place is one target value found in a file.
type Place struct {
	Line int
	Kind Kind
	// From and To are the versions before and after (tag, or tag@digest).
	From, To string
}

// Result is the outcome of an edit of one file.
type Result struct {
	// Output is the new content; it is the input itself when nothing changed.
	Output []byte
	// Places lists every target, changed or already at the image.
	Places []Place
	// Changed reports whether Output differs from the input.
	Changed bool
}

// From lists the distinct versions the targets had, in order of appearance.
func (r *Result) From() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range r.Places {
		if p.Kind == kindAuxiliary || seen[p.From] {
			continue
		}
		seen[p.From] = true
		out = append(out, p.From)
	}
	return out
}

// Count is the number of places the image is referenced (auxiliary digest
// and tag keys of one reference count once).
func (r *Result) Count() int {
	n := 0
	for _, p := range r.Places {
		if p.Kind != kindAuxiliary {
			n++
		}
	}
	return n
}

var bom = []byte("\xef\xbb\xbf")

// templateLine matches a line that is a Go template action, as in Helm
// chart templates, which are not YAML until rendered.
var templateLine = regexp.MustCompile(`(?m)^[ \t]*\{\{`)

// Edit sets every reference to want's repository in src to want's tag and
// digest. name is used in errors only. A file already at the image comes
// back unchanged with Changed false.
func Edit(name string, src []byte, want image.Ref, opts Options) (*Result, error) {
	if !want.Pinned() {
		return nil, &Error{File: name, Err: fmt.Errorf("image %q has neither tag nor digest", want.String())}
	}
	body := src
	prefix := 0
	if bytes.HasPrefix(body, bom) {
		body, prefix = body[len(bom):], len(bom)
	}
	if !utf8.Valid(body) {
		return nil, &Error{File: name, Err: errors.New("not UTF-8 text")}
	}
	if loc := templateLine.FindIndex(body); loc != nil {
		line := bytes.Count(body[:loc[0]], []byte("\n")) + 1
		return nil, &Error{File: name, Line: line, Err: errors.New("templated file ({{ … }}); edit the values it is rendered from instead")}
	}
	docs, err := parse(body)
	if err != nil {
		return nil, &Error{File: name, Line: errLine(err), Err: err}
	}
	f := &file{name: name, src: body, lines: newLineTable(body), want: want, opts: opts,
		base: want.Name[strings.LastIndexByte(want.Name, '/')+1:]}
	if err := f.find(docs); err != nil {
		return nil, err
	}
	if len(f.places) == 0 {
		return nil, &Error{File: name, Err: fmt.Errorf("%w %s", ErrNoTarget, want.Name)}
	}
	out, err := f.apply()
	if err != nil {
		return nil, err
	}
	res := &Result{Places: f.places}
	sort.SliceStable(res.Places, func(i, j int) bool { return res.Places[i].Line < res.Places[j].Line })
	if bytes.Equal(out, body) {
		res.Output = src
		return res, nil
	}
	if err := f.verify(docs, out); err != nil {
		return nil, err
	}
	res.Changed = true
	res.Output = append(append(make([]byte, 0, prefix+len(out)), src[:prefix]...), out...)
	return res, nil
}

// parse decodes every document of a stream.
func parse(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for len(docs) < maxDecodedDocs {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		docs = append(docs, &n)
	}
	return nil, fmt.Errorf("more than %d documents", maxDecodedDocs)
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

func errLine(err error) int {
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// editKind is what an edit does to the bytes.
type editKind int

const (
	setValue  editKind = iota // replace a scalar's token
	insertKey                 // add "key: value" to a block mapping
	deleteKey                 // remove a "key: value" line
)

// edit is one planned change. Edits are planned against the parsed tree and
// applied to the bytes together, so that one failure writes nothing.
type edit struct {
	kind    editKind
	node    *yaml.Node // setValue: the scalar; deleteKey: the key node
	mapping *yaml.Node // insertKey, deleteKey: the mapping
	after   *yaml.Node // insertKey: the value node of the pair to insert after
	key     string     // insertKey: the new key
	value   string     // setValue, insertKey: the new string value
}

// file is the state of one edit.
type file struct {
	name    string
	src     []byte
	lines   *lineTable
	want    image.Ref
	base    string // the last path element of want.Name
	opts    Options
	edits   []edit
	places  []Place
	claimed map[*yaml.Node]string // value nodes already given a new value
	aliased map[*yaml.Node]bool   // anchored nodes some alias points at
}

func (f *file) errAt(n *yaml.Node, format string, args ...any) error {
	return &Error{File: f.name, Line: n.Line, Err: fmt.Errorf(format, args...)}
}
