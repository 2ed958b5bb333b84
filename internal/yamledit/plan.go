package yamledit

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// walker carries what a rule needs to know about a node's surroundings.
type walker struct {
	key    string     // the mapping key whose value this is, or ""
	shared *yaml.Node // the outermost anchored ancestor (or node) an alias reuses, or nil
	flow   bool       // the node is inside a flow collection
	fluxIm bool       // the document is a Flux image-automation object
}

// find plans the edits for every target in docs.
func (f *file) find(docs []*yaml.Node) error {
	f.claimed = map[*yaml.Node]string{}
	f.aliased = map[*yaml.Node]bool{}
	f.uses = map[*yaml.Node][]use{}
	for _, d := range docs {
		f.markUses(d, nil, "")
	}
	if len(f.keys) > 0 {
		return f.findPaths(docs) // explicit keys restrict: nothing else changes
	}
	// Structured rules run first so that the scalars they own (a kustomize
	// entry's name, a Helm map's repository) are not taken for bare image
	// references by the generic rule.
	owned := map[*yaml.Node]bool{}
	for _, d := range docs {
		w := walker{fluxIm: isFluxImageObject(d)}
		if err := f.walkMaps(d, w, owned); err != nil {
			return err
		}
	}
	for _, d := range docs {
		w := walker{fluxIm: isFluxImageObject(d)}
		if err := f.walkScalars(d, w, owned); err != nil {
			return err
		}
	}
	return f.findMarkers(docs)
}

// splitVersion splits a tag field's value, "1.2.3" or "1.2.3@sha256:…",
// into its tag and digest.
func splitVersion(v string) image.Ref {
	if i := strings.Index(v, "@"); i >= 0 && strings.Contains(v[i:], ":") {
		return image.Ref{Tag: v[:i], Digest: v[i+1:]}
	}
	return image.Ref{Tag: v}
}

// tagValue is the new value of a tag field that holds cur. A field in the
// tag@digest form keeps it (a new tag alone drops the stale digest); when
// digestInTag is set (the map has no digest key), the digest goes into the
// tag too. It returns "" when there is no tag to write.
func (f *file) tagValue(cur string, digestInTag bool) string {
	old := splitVersion(cur)
	tag := f.want.Tag
	if tag == "" {
		tag = old.Tag // a digest-only image keeps the tag it pins
	}
	if tag == "" {
		return ""
	}
	if f.want.Digest != "" && (old.Digest != "" || digestInTag) {
		return tag + "@" + f.want.Digest
	}
	return tag
}

// isFluxImageObject reports whether a document is one of Flux's image
// automation objects, whose untagged "image" fields name a repository to
// scan and must never get a tag.
func isFluxImageObject(doc *yaml.Node) bool {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if v := mapGet(root, "apiVersion"); v != nil && v.Kind == yaml.ScalarNode {
		return strings.HasPrefix(v.Value, "image.toolkit.fluxcd.io/")
	}
	return false
}

// children calls fn for each child with the walker state it should see.
func (f *file) children(n *yaml.Node, w walker, fn func(c *yaml.Node, w walker) error) error {
	w.shared = f.sharedBy(w.shared, n)
	w.flow = w.flow || n.Style&yaml.FlowStyle != 0
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			cw := w
			cw.key = ""
			if k.Kind == yaml.ScalarNode {
				cw.key = k.Value
			}
			if err := fn(v, cw); err != nil {
				return err
			}
		}
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			cw := w
			cw.key = ""
			if err := fn(c, cw); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkMaps finds kustomization images: entries and Helm-style
// repository/tag maps at any depth.
func (f *file) walkMaps(n *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	if n.Kind == yaml.MappingNode {
		if err := f.helmMap(n, w, owned); err != nil {
			return err
		}
	}
	if n.Kind == yaml.SequenceNode {
		if err := f.helmParameters(n, w, owned); err != nil {
			return err
		}
	}
	if n.Kind == yaml.SequenceNode && w.key == "images" {
		for _, e := range n.Content {
			ew := w
			ew.shared = f.sharedBy(w.shared, n)
			ew.flow = w.flow || n.Style&yaml.FlowStyle != 0
			var err error
			switch e.Kind {
			case yaml.MappingNode:
				err = f.kustomizeEntry(e, ew, owned)
			case yaml.ScalarNode:
				err = f.imageOverride(e, ew, owned)
			}
			if err != nil {
				return err
			}
		}
	}
	return f.children(n, w, func(c *yaml.Node, cw walker) error { return f.walkMaps(c, cw, owned) })
}

