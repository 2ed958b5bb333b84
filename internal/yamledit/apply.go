package yamledit

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// splice is one byte-range replacement.
type splice struct {
	start, end int
	text       string
	order      int // keeps inserts at one offset in planning order
}

// apply turns the planned edits into the new bytes of src[lo:hi], the
// document they belong to.
func (f *file) apply(lo, hi int) ([]byte, error) {
	var sp []splice
	for i, e := range f.edits {
		if e.kind == blockText {
			for _, s := range e.splices {
				s.order = i
				sp = append(sp, s)
			}
			continue
		}
		s, err := f.splice(e)
		if err != nil {
			return nil, err
		}
		s.order = i
		sp = append(sp, s)
	}
	sort.SliceStable(sp, func(i, j int) bool {
		if sp[i].start != sp[j].start {
			return sp[i].start < sp[j].start
		}
		return sp[i].order < sp[j].order
	})
	var out bytes.Buffer
	out.Grow(hi - lo + 64*len(sp))
	pos := lo
	for _, s := range sp {
		if s.start < pos || s.end > hi {
			return nil, &Error{File: f.name, Line: f.lines.lineOf(s.start), Err: fmt.Errorf("overlapping edits")}
		}
		out.Write(f.src[pos:s.start])
		out.WriteString(s.text)
		pos = s.end
	}
	out.Write(f.src[pos:hi])
	return out.Bytes(), nil
}

func (f *file) splice(e edit) (splice, error) {
	switch e.kind {
	case setValue:
		sp, err := f.lines.scalarSpan(e.node)
		if err != nil {
			return splice{}, f.errAt(e.node, "%v", err)
		}
		if sp.start == sp.end && e.node.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			return f.fillEmpty(sp.start, e.value), nil
		}
		return splice{start: sp.start, end: sp.end, text: render(e.node.Style, e.value)}, nil
	case insertKey:
		k := mapKey(e.mapping, e.after)
		sp, err := f.lines.scalarSpan(e.after)
		if k == nil || err != nil {
			return splice{}, f.errAt(e.mapping, "cannot find where to add %s", e.key)
		}
		if e.mapping.Style&yaml.FlowStyle != 0 {
			// {name: web} → {name: web, newTag: 1.5.0}
			return splice{start: sp.end, end: sp.end, text: ", " + e.key + ": " + render(0, e.value)}, nil
		}
		end, next := f.lines.lineEnd(sp.end)
		line := strings.Repeat(" ", k.Column-1) + e.key + ": " + render(0, e.value)
		eol := f.lines.eol(sp.end)
		if next == end { // the last line has no line break
			return splice{start: end, end: end, text: eol + line}, nil
		}
		return splice{start: next, end: next, text: line + eol}, nil
	case replaceKey:
		v := mapValue(e.mapping, e.node)
		start, ok := f.lines.offset(e.node.Line, e.node.Column)
		sp, err := f.lines.scalarSpan(v)
		if v == nil || !ok || err != nil {
			return splice{}, f.errAt(e.node, "cannot rewrite %s as %s", e.node.Value, e.key)
		}
		return splice{start: start, end: sp.end, text: e.key + ": " + render(0, e.value)}, nil
	case deleteKey:
		start := f.lines.starts[e.node.Line-1]
		end, next := f.lines.lineEnd(start)
		if next == end && start > 0 { // last line, no break: remove the one before
			prev := start - 1
			if prev > 0 && f.src[prev] == '\n' && f.src[prev-1] == '\r' {
				prev--
			}
			for prev > 0 && breakLen(f.src, prev) == 0 {
				prev-- // a multi-byte break (NEL, LS, PS)
			}
			start = prev
		}
		return splice{start: start, end: next}, nil
	}
	return splice{}, fmt.Errorf("unknown edit kind %d", e.kind)
}

// fillEmpty writes a value where a key had none ("tag:"); off is just past
// the colon.
func (f *file) fillEmpty(off int, value string) splice {
	text := render(0, value)
	if off < len(f.src) && f.src[off] == ' ' {
		off++
		if off < len(f.src) && breakLen(f.src, off) == 0 {
			text += " " // keep a comment apart: "tag: # …"
		}
		return splice{start: off, end: off, text: text}
	}
	return splice{start: off, end: off, text: " " + text}
}

