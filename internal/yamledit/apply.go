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
	clones := map[*yaml.Node]*yaml.Node{}
	want := make([]*yaml.Node, len(docs))
	for i, d := range docs {
		want[i] = clone(d, clones)
	}
	changed := map[*yaml.Node]bool{}
	for _, e := range f.edits {
		switch e.kind {
		case setValue, blockText:
			c := clones[e.node]
			c.Value = e.value
			if c.Style&yaml.TaggedStyle == 0 {
				c.Tag = "!!str"
			}
			changed[c] = true
		case insertKey:
			m := clones[e.mapping]
			after := clones[e.after]
			for i := 1; i < len(m.Content); i += 2 {
				if m.Content[i] == after {
					k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.key}
					v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.value}
					changed[v] = true
					m.Content = append(m.Content[:i+1], append([]*yaml.Node{k, v}, m.Content[i+1:]...)...)
					break
				}
			}
		case replaceKey:
			m := clones[e.mapping]
			k := clones[e.node]
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i] == k {
					nk := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.key}
					v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.value}
					changed[nk], changed[v] = true, true
					m.Content[i], m.Content[i+1] = nk, v
					break
				}
			}
		case deleteKey:
			m := clones[e.mapping]
			k := clones[e.node]
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i] == k {
					m.Content = append(m.Content[:i], m.Content[i+2:]...)
					break
				}
			}
		}
	}
	if len(got) != len(want) {
		return &Error{File: f.name, Err: fmt.Errorf("the edit changed the number of documents from %d to %d, refused", len(want), len(got))}
	}
	for i := range want {
		if n, ok := sameTree(want[i], got[i], changed); !ok {
			return &Error{File: f.name, Line: n.Line + shift, Err: fmt.Errorf("the edit would change more than the image values here, refused")}
		}
	}
	return nil
}

func clone(n *yaml.Node, m map[*yaml.Node]*yaml.Node) *yaml.Node {
	if c, ok := m[n]; ok {
		return c
	}
	c := *n
	m[n] = &c
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = clone(ch, m)
	}
	if n.Alias != nil {
		c.Alias = clone(n.Alias, m)
	}
	return &c
}

// sameTree compares two trees by content, ignoring positions and comments
// (which the splice never touches), and the style of changed scalars. It
// returns the node where they first differ.
func sameTree(want, got *yaml.Node, changed map[*yaml.Node]bool) (*yaml.Node, bool) {
	if want.Kind != got.Kind || want.ShortTag() != got.ShortTag() || want.Value != got.Value ||
		want.Anchor != got.Anchor || len(want.Content) != len(got.Content) {
		return got, false
	}
	if !changed[want] && want.Style != got.Style {
		return got, false
	}
	if want.Kind == yaml.AliasNode {
		if (want.Alias == nil) != (got.Alias == nil) || want.Alias != nil && want.Alias.Anchor != got.Alias.Anchor {
			return got, false
		}
		return nil, true
	}
	for i := range want.Content {
		if n, ok := sameTree(want.Content[i], got.Content[i], changed); !ok {
			return n, false
		}
	}
	return nil, true
}
