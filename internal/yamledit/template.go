package yamledit

import (
	"bytes"
	"errors"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrTemplated is wrapped when a document is a Go template (a Helm chart's
// templates/), which is not YAML until rendered.
var ErrTemplated = errors.New("templated file ({{ … }}); edit the values it is rendered from instead")

func (f *file) errTemplated(line int) error {
	return &Error{File: f.name, Line: line, Err: ErrTemplated}
}

// templateAction returns the offset of the first line that starts (after
// spaces and tabs) with a Go template action, or -1. It looks for "{{"
// first, which most files do not hold at all.
func templateAction(src []byte) int {
	if lines := templateLines(src, 1, 1); len(lines) > 0 {
		return lineOffset(src, lines[0]-1)
	}
	return -1
}

// templateLines returns the numbers (first is the number of src's first
// line) of up to max lines that start, after spaces and tabs, with "{{".
func templateLines(src []byte, first, max int) []int {
	var out []int
	line, counted := first, 0 // line is the number of the line holding src[counted]
	for off := 0; len(out) < max; {
		i := bytes.Index(src[off:], []byte("{{"))
		if i < 0 {
			break
		}
		i += off
		j := i
		for j > 0 && (src[j-1] == ' ' || src[j-1] == '\t') {
			j--
		}
		if j == 0 || src[j-1] == '\n' || src[j-1] == '\r' {
			line += bytes.Count(src[counted:j], []byte("\n"))
			counted = j
			out = append(out, line)
		}
		off = i + 2
	}
	return out
}

// lineOffset is the offset where the 0-based line n of src starts.
func lineOffset(src []byte, n int) int {
	off := 0
	for ; n > 0; n-- {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
	}
	return off
}

// templateOutsideStrings returns the first line of a parsed chunk that
// starts with a template action outside any string, or 0. A Helm values
// file often keeps template text in block scalars (config: | with
// {{- if … }} lines) that the chart renders with tpl: that is string data,
// and the file is YAML to edit. An action line is inside a string when no
// node starts on it and the last node that starts before it is a scalar
// holding "{{" (the block or multi-line string it continues).
//
// An action inside a line ("name: {{ .Values.name }}") can parse as a flow
// mapping whose key is a mapping; that is a template, not YAML a manifest
// holds, and its line is returned too.
func (f *file) templateOutsideStrings(chunk []byte, first int, docs []*yaml.Node) int {
	if !bytes.Contains(chunk, []byte("{{")) {
		return 0
	}
	var nodes []*yaml.Node
	inline := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind != yaml.DocumentNode {
			nodes = append(nodes, n)
		}
		if inline == 0 && n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle != 0 {
			if off, ok := f.lines.offset(n.Line, n.Column); ok && bytes.HasPrefix(f.src[off:], []byte("{{")) {
				inline = n.Line
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range docs {
		walk(d)
	}
	lines := templateLines(chunk, first, 1<<30)
	if inline > 0 && (len(lines) == 0 || inline < lines[0]) {
		return inline
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].Line != nodes[j].Line {
			return nodes[i].Line < nodes[j].Line
		}
		return nodes[i].Column < nodes[j].Column
	})
	for _, l := range lines {
		if inline > 0 && inline < l {
			return inline
		}
		i := sort.Search(len(nodes), func(i int) bool { return nodes[i].Line >= l })
		if i < len(nodes) && nodes[i].Line == l || i == 0 {
			return l
		}
		if prev := nodes[i-1]; prev.Kind != yaml.ScalarNode || !strings.Contains(prev.Value, "{{") {
			return l
		}
	}
	return inline
}

// checkTemplated refuses a document the edit does not otherwise parse when
// it is a template: a file with one templated document is a chart template
// as a whole, and editing its other documents would be editing a template.
// Only documents with a line starting with "{{" are parsed.
func (f *file) checkTemplated(chunk []byte, first int) error {
	if len(templateLines(chunk, first, 1)) == 0 {
		return nil
	}
	docs, err := parse(chunk)
	if err != nil {
		return f.errTemplated(templateLines(chunk, first, 1)[0])
	}
	for _, d := range docs {
		shiftLines(d, first-1)
	}
	if line := f.templateOutsideStrings(chunk, first, docs); line > 0 {
		return f.errTemplated(line)
	}
	return nil
}