// setPair sets the tag and digest keys of a map that describes one image,
// inserting a missing key after anchor and removing a stale digest. A tag
// that holds tag@digest keeps that form. addDigest says whether the map's
// schema has a digest key Baton may add (a kustomization's images: entry);
// without it (a chart's values, whose schema Baton cannot see) the digest
// goes into the tag, which a "{{ repository }}:{{ tag }}" template renders
// as a pinned reference.
func (f *file) setPair(m *yaml.Node, w walker, kind Kind, tagKey, digestKey string, anchor *yaml.Node, addDigest bool) error {
	if first, second := duplicateKey(m); second != nil {
		return f.errDuplicate(first, second)
	}
	// An alias stands for its anchored value: that is what would change,
	// and claimRole edits it only when every use of the anchor is this
	// image's tag (or digest), naming each use's line otherwise.
	tag, dig := deref(mapGet(m, tagKey)), deref(mapGet(m, digestKey))
	for _, n := range []*yaml.Node{tag, dig} {
		if n != nil && n.Kind != yaml.ScalarNode {
			return f.errAt(n, "%s of %s is not a scalar", keyName(m, n), f.want.Name)
		}
	}
	from := image.Ref{}
	if tag != nil {
		from = splitVersion(tag.Value)
	}
	if dig != nil && dig.Value != "" {
		from.Digest = dig.Value
	}
	if !f.tagMatches(from.Tag) {
		return nil
	}
	inTag := tag != nil && strings.Contains(tag.Value, "@") // the tag@digest form
	digestInTag := dig == nil && (inTag || !addDigest)
	tagValue := ""
	if tag != nil {
		tagValue = f.tagValue(tag.Value, digestInTag)
	} else if f.want.Tag != "" {
		tagValue = f.want.Tag
		if digestInTag && f.want.Digest != "" {
			tagValue += "@" + f.want.Digest
		}
	}
	if digestInTag && f.want.Digest != "" && tagValue == "" {
		return f.errAt(m, "%s has no %s to carry the digest and no %s key; give the image a tag", f.want.Name, tagKey, digestKey)
	}
	to := splitVersion(tagValue)
	if !digestInTag {
		to.Digest = f.want.Digest
	}
	insertTag := tag == nil && tagValue != ""
	insertDigest := dig == nil && !digestInTag && f.want.Digest != ""
	staleDigest := dig != nil && f.want.Digest == "" && dig.Value != "" && dig.ShortTag() != "!!null"
	if insertTag || insertDigest {
		if anchor == nil {
			return f.errAt(m, "cannot add %s: no single-line key to add it after", missingKey(insertTag, tagKey, digestKey))
		}
		if w.flow && m.Style&yaml.FlowStyle == 0 {
			return f.errAt(m, "cannot add %s to a block map inside a flow collection; add the key by hand once", missingKey(insertTag, tagKey, digestKey))
		}
	}
	if w.shared != nil {
		return f.errShared(m, w.shared, fmt.Sprintf("the %s entry for %s", kind, f.want.Name))
	}
	place := Place{Line: m.Line, Kind: kind, From: from.Version(), To: to.Version()}
	if tag != nil {
		place.Line = mapGet(m, tagKey).Line // an alias's own line, not its anchor's
		if _, err := f.claimRole(tag, w, tagValue, roleTag); err != nil {
			return err
		}
	}
	f.places = append(f.places, place)
	var digestPair *yaml.Node // the stale digest's key, when it can go
	if staleDigest {
		if k := mapKey(m, dig); k != nil && f.deletable(k, dig) && m.Style&yaml.FlowStyle == 0 {
			digestPair = k
		} else if _, err := f.claimRole(dig, w, "", roleDigest); err != nil {
			return err
		}
	}
	switch {
	case insertTag && digestPair != nil:
		// One edit where the stale digest stood: an insert beside a
		// deleted line could meet it at the file's last line.
		f.edits = append(f.edits, edit{kind: replaceKey, mapping: m, node: digestPair, key: tagKey, value: tagValue})
		digestPair = nil
	case insertTag:
		f.edits = append(f.edits, edit{kind: insertKey, mapping: m, after: anchor, key: tagKey, value: tagValue})
	}
	if digestPair != nil {
		f.edits = append(f.edits, edit{kind: deleteKey, mapping: m, node: digestPair})
	}
	switch {
	case insertDigest:
		after := anchor
		if tag != nil && !isEmptyNull(tag) {
			after = tag
		}
		f.edits = append(f.edits, edit{kind: insertKey, mapping: m, after: after, key: digestKey, value: f.want.Digest})
	case dig != nil && f.want.Digest != "":
		if _, err := f.claimRole(dig, w, f.want.Digest, roleDigest); err != nil {
			return err
		}
	}
	return nil
}

