package yamledit

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// lineTable maps yaml.v3's 1-based line and rune-column positions to byte
// offsets. It must count line breaks exactly as the parser does, which
// includes NEL, LS and PS and a lone CR, or every offset after such a
// character would be wrong.
type lineTable struct {
	src    []byte
	starts []int // byte offset of the start of each line, index 0 = line 1
}

func newLineTable(src []byte) *lineTable {
	// Sized for "\n" breaks so that a large file's table is not regrown.
	t := &lineTable{src: src, starts: make([]int, 1, bytes.Count(src, []byte("\n"))+2)}
	for i := 0; i < len(src); {
		if c := src[i]; c != '\n' && c != '\r' && c != 0xC2 && c != 0xE2 {
			i++
			continue
		}
		n := breakLen(src, i)
		if n == 0 {
			i++
			continue
		}
		i += n
		t.starts = append(t.starts, i)
	}
	return t
}

// breakLen returns the length of the line break starting at src[i], or 0.
func breakLen(src []byte, i int) int {
	switch c := src[i]; {
	case c == '\n':
		return 1
	case c == '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return 2
		}
		return 1
	case c == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
		return 2
	case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
		return 3
	}
	return 0
}

// offset converts a node position to a byte offset.
func (t *lineTable) offset(line, col int) (int, bool) {
	if line < 1 || line > len(t.starts) || col < 1 {
		return 0, false
	}
	off := t.starts[line-1]
	for range col - 1 {
		if off >= len(t.src) || breakLen(t.src, off) > 0 {
			return 0, false
		}
		_, size := utf8.DecodeRune(t.src[off:])
		off += size
	}
	return off, true
}

// lineEnd returns the offset of the line break that ends the line holding
// off (or len(src)) and the offset just past that break.
func (t *lineTable) lineEnd(off int) (end, next int) {
	for i := off; i < len(t.src); {
		if n := breakLen(t.src, i); n > 0 {
			return i, i + n
		}
		_, size := utf8.DecodeRune(t.src[i:])
		i += size
	}
	return len(t.src), len(t.src)
}

// lineOf returns the 1-based line holding off.
func (t *lineTable) lineOf(off int) int {
	lo, hi := 0, len(t.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if t.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// eol returns the line ending used by the line holding off, falling back to
// the first one in the file and then to "\n".
func (t *lineTable) eol(off int) string {
	end, next := t.lineEnd(off)
	if next > end {
		return string(t.src[end:next])
	}
	for i := 0; i < len(t.src); i++ {
		if n := breakLen(t.src, i); n > 0 {
			return string(t.src[i : i+n])
		}
	}
	return "\n"
}

// span is the byte range of a scalar token, quotes included.
type span struct{ start, end int }

// scalarSpan finds the bytes of a single-line scalar token. It refuses block
// scalars and scalars whose token runs over more than one line, because those
// cannot be rewritten in place without re-encoding.
func (t *lineTable) scalarSpan(n *yaml.Node) (span, error) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return span{}, fmt.Errorf("the value is a block scalar (| or >); write it on one line")
	}
	off, ok := t.offset(n.Line, n.Column)
	if !ok {
		return span{}, fmt.Errorf("cannot locate the value at column %d", n.Column)
	}
	off = t.skipProperties(off)
	src := t.src
	if off > len(src) {
		return span{}, fmt.Errorf("cannot locate the value")
	}
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if off >= len(src) || src[off] != '"' {
			return span{}, fmt.Errorf("cannot locate the double-quoted value")
		}
		for i := off + 1; i < len(src); i++ {
			if breakLen(src, i) > 0 {
				return span{}, fmt.Errorf("the value is a multi-line scalar; write it on one line")
			}
			switch src[i] {
			case '\\':
				i++
				if i < len(src) && breakLen(src, i) > 0 {
					return span{}, fmt.Errorf("the value is a multi-line scalar; write it on one line")
				}
			case '"':
				s := span{off, i + 1}
				if unquoteDouble(string(src[s.start:s.end])) != n.Value {
					return span{}, fmt.Errorf("the double-quoted value uses escapes Baton does not rewrite")
				}
				return s, nil
			}
		}
		return span{}, fmt.Errorf("unterminated double-quoted value")
	case n.Style&yaml.SingleQuotedStyle != 0:
		raw := "'" + strings.ReplaceAll(n.Value, "'", "''") + "'"
		if !bytes.HasPrefix(src[off:], []byte(raw)) {
			return span{}, fmt.Errorf("the value is a multi-line scalar; write it on one line")
		}
		return span{off, off + len(raw)}, nil
	default:
		if n.Value == "" {
			return span{off, off}, nil
		}
		if !bytes.HasPrefix(src[off:], []byte(n.Value)) {
			return span{}, fmt.Errorf("the value is a multi-line scalar; write it on one line")
		}
		end := off + len(n.Value)
		if end < len(src) && !isPlainEnd(src, end) {
			return span{}, fmt.Errorf("the value is a multi-line scalar; write it on one line")
		}
		return span{off, end}, nil
	}
}