// verify re-parses out, the new bytes of the document(s) docs were parsed
// from (shift lines into the file), and checks that its tree equals the
// original with the planned edits applied, and nothing else.
func (f *file) verify(docs []*yaml.Node, out []byte, shift int) error {
	got, err := parse(out)
	if err != nil {
		line := errLine(err)
		if line > 0 {
			line += shift
		}
		return &Error{File: f.name, Line: line, Err: fmt.Errorf("the edit would break the file, refused: %w", shiftErrLine(err, shift))}
	}
	x := expectation{subst: map[*yaml.Node]*yaml.Node{}, content: map[*yaml.Node][]*yaml.Node{}, changed: map[*yaml.Node]bool{}}
	// Inserts after one value share one offset and are written in planning
	// order (a kustomize entry gaining newTag, then digest), so each lands
	// after the keys already inserted there.
	insertedAfter := map[*yaml.Node]int{}
	for _, e := range f.edits {
		switch e.kind {
		case setValue, blockText:
			c := *e.node
			c.Value = e.value
			if c.Style&yaml.TaggedStyle == 0 {
				c.Tag = "!!str"
			}
			x.subst[e.node] = &c
			x.changed[&c] = true
		case insertKey:
			content := x.contentOf(e.mapping)
			for i := 1; i < len(content); i += 2 {
				if content[i] == e.after {
					at := i + 1 + 2*insertedAfter[e.after]
					insertedAfter[e.after]++
					k, v := x.fresh(e.key), x.fresh(e.value)
					content = append(content[:at], append([]*yaml.Node{k, v}, content[at:]...)...)
					break
				}
			}
			x.content[e.mapping] = content
		case replaceKey:
			content := x.contentOf(e.mapping)
			for i := 0; i+1 < len(content); i += 2 {
				if content[i] == e.node {
					content[i], content[i+1] = x.fresh(e.key), x.fresh(e.value)
					break
				}
			}
		case deleteKey:
			content := x.contentOf(e.mapping)
			for i := 0; i+1 < len(content); i += 2 {
				if content[i] == e.node {
					content = append(content[:i], content[i+2:]...)
					break
				}
			}
			x.content[e.mapping] = content
		}
	}
	if len(got) != len(docs) {
		return &Error{File: f.name, Err: fmt.Errorf("the edit changed the number of documents from %d to %d, refused", len(docs), len(got))}
	}
	for i := range docs {
		if n, ok := x.sameTree(docs[i], got[i]); !ok {
			return &Error{File: f.name, Line: n.Line + shift, Err: fmt.Errorf("the edit would change more than the image values here, refused")}
		}
	}
	return nil
}

// expectation is the original tree with the planned edits laid over it,
// without copying the tree: substituted scalars, and the new key lists
// of edited mappings.
type expectation struct {
	subst   map[*yaml.Node]*yaml.Node   // original scalar → its new value
	content map[*yaml.Node][]*yaml.Node // original mapping → its new pairs
	changed map[*yaml.Node]bool         // nodes whose style may differ
}

// contentOf returns a mapping's pairs as edited so far, as a copy that may
// be changed.
func (x *expectation) contentOf(m *yaml.Node) []*yaml.Node {
	c, ok := x.content[m]
	if !ok {
		c = append([]*yaml.Node(nil), m.Content...)
		x.content[m] = c
	}
	return c
}

// fresh is a new plain string scalar.
func (x *expectation) fresh(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	x.changed[n] = true
	return n
}

// sameTree compares the expected tree (the original under the edits) with
// the re-parsed one by content, ignoring positions and comments (which the
// splice never touches), and the style of changed scalars. It returns the
// node where they first differ.
func (x *expectation) sameTree(orig, got *yaml.Node) (*yaml.Node, bool) {
	want := orig
	if s, ok := x.subst[orig]; ok {
		want = s
	}
	content := want.Content
	if c, ok := x.content[orig]; ok {
		content = c
	}
	if want.Kind != got.Kind || want.ShortTag() != got.ShortTag() || want.Value != got.Value ||
		want.Anchor != got.Anchor || len(content) != len(got.Content) {
		return got, false
	}
	if !x.changed[want] && want.Style != got.Style {
		return got, false
	}
	if want.Kind == yaml.AliasNode {
		if (want.Alias == nil) != (got.Alias == nil) || want.Alias != nil && want.Alias.Anchor != got.Alias.Anchor {
			return got, false
		}
		return nil, true
	}
	for i := range content {
		if n, ok := x.sameTree(content[i], got.Content[i]); !ok {
			return n, false
		}
	}
	return nil, true
}