func missingKey(insertTag bool, tagKey, digestKey string) string {
	if insertTag {
		return tagKey
	}
	return digestKey
}

func isEmptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "" && n.Style == 0
}

// set plans a whole-reference change of a scalar.
func (f *file) set(n *yaml.Node, w walker, kind Kind, from string, to image.Ref) error {
	if strings.Contains(n.Value, "{{") {
		return f.errAt(n, "templated value %q", n.Value)
	}
	if fresh, err := f.claimRole(n, w, to.String(), roleRef); err != nil || !fresh {
		return err
	}
	f.places = append(f.places, Place{Line: n.Line, Kind: kind, From: from, To: to.Version()})
	return nil
}

// claimPlace claims n and records place unless another rule already did.
func (f *file) claimPlace(n *yaml.Node, w walker, value string, place Place) error {
	fresh, err := f.claim(n, w, value)
	if fresh {
		f.places = append(f.places, place)
	}
	return err
}

// role is what a claimed value is to its image, which decides whether an
// anchored value that aliases reuse may be edited: when every use plays
// the same role for the same image.
type role int

const (
	roleOther  role = iota // never edited through a shared anchor
	roleRef                // a whole image reference
	roleTag                // the tag beside the image's repository
	roleDigest             // the digest beside the image's repository
)

// claim is claimRole for a value that must not be shared through an anchor.
func (f *file) claim(n *yaml.Node, w walker, value string) (bool, error) {
	return f.claimRole(n, w, value, roleOther)
}

// claimRole records a new value for a scalar, refusing a node that two
// rules want to set differently, and anchors whose uses differ. It
// reports whether n was not claimed before.
func (f *file) claimRole(n *yaml.Node, w walker, value string, r role) (bool, error) {
	if old, ok := f.claimed[n]; ok {
		if old != value {
			return false, f.errAt(n, "two rules set this value differently (%q and %q)", old, value)
		}
		return false, nil
	}
	if w.shared != nil {
		return false, f.errShared(n, w.shared, "the value")
	}
	if n.Anchor != "" && f.aliased[n] {
		if err := f.sharedUses(n, r); err != nil {
			return false, err
		}
	}
	if _, err := f.lines.scalarSpan(n); err != nil {
		return false, f.errAt(n, "%v", err)
	}
	f.claimed[n] = value
	if n.Value != value || !readsAs(n, value) {
		f.edits = append(f.edits, edit{kind: setValue, node: n, value: value})
	}
	return true, nil
}

// readsAs reports whether n already reads as the string value: a string,
// or a null where the value is empty.
func readsAs(n *yaml.Node, value string) bool {
	return n.ShortTag() == "!!str" || value == "" && n.ShortTag() == "!!null"
}

func anchorName(n *yaml.Node) string {
	if n.Anchor != "" {
		return n.Anchor
	}
	return "…"
}

// deletable reports whether a "key: value" pair is alone on its line, so
// that removing the line leaves the rest of the map intact.
func (f *file) deletable(k, v *yaml.Node) bool {
	if k.Line != v.Line || k.Style != 0 {
		return false
	}
	start, ok := f.lines.offset(k.Line, k.Column)
	if !ok {
		return false
	}
	lineStart := f.lines.starts[k.Line-1]
	for _, c := range f.src[lineStart:start] {
		if c != ' ' {
			return false // "- digest: …" opens a sequence entry
		}
	}
	return true
}