// blockLine returns the text of a block scalar (| or >, any chomping) that
// holds one line, as tools that wrap long strings write an image
// ("image: >" and the reference on the next line): the value without its
// final line breaks.
func blockLine(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return "", false
	}
	text := strings.TrimRight(n.Value, "\n")
	if text == "" || strings.ContainsAny(text, "\n\r") {
		return "", false
	}
	return text, true
}

// textOf is a scalar's value as a reference reads: a one-line block scalar
// without its final line breaks.
func textOf(n *yaml.Node) string {
	if text, ok := blockLine(n); ok {
		return text
	}
	return n.Value
}

// isPlainEnd reports whether a plain scalar may end before src[i].
func isPlainEnd(src []byte, i int) bool {
	if breakLen(src, i) > 0 {
		return true
	}
	switch src[i] {
	case ' ', '\t', ',', ']', '}', '#':
		return true
	}
	return false
}

// skipProperties moves past an anchor (&a) and a tag (!t) that yaml.v3
// includes in a node's position, and the white space after them.
func (t *lineTable) skipProperties(off int) int {
	src := t.src
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		for off < len(src) && !isSpaceOrBreak(src, off) {
			off++
		}
		for off < len(src) && isSpaceOrBreak(src, off) {
			if n := breakLen(src, off); n > 0 {
				off += n
			} else {
				off++
			}
		}
	}
	return off
}

func isSpaceOrBreak(src []byte, i int) bool {
	return src[i] == ' ' || src[i] == '\t' || breakLen(src, i) > 0
}

// unquoteDouble decodes the escapes that can appear in an image reference
// written in double quotes. Anything unusual returns a value that will not
// match, which makes the caller refuse rather than guess.
func unquoteDouble(raw string) string {
	s := raw[1 : len(raw)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b.WriteByte(s[i])
		default:
			return "\x00unsupported escape"
		}
	}
	return b.String()
}

// quoteDouble writes s as a YAML double-quoted scalar.
func quoteDouble(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteSingle writes s as a YAML single-quoted scalar.
func quoteSingle(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

var (
	// YAML 1.1 (and 1.2 core) forms that a plain scalar would be read as
	// something other than a string. Tags such as 1.10, 0123, yes or 1e3
	// are real, and writing them plain silently turns them into numbers or
	// booleans in whichever parser the cluster tooling uses.
	yaml11Bool  = regexp.MustCompile(`^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yaml11Null  = regexp.MustCompile(`^(~|null|Null|NULL)$`)
	yaml11Int   = regexp.MustCompile(`^[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|(0|[1-9][0-9_]*)|[1-9][0-9_]*(:[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^([-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*([eE][-+]?[0-9]+)|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)
	// safePlain is what Baton writes unquoted: the characters of image
	// references (and the "=" of Argo CD's name=reference overrides),
	// starting with one that cannot open a YAML indicator.
	safePlain = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./@+=-]*(:[A-Za-z0-9_./@+=-]+)*$`)
)

// needsQuotes reports whether s, written as a plain scalar, would not read
// back as the same string under YAML 1.2, YAML 1.1 or yaml.v3's resolver.
func needsQuotes(s string) bool {
	if s == "" || !safePlain.MatchString(s) {
		return true
	}
	if s == "<<" || s == "=" || yaml11Bool.MatchString(s) || yaml11Null.MatchString(s) ||
		yaml11Int.MatchString(s) || yaml11Float.MatchString(s) {
		return true
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) != 1 {
		return true
	}
	v := n.Content[0]
	return v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || v.Value != s
}

// render writes value as a scalar in the style of the token it replaces,
// quoting a plain one when it would not read back as a string.
func render(style yaml.Style, value string) string {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		return quoteDouble(value)
	case style&yaml.SingleQuotedStyle != 0:
		return quoteSingle(value)
	case needsQuotes(value):
		return quoteDouble(value)
	default:
		return value
	}
}
