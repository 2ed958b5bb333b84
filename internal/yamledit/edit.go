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
	"regexp"
	"sort"
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
	// Keys are explicit key paths ("spec.template.image", "images.0.tag",
	// "a.b.c:digest") whose scalar values are set: to the whole reference,
	// to the tag when the path's last key is "tag" or ends in "Tag", or to
	// the part named after a colon (tag, digest, name). Keys restrict: when
	// any are given, only they change (no automatic target is searched for),
	// and a key that matches no value in the file fails naming the path.
	Keys []string
	// Paths is the former name of Keys, kept for callers that use it; its
	// entries are added to Keys and restrict the same way.
	Paths []string
	// TagPattern, when not empty, is a regular expression (Go syntax) that
	// a target's current tag must match for it to change, so that variants
	// of one repository ("1.2-bookworm", "1.2-alpine") are told apart:
	// "-bookworm$". Untagged targets never match.
	TagPattern string
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

// controlChar returns the offset of the first C0 control character other
// than tab, LF and CR (or DEL), which YAML does not allow anywhere, or -1.
// Documents that cannot hold the image are not parsed, so this is checked
// for the whole file here.
func controlChar(src []byte) int {
	for i, c := range src {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return i
		}
	}
	return -1
}

// MaxFileSize is the largest input Edit accepts, in bytes. Manifests are
// far smaller (etcd stores objects up to 1.5 MiB); the cap keeps the parser's
// memory, which grows with the largest document, well inside a hosted
// runner's 7 GB even for one 10 MB document.
const MaxFileSize = 10 << 20

// ErrTooLarge is matched (errors.Is) by a *SizeError.
var ErrTooLarge = errors.New("file is too large")

// SizeError is a file over MaxFileSize.
type SizeError struct {
	Size int64 // bytes
}

