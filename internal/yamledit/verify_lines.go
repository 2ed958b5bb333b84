package yamledit

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// verifyLines is the fast path of verification for documents whose edits
// only replace single-line scalar tokens (the common bump). Each edited line
// is parsed on its own, before and after, after removing its indentation
// and "- " entry markers; the two must read the same except the edited
// scalars, which must read as their new values. Everything else in the
// document is byte-identical by construction, and a token replaced by one
// of the same kind on one line changes no indentation or indicator outside
// it, so the line decides. It reports false whenever it cannot decide (a
// line that does not parse on its own, an insert or a removed key, a block
// text), and the caller re-parses the whole document.
func (f *file) verifyLines() bool {
	byLine := map[int][]edit{}
	for _, e := range f.edits {
		if e.kind != setValue || e.node.Kind != yaml.ScalarNode {
			return false
		}
		byLine[e.node.Line] = append(byLine[e.node.Line], e)
	}
	for line, edits := range byLine {
		if !f.lineReadsAsPlanned(line, edits) {
			return false
		}
	}
	return true
}

// lineReadsAsPlanned checks one line holding the given edits.
func (f *file) lineReadsAsPlanned(line int, edits []edit) bool {
	start := f.lines.starts[line-1]
	end, _ := f.lines.lineEnd(start)
	orig := f.src[start:end]
	var sps []splice
	for _, e := range edits {
		s, err := f.splice(e)
		if err != nil || s.start < start || s.end > end {
			return false
		}
		sps = append(sps, s)
	}
	var next bytes.Buffer
	pos := start
	for len(sps) > 0 { // in offset order; a line holds few edits
		min := 0
		for i := range sps {
			if sps[i].start < sps[min].start {
				min = i
			}
		}
		s := sps[min]
		if s.start < pos {
			return false
		}
		next.Write(f.src[pos:s.start])
		next.WriteString(s.text)
		pos = s.end
		sps = append(sps[:min], sps[min+1:]...)
	}
	next.Write(f.src[pos:end])
	cut := entryPrefix(orig)
	if cut < 0 || !bytes.Equal(next.Bytes()[:cut], orig[:cut]) {
		return false
	}
	a, okA := parseLine(orig[cut:])
	b, okB := parseLine(next.Bytes()[cut:])
	if !okA || !okB {
		return false
	}
	// The edited scalars, by their column on the cut line (the prefix is
	// ASCII, so byte and rune counts agree).
	want := map[int]string{}
	for _, e := range edits {
		want[e.node.Column-cut] = e.value
	}
	return sameLine(a, b, want) && len(want) == 0
}

// entryPrefix returns the length of a line's indentation and "- " sequence
// entry markers, or -1 for a line the check does not handle.
func entryPrefix(l []byte) int {
	i := 0
	for {
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i+1 < len(l) && l[i] == '-' && l[i+1] == ' ' {
			i += 2
			continue
		}
		break
	}
	if i < len(l) && (l[i] == '\t' || l[i] == '%' || l[i] == '?' || bytes.HasPrefix(l[i:], []byte("---")) || bytes.HasPrefix(l[i:], []byte("..."))) {
		return -1
	}
	return i
}

// parseLine parses one line as a document on its own.
func parseLine(l []byte) (*yaml.Node, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal(l, &n); err != nil || n.Kind != yaml.DocumentNode || len(n.Content) != 1 {
		return nil, false
	}
	return n.Content[0], true
}

// sameLine compares the two parses of a line: equal, except the scalars
// at the edited columns of the original, which must read as their new
// string values (their quoting may change).
func sameLine(a, b *yaml.Node, want map[int]string) bool {
	if a.Kind != b.Kind || a.Anchor != b.Anchor || len(a.Content) != len(b.Content) {
		return false
	}
	if v, ok := want[a.Column]; ok && a.Kind == yaml.ScalarNode {
		delete(want, a.Column)
		return b.Value == v && (b.ShortTag() == "!!str" || a.Style&yaml.TaggedStyle != 0 && a.Tag == b.Tag)
	}
	if a.Value != b.Value || a.ShortTag() != b.ShortTag() || a.Style != b.Style {
		return false
	}
	if a.Kind == yaml.AliasNode {
		return a.Alias != nil && b.Alias != nil && a.Alias.Anchor == b.Alias.Anchor
	}
	for i := range a.Content {
		if !sameLine(a.Content[i], b.Content[i], want) {
			return false
		}
	}
	return true
}
