package yamledit

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// use is one place an anchored node appears: where the anchor is defined,
// or an alias to it.
type use struct {
	parent *yaml.Node // the mapping or sequence holding it
	key    string     // its mapping key, or ""
	line   int
}

// markUses records, for every anchored node, where it is defined and where
// aliases reuse it, and marks the reused ones in f.aliased.
func (f *file) markUses(n, parent *yaml.Node, key string) {
	if n.Kind == yaml.AliasNode {
		if n.Alias != nil {
			f.aliased[n.Alias] = true
			f.uses[n.Alias] = append(f.uses[n.Alias], use{parent: parent, key: key, line: n.Line})
		}
		return
	}
	if n.Anchor != "" {
		f.uses[n] = append([]use{{parent: parent, key: key, line: n.Line}}, f.uses[n]...)
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			f.markUses(n.Content[i+1], n, n.Content[i].Value)
		}
		return
	}
	for _, c := range n.Content {
		f.markUses(c, n, "")
	}
}

// sharedUses allows editing an anchored value that aliases reuse only when
// every use plays role r for the image; otherwise it refuses naming each
// use's line.
func (f *file) sharedUses(n *yaml.Node, r role) error {
	uses := f.uses[n]
	ok := r != roleOther
	var lines []string
	name := map[role]string{roleOther: "a value Baton sets", roleRef: "a reference to", roleTag: "the tag of", roleDigest: "the digest of"}[r]
	if r != roleOther {
		name += " " + f.want.Name
	}
	for _, u := range uses {
		same := r != roleOther && f.sameRole(n, u, r)
		ok = ok && same
		what := "not " + name
		if same {
			what = name
		}
		lines = append(lines, fmt.Sprintf("line %d (%s)", u.line, what))
	}
	if ok {
		return nil
	}
	return f.errAt(n, "the value is anchored (&%s) and aliases reuse it, not all as the same image value: %s; editing it would change every use — give the uses their own values",
		anchorName(n), strings.Join(lines, ", "))
}

// sameRole reports whether use u of anchored node n plays role r for the
// image being set.
func (f *file) sameRole(n *yaml.Node, u use, r role) bool {
	switch r {
	case roleRef:
		cur, err := image.Parse(n.Value)
		return err == nil && cur.Name == f.want.Name && (cur.Pinned() || isImageKey(u.key))
	case roleTag, roleDigest:
		if u.parent == nil || u.parent.Kind != yaml.MappingNode {
			return false
		}
		k := strings.ToLower(u.key)
		if r == roleTag && !strings.HasSuffix(k, "tag") || r == roleDigest && !strings.HasSuffix(k, "digest") {
			return false
		}
		return f.mapNamesImage(u.parent)
	}
	return false
}

// mapNamesImage reports whether a mapping names the image's repository,
// untagged, in a repository (+ registry), image-like, name or newName key,
// following aliases.
func (f *file) mapNamesImage(m *yaml.Node) bool {
	val := func(n *yaml.Node) string {
		if n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil || n.Kind != yaml.ScalarNode {
			return ""
		}
		return n.Value
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		v := val(m.Content[i+1])
		switch {
		case k == "repository":
			v = image.JoinRegistry(val(mapGet(m, "registry")), v)
		case k == "name" || k == "newName" || isImageKey(k):
		default:
			continue
		}
		if r, err := image.Parse(v); err == nil && !r.Pinned() && r.Name == f.want.Name {
			return true
		}
	}
	return false
}

// sharedBy returns the anchored node an alias reuses that n lies in: outer
// when set, else n itself when it is one, else nil.
func (f *file) sharedBy(outer, n *yaml.Node) *yaml.Node {
	if outer != nil {
		return outer
	}
	if n.Anchor != "" && f.aliased[n] {
		return n
	}
	return nil
}

// errShared refuses to edit what inside the anchored node a, which aliases
// reuse: a change there would reach every use, and a whole collection
// reused (often a merge of defaults into each environment) is not known to
// be the same image context everywhere. It names the lines of the uses.
func (f *file) errShared(at, a *yaml.Node, what string) error {
	var lines []string
	for _, u := range f.uses[a][1:] {
		lines = append(lines, strconv.Itoa(u.line))
	}
	where := "line " + strings.Join(lines, "")
	if len(lines) > 1 {
		where = "lines " + strings.Join(lines, ", ")
	}
	return f.errAt(at, "%s is inside &%s (line %d), which aliases reuse at %s; editing it would change every use — give each use its own value",
		what, a.Anchor, a.Line, where)
}