// Error implements error: "31.5 MB is over the 10 MB limit …".
func (e *SizeError) Error() string {
	return fmt.Sprintf("%.1f MB is over the %d MB limit for a YAML file Baton edits; split it into smaller files",
		float64(e.Size)/(1<<20), MaxFileSize>>20)
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// Edit sets every reference to want's repository in src to want's tag and
// digest. name is used in errors only. A file already at the image comes
// back unchanged with Changed false.
//
// The file is handled one document at a time: a document whose bytes cannot
// hold the image is copied without being parsed, and only documents that
// changed are re-parsed to verify the edit, so memory grows with the
// largest document, not the file.
func Edit(name string, src []byte, want image.Ref, opts Options) (*Result, error) {
	if !want.Pinned() {
		return nil, &Error{File: name, Err: fmt.Errorf("image %q has neither tag nor digest", want.String())}
	}
	if len(src) > MaxFileSize {
		return nil, &Error{File: name, Err: &SizeError{Size: int64(len(src))}}
	}
	body := src
	prefix := 0
	if bytes.HasPrefix(body, bom) {
		body, prefix = body[len(bom):], len(bom)
	}
	if !utf8.Valid(body) {
		return nil, &Error{File: name, Err: errors.New("not UTF-8 text")}
	}
	if at := controlChar(body); at >= 0 {
		line := bytes.Count(body[:at], []byte("\n")) + 1
		return nil, &Error{File: name, Line: line, Err: fmt.Errorf("control character %#02x; YAML allows only tab, line breaks and printable characters", body[at])}
	}
	f := &file{name: name, src: body, lines: newLineTable(body), want: want, opts: opts,
		base: want.Name[strings.LastIndexByte(want.Name, '/')+1:]}
	if err := f.compileOptions(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(body) + 256)
	ndocs := 0
	for _, c := range f.chunks() {
		chunk := body[c.start:c.end]
		if !f.mayHold(chunk) {
			if err := f.checkTemplated(chunk, c.line); err != nil {
				return nil, err // a Helm template: its other documents are too
			}
			out.Write(chunk)
			continue
		}
		docs, err := parse(chunk)
		if err != nil {
			if at := templateAction(chunk); at >= 0 {
				return nil, f.errTemplated(c.line + bytes.Count(chunk[:at], []byte("\n")))
			}
			line := errLine(err)
			if line > 0 {
				line += c.line - 1
			}
			return nil, &Error{File: name, Line: line, Err: shiftErrLine(err, c.line-1)}
		}
		if ndocs += len(docs); ndocs > maxDecodedDocs {
			return nil, &Error{File: name, Err: fmt.Errorf("more than %d documents", maxDecodedDocs)}
		}
		for _, d := range docs {
			shiftLines(d, c.line-1)
		}
		if line := f.templateOutsideStrings(chunk, c.line, docs); line > 0 {
			return nil, f.errTemplated(line)
		}
		f.edits = f.edits[:0]
		if err := f.find(docs); err != nil {
			return nil, err
		}
		if len(f.edits) == 0 {
			out.Write(chunk)
			continue
		}
		if err := f.checkDuplicates(docs); err != nil {
			return nil, err
		}
		next, err := f.apply(c.start, c.end)
		if err != nil {
			return nil, err
		}
		if !f.verifyLines() {
			if err := f.verify(docs, next, c.line-1); err != nil {
				return nil, err
			}
		}
		out.Write(next)
	}
	if err := f.unmatchedKeys(); err != nil {
		return nil, err
	}
	if len(f.places) == 0 {
		why := ""
		if f.tagRe != nil {
			why = " whose tag matches " + opts.TagPattern
		}
		return nil, &Error{File: name, Err: fmt.Errorf("%w %s%s", ErrNoTarget, want.Name, why)}
	}
	res := &Result{Places: f.places}
	sort.SliceStable(res.Places, func(i, j int) bool { return res.Places[i].Line < res.Places[j].Line })
	if bytes.Equal(out.Bytes(), body) {
		res.Output = src
		return res, nil
	}
	res.Changed = true
	res.Output = out.Bytes()
	if prefix > 0 {
		res.Output = append(append(make([]byte, 0, prefix+out.Len()), src[:prefix]...), out.Bytes()...)
	}
	return res, nil
}

// editKind is what an edit does to the bytes.
type editKind int

const (
	setValue   editKind = iota // replace a scalar's token
	insertKey                  // add "key: value" to a mapping
	deleteKey                  // remove a "key: value" line
	replaceKey                 // rewrite a "key: value" line as another pair
	blockText                  // rewrite lines inside a literal block scalar
)

// edit is one planned change. Edits are planned against the parsed tree and
// applied to the bytes together, so that one failure writes nothing.
type edit struct {
	kind    editKind
	node    *yaml.Node // setValue: the scalar; deleteKey, replaceKey: the key node
	mapping *yaml.Node // insertKey, deleteKey: the mapping
	after   *yaml.Node // insertKey: the value node of the pair to insert after
	key     string     // insertKey, replaceKey: the new key
	value   string     // setValue, insertKey, replaceKey, blockText: the new string value
	splices []splice   // blockText: the changed lines
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
	uses    map[*yaml.Node][]use  // an anchored node's definition and aliases
	keys    []string              // Options.Keys and Options.Paths
	keyHits map[string]bool       // keys that matched a value
	tagRe   *regexp.Regexp        // Options.TagPattern, compiled
}

// compileOptions checks and prepares the options.
func (f *file) compileOptions() error {
	f.keys = append(append([]string(nil), f.opts.Keys...), f.opts.Paths...)
	f.keyHits = map[string]bool{}
	for _, k := range f.keys {
		if _, _, err := parseKeyPath(k); err != nil {
			return &Error{File: f.name, Err: err}
		}
	}
	if f.opts.TagPattern != "" {
		re, err := regexp.Compile(f.opts.TagPattern)
		if err != nil {
			return &Error{File: f.name, Err: fmt.Errorf("tag pattern %q is not a regular expression: %w", f.opts.TagPattern, err)}
		}
		f.tagRe = re
	}
	return nil
}

// tagMatches reports whether a target whose current tag is tag passes the
// tag pattern.
func (f *file) tagMatches(tag string) bool {
	return f.tagRe == nil || tag != "" && f.tagRe.MatchString(tag)
}

// unmatchedKeys fails for the explicit keys that matched nothing.
func (f *file) unmatchedKeys() error {
	var errs []error
	for _, k := range f.keys {
		if !f.keyHits[k] {
			why := "no value at this key path"
			if f.tagRe != nil {
				why += " whose tag matches " + f.opts.TagPattern
			}
			errs = append(errs, &Error{File: f.name, Err: fmt.Errorf("key %s: %s (write keys as a.b.0.c[:tag|:digest|:name])", k, why)})
		}
	}
	return errors.Join(errs...)
}

func (f *file) errAt(n *yaml.Node, format string, args ...any) error {
	return &Error{File: f.name, Line: n.Line, Err: fmt.Errorf(format, args...)}
}
