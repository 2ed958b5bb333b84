package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// chunk is the byte range of one document of a stream, and its first line.
type chunk struct {
	start, end int
	line       int
}

// chunks splits the file at its document markers: before each "---" line
// and after each "..." line. YAML forbids those markers at the start of a
// line inside any scalar, so the split cannot cut a value in two. A file
// with directives ("%YAML", "%TAG", which bind to the next document) is
// kept whole.
func (f *file) chunks() []chunk {
	src, starts := f.src, f.lines.starts
	var out []chunk
	cur := chunk{line: 1}
	for i, s := range starts {
		rest := src[s:]
		switch {
		case len(rest) > 0 && rest[0] == '%':
			return []chunk{{start: 0, end: len(src), line: 1}}
		case isMarker(rest, "---") && s > cur.start:
			cur.end = s
			out = append(out, cur)
			cur = chunk{start: s, line: i + 1}
		case isMarker(rest, "...") && i+1 < len(starts):
			cur.end = starts[i+1]
			out = append(out, cur)
			cur = chunk{start: starts[i+1], line: i + 2}
		}
	}
	cur.end = len(src)
	return append(out, cur)
}

// isMarker reports whether b starts with the document marker m followed by
// white space, a line break or the end.
func isMarker(b []byte, m string) bool {
	if !bytes.HasPrefix(b, []byte(m)) {
		return false
	}
	return len(b) == len(m) || b[len(m)] == ' ' || b[len(m)] == '\t' || breakLen(b, len(m)) > 0
}

// mayHold is the cheap test that lets a document be copied unparsed: every
// spelling of the image ends in its last path element, and setter markers
// and explicit keys can target values that do not.
func (f *file) mayHold(doc []byte) bool {
	if len(f.keys) > 0 || bytes.Contains(doc, []byte(f.base)) {
		return true
	}
	return len(f.opts.Policies) > 0 && bytes.Contains(doc, []byte("$imagepolicy"))
}

// shiftLines moves a document parsed on its own to its lines in the file.
func shiftLines(n *yaml.Node, by int) {
	if by == 0 {
		return
	}
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// parse decodes every document of a stream.
func parse(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(yaml12As11(src)))
	return decodeAll(dec)
}

var yaml12Directive = []byte("%YAML 1.2")

// yaml12As11 returns src with each "%YAML 1.2" directive read as
// "%YAML 1.1", the only version yaml.v3 accepts ("found incompatible YAML
// document" otherwise), although its scalars already resolve as YAML 1.2
// says. The rewrite keeps every byte offset, so nodes still point into
// src; src itself is never changed.
func yaml12As11(src []byte) []byte {
	if !bytes.Contains(src, yaml12Directive) {
		return src
	}
	var out []byte
	for off := 0; off < len(src); {
		if bytes.HasPrefix(src[off:], yaml12Directive) && isDirectiveEnd(src, off+len(yaml12Directive)) {
			if out == nil {
				out = append([]byte(nil), src...)
			}
			out[off+len(yaml12Directive)-1] = '1'
		}
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	if out == nil {
		return src
	}
	return out
}

// isDirectiveEnd reports whether a directive's version ends at i: white
// space, a comment, a line break or the end of the input.
func isDirectiveEnd(src []byte, i int) bool {
	return i == len(src) || src[i] == ' ' || src[i] == '\t' || src[i] == '#' || breakLen(src, i) > 0
}

func decodeAll(dec *yaml.Decoder) ([]*yaml.Node, error) {
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

// shiftErrLine rewrites the first "line N" of a parser error about one
// document into the file's numbering.
func shiftErrLine(err error, by int) error {
	if by == 0 {
		return err
	}
	done := false
	msg := yamlErrLine.ReplaceAllStringFunc(err.Error(), func(m string) string {
		if done {
			return m
		}
		done = true
		n, _ := strconv.Atoi(m[len("line "):])
		return "line " + strconv.Itoa(n+by)
	})
	return errors.New(msg)
}

func errLine(err error) int {
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
