package yamledit

import (
	"errors"
	"fmt"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"go.yaml.in/yaml/v3"
)

// embedded edits values held as YAML text inside a literal block scalar,
// such as an Argo CD Application's spec.source.helm.values: |. The text is
// edited as a file of its own (with every rule and its re-parse check),
// and the changed lines are written back at the block's indentation, so
// the bytes outside the changed values stay as they were; verify then
// checks that the outer file reads back with exactly the new text.
//
// Folded and other block scalars cannot be written back line for line
// (folding joins lines), so one whose text holds a target is refused.
func (f *file) embedded(n *yaml.Node, w walker) error {
	if !looksLikeYAMLCollection(n.Value) {
		return nil
	}
	opts := f.opts
	opts.Keys, opts.Paths = nil, nil
	res, err := Edit(f.name, []byte(n.Value), f.want, opts)
	if errors.Is(err, ErrNoTarget) {
		return nil
	}
	var ye *Error
	if errors.As(err, &ye) && strings.HasPrefix(ye.Err.Error(), "invalid YAML") {
		return nil // text that is not YAML holds no values to edit
	}
	if errors.Is(err, ErrTemplated) && !f.mentionsImage(n.Value) {
		return nil // template text a chart renders with tpl, not about this image
	}
	if err != nil {
		if errors.As(err, &ye) {
			line := n.Line
			if ye.Line > 0 {
				line += ye.Line
			}
			return &Error{File: f.name, Line: line, Err: fmt.Errorf("in the YAML text of this block: %w", ye.Err)}
		}
		return f.errAt(n, "in the YAML text of this block: %v", err)
	}
	if n.Style&yaml.LiteralStyle == 0 {
		return f.errAt(n, "a folded block scalar (>) holds YAML with %s; folding joins lines, so Baton edits YAML text only in literal blocks (|): write it as |", f.want.Name)
	}
	if sh := f.sharedBy(w.shared, n); sh != nil {
		return f.errShared(n, sh, "the block")
	}
	for _, p := range res.Places {
		p.Line += n.Line
		f.places = append(f.places, p)
	}
	if !res.Changed {
		return nil
	}
	sp, err := f.blockSplices(n, string(res.Output))
	if err != nil {
		return err
	}
	f.claimed[n] = string(res.Output)
	f.edits = append(f.edits, edit{kind: blockText, node: n, value: string(res.Output), splices: sp})
	return nil
}

// looksLikeYAMLCollection is the cheap test before parsing a block's text:
// a mapping key or a sequence entry on some line.
func looksLikeYAMLCollection(s string) bool {
	return strings.Contains(s, ": ") || strings.Contains(s, ":\n") || strings.Contains(s, "- ")
}

// blockSplices maps the line changes from a literal block's text to its new
// text onto the file: line i of the text is line n.Line+i of the file,
// written after the block's indentation.
func (f *file) blockSplices(n *yaml.Node, out string) ([]splice, error) {
	old := n.Value
	ind, ok := f.blockIndent(n)
	if !ok {
		return nil, f.errAt(n, "cannot find the indentation of this block")
	}
	lineOf := func(off int) int { return strings.Count(old[:off], "\n") }
	var sp []splice
	for _, e := range udiff.Lines(old, out) {
		la, lb := lineOf(e.Start), lineOf(e.End)
		if e.End == len(old) && !strings.HasSuffix(old, "\n") && e.End > e.Start {
			lb++ // the text's last line has no break of its own; the file's line does
		}
		start, end := f.fileLineStart(n.Line+1+la), f.fileLineStart(n.Line+1+lb)
		eol := f.lines.eol(start)
		var text strings.Builder
		newText := e.New
		if newText != "" && !strings.HasSuffix(newText, "\n") {
			newText += "\n"
		}
		for _, l := range strings.SplitAfter(newText, "\n") {
			if l == "" {
				continue
			}
			l = strings.TrimSuffix(l, "\n")
			if l != "" {
				text.WriteString(ind)
			}
			text.WriteString(l)
			text.WriteString(eol)
		}
		if end == len(f.src) && (end == 0 || breakLen(f.src, end-1) == 0 && !strings.HasSuffix(string(f.src[:end]), "\n")) {
			// The block ends the file without a line break: keep it so.
			s := strings.TrimSuffix(text.String(), eol)
			text.Reset()
			text.WriteString(s)
		}
		sp = append(sp, splice{start: start, end: end, text: text.String()})
	}
	return sp, nil
}

// fileLineStart is the offset where 1-based line starts, or the file's end.
func (f *file) fileLineStart(line int) int {
	if line-1 < len(f.lines.starts) {
		return f.lines.starts[line-1]
	}
	return len(f.src)
}

// blockIndent is the indentation the parser removed from the block's
// lines: the first non-empty line's leading spaces in the file, less those
// it keeps in the text (an explicit indentation indicator keeps some).
func (f *file) blockIndent(n *yaml.Node) (string, bool) {
	for i, l := range strings.Split(n.Value, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		start := f.fileLineStart(n.Line + 1 + i)
		end, _ := f.lines.lineEnd(start)
		line := string(f.src[start:end])
		if !strings.HasSuffix(line, l) {
			return "", false
		}
		ind := line[:len(line)-len(l)]
		if strings.Trim(ind, " ") != "" {
			return "", false
		}
		return ind, true
	}
	return "", false
}

// mentionsImage reports whether text holds a reference to the image; see
// Mentions.
func (f *file) mentionsImage(text string) bool {
	return mentionsRef(text, f.want, f.base)
}
