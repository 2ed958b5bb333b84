package yamledit

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// walkScalars finds scalars that are references to the image.
func (f *file) walkScalars(n *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	if n.Kind == yaml.ScalarNode && !owned[n] && n.ShortTag() == "!!str" {
		if !strings.Contains(n.Value, f.base) {
			return nil // cheap test first: every spelling ends in the last path element
		}
		value := n.Value
		if text, ok := blockLine(n); ok {
			// "image: >" and the reference on the next line: a target
			// whose edit set refuses with the line, never a silent skip
			value = text
		}
		if _, err := image.Parse(value); err != nil && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && strings.Contains(n.Value, "\n") {
			return f.embedded(n, w)
		}
		cur, err := image.Parse(value)
		if err == nil && cur.Name == f.want.Name && (cur.Pinned() || isImageKey(w.key) && !w.fluxIm) && f.tagMatches(cur.Tag) {
			if err := f.set(n, w, KindImage, cur.Version(), f.want.Retarget(cur)); err != nil {
				return err
			}
		}
		return nil
	}
	return f.children(n, w, func(c *yaml.Node, cw walker) error { return f.walkScalars(c, cw, owned) })
}

// isImageKey reports whether a key conventionally holds a whole image
// reference, which is when an untagged value still counts as one.
func isImageKey(k string) bool {
	return strings.HasSuffix(strings.ToLower(k), "image")
}
