package yamledit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// walker carries what a rule needs to know about a node's surroundings.
type walker struct {
	key    string // the mapping key whose value this is, or ""
	shared bool   // the node or an ancestor is an anchor that an alias uses
	flow   bool   // the node is inside a flow collection
	fluxIm bool   // the document is a Flux image-automation object
}

// find plans the edits for every target in docs.
func (f *file) find(docs []*yaml.Node) error {
	f.claimed = map[*yaml.Node]string{}
	f.aliased = map[*yaml.Node]bool{}
	for _, d := range docs {
		markAliased(d, f.aliased)
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
	if err := f.findMarkers(docs); err != nil {
		return err
	}
	return f.findPaths(docs)
}

func markAliased(n *yaml.Node, seen map[*yaml.Node]bool) {
	if n.Kind == yaml.AliasNode {
		if n.Alias != nil {
			seen[n.Alias] = true
		}
		return
	}
	for _, c := range n.Content {
		markAliased(c, seen)
	}
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
	w.shared = w.shared || (n.Anchor != "" && f.aliased[n])
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
			if e.Kind == yaml.MappingNode {
				ew := w
				ew.shared = w.shared || (n.Anchor != "" && f.aliased[n])
				ew.flow = w.flow || n.Style&yaml.FlowStyle != 0
				if err := f.kustomizeEntry(e, ew, owned); err != nil {
					return err
				}
			}
		}
	}
	return f.children(n, w, func(c *yaml.Node, cw walker) error { return f.walkMaps(c, cw, owned) })
}

// walkScalars finds scalars that are references to the image.
func (f *file) walkScalars(n *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	if n.Kind == yaml.ScalarNode && !owned[n] && n.ShortTag() == "!!str" {
		if !strings.Contains(n.Value, f.base) {
			return nil // cheap test first: every spelling ends in the last path element
		}
		cur, err := image.Parse(n.Value)
		if err == nil && cur.Name == f.want.Name && (cur.Pinned() || isImageKey(w.key) && !w.fluxIm) {
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

// kustomizeEntry handles one entry of a kustomization's images: list.
func (f *file) kustomizeEntry(e *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	name := mapGet(e, "name")
	newName := mapGet(e, "newName")
	match := false
	for _, n := range []*yaml.Node{newName, name} {
		if n != nil && n.Kind == yaml.ScalarNode {
			if r, err := image.Parse(n.Value); err == nil && !r.Pinned() && r.Name == f.want.Name {
				match = true
			}
		}
	}
	if !match {
		return nil
	}
	if name != nil {
		owned[name] = true
	}
	if newName != nil {
		owned[newName] = true
	}
	return f.setPair(e, w, KindKustomize, "newTag", "digest", lastScalarValue(e, "newName", "name"))
}

// helmMap handles a values map with repository (+ registry), tag
// (+ digest), and the flat variants charts use: an untagged image key with
// a sibling tag key (image + tag, image + imageTag, sidecarImage +
// sidecarImageTag), and name + tag. Writing the tag into the image key
// there would render "repo:new:old".
func (f *file) helmMap(m *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	if repo := mapGet(m, "repository"); repo != nil {
		return f.helmRepo(m, w, owned, repo, "repository", "tag", "digest")
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			continue
		}
		var tagKey, digestKey string
		switch {
		case k.Value == "name":
			tagKey, digestKey = "tag", "digest"
		case isImageKey(k.Value):
			for _, t := range []string{k.Value + "Tag", k.Value + "_tag", "tag"} {
				if mapGet(m, t) != nil {
					tagKey = t
					break
				}
			}
			digestKey = strings.TrimSuffix(tagKey, "Tag") + "Digest"
			if tagKey == "tag" || strings.HasSuffix(tagKey, "_tag") {
				digestKey = strings.TrimSuffix(tagKey, "tag") + "digest"
			}
		default:
			continue
		}
		if tagKey == "" || mapGet(m, tagKey) == nil {
			continue
		}
		if err := f.helmRepo(m, w, owned, v, k.Value, tagKey, digestKey); err != nil {
			return err
		}
	}
	return nil
}

// helmRepo handles one repository value of a map and its tag and digest
// keys.
func (f *file) helmRepo(m *yaml.Node, w walker, owned map[*yaml.Node]bool, repo *yaml.Node, repoKey, tagKey, digestKey string) error {
	if repo.Kind != yaml.ScalarNode || repo.ShortTag() != "!!str" {
		return nil
	}
	reg := mapGet(m, "registry")
	full := repo.Value
	if reg != nil && repoKey == "repository" {
		if reg.Kind != yaml.ScalarNode {
			return nil
		}
		full = image.JoinRegistry(reg.Value, repo.Value)
	}
	r, err := image.Parse(full)
	if err != nil || r.Pinned() || r.Name != f.want.Name {
		return nil
	}
	owned[repo] = true
	if reg != nil && repoKey == "repository" {
		owned[reg] = true
	}
	return f.setPair(m, w, KindHelm, tagKey, digestKey, lastScalarValue(m, repoKey))
}

// helmParameters handles Helm parameter lists as Argo CD writes them
// (spec.source.helm.parameters, .argocd-source-*.yaml): entries of name and
// value, where "<prefix>.repository" (or ".name") holds the image
// repository and "<prefix>.tag" (and ".digest") its version.
func (f *file) helmParameters(seq *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	params := map[string]*yaml.Node{} // name → value node
	var order []string
	for _, e := range seq.Content {
		if e.Kind != yaml.MappingNode {
			return nil
		}
		name, value := mapGet(e, "name"), mapGet(e, "value")
		if name == nil || value == nil || name.Kind != yaml.ScalarNode || value.Kind != yaml.ScalarNode {
			return nil
		}
		params[name.Value] = value
		order = append(order, name.Value)
	}
	sw := w
	sw.shared = w.shared || (seq.Anchor != "" && f.aliased[seq])
	sw.flow = w.flow || seq.Style&yaml.FlowStyle != 0
	for _, name := range order {
		var prefix string
		switch {
		case strings.HasSuffix(name, ".repository"):
			prefix = strings.TrimSuffix(name, "repository")
		case strings.HasSuffix(name, ".name"):
			prefix = strings.TrimSuffix(name, "name")
		default:
			continue
		}
		repo := params[name]
		r, err := image.Parse(repo.Value)
		if err != nil || r.Pinned() || r.Name != f.want.Name {
			continue
		}
		tag, dig := params[prefix+"tag"], params[prefix+"digest"]
		if tag == nil {
			continue
		}
		owned[repo] = true
		from := image.Ref{Tag: tag.Value}
		if dig != nil {
			from.Digest = dig.Value
		}
		to := from
		if f.want.Tag != "" {
			to.Tag = f.want.Tag
		}
		to.Digest = f.want.Digest
		if err := f.claimPlace(tag, sw, to.Tag, Place{Line: tag.Line, Kind: KindHelm, From: from.Version(), To: to.Version()}); err != nil {
			return err
		}
		if dig != nil && (dig.Value != "" || f.want.Digest != "") {
			if _, err := f.claim(dig, sw, f.want.Digest); err != nil {
				return err
			}
		}
	}
	return nil
}

// setPair sets the tag and digest keys of a map that describes one image,
// inserting a missing key after anchor and removing a stale digest.
func (f *file) setPair(m *yaml.Node, w walker, kind Kind, tagKey, digestKey string, anchor *yaml.Node) error {
	if k := duplicateKey(m); k != nil {
		return f.errAt(k, "duplicate key %q in the %s entry for %s; YAML keys must be unique", k.Value, kind, f.want.Name)
	}
	tag, dig := mapGet(m, tagKey), mapGet(m, digestKey)
	for _, n := range []*yaml.Node{tag, dig} {
		if n != nil && n.Kind != yaml.ScalarNode {
			return f.errAt(n, "%s of %s is not a scalar", keyName(m, n), f.want.Name)
		}
	}
	from := image.Ref{}
	if tag != nil {
		from.Tag = tag.Value
	}
	if dig != nil {
		from.Digest = dig.Value
	}
	to := from
	if f.want.Tag != "" {
		to.Tag = f.want.Tag
	}
	to.Digest = f.want.Digest
	if f.want.Tag != "" && tag == nil || f.want.Digest != "" && dig == nil {
		// Inserting needs a block mapping and a single-line pair to follow.
		if w.flow || m.Style&yaml.FlowStyle != 0 {
			return f.errAt(m, "cannot add %s to a flow-style map {…}; add the key by hand once", missingKey(f.want, tag, dig, tagKey, digestKey))
		}
		if anchor == nil {
			return f.errAt(m, "cannot add %s: no single-line key to add it after", missingKey(f.want, tag, dig, tagKey, digestKey))
		}
	}
	if w.shared {
		return f.errAt(m, "the %s entry for %s is inside an anchor that an alias reuses; editing it would change every alias", kind, f.want.Name)
	}
	place := Place{Line: m.Line, Kind: kind, From: from.Version(), To: to.Version()}
	if tag != nil {
		place.Line = tag.Line
		if _, err := f.claim(tag, w, to.Tag); err != nil {
			return err
		}
	}
	f.places = append(f.places, place)
	if f.want.Tag != "" && tag == nil {
		f.edits = append(f.edits, edit{kind: insertKey, mapping: m, after: anchor, key: tagKey, value: f.want.Tag})
	}
	switch {
	case f.want.Digest != "" && dig == nil:
		after := anchor
		if tag != nil && !isEmptyNull(tag) {
			after = tag
		}
		f.edits = append(f.edits, edit{kind: insertKey, mapping: m, after: after, key: digestKey, value: f.want.Digest})
	case dig != nil && f.want.Digest == "" && dig.Value != "" && dig.ShortTag() != "!!null":
		// A stale digest would pin the old image beside the new tag.
		if k := mapKey(m, dig); k != nil && f.deletable(k, dig) {
			f.edits = append(f.edits, edit{kind: deleteKey, mapping: m, node: k})
		} else if _, err := f.claim(dig, w, ""); err != nil {
			return err
		}
	case dig != nil && f.want.Digest != "":
		if _, err := f.claim(dig, w, f.want.Digest); err != nil {
			return err
		}
	}
	return nil
}

func missingKey(want image.Ref, tag, dig *yaml.Node, tagKey, digestKey string) string {
	if want.Tag != "" && tag == nil {
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
	return f.claimPlace(n, w, to.String(), Place{Line: n.Line, Kind: kind, From: from, To: to.Version()})
}

// claimPlace claims n and records place unless another rule already did.
func (f *file) claimPlace(n *yaml.Node, w walker, value string, place Place) error {
	fresh, err := f.claim(n, w, value)
	if fresh {
		f.places = append(f.places, place)
	}
	return err
}

// claim records a new value for a scalar, refusing a node that two rules
// want to set differently, and shared anchors. It reports whether n was
// not claimed before.
func (f *file) claim(n *yaml.Node, w walker, value string) (bool, error) {
	if old, ok := f.claimed[n]; ok {
		if old != value {
			return false, f.errAt(n, "two rules set this value differently (%q and %q)", old, value)
		}
		return false, nil
	}
	if w.shared || (n.Anchor != "" && f.aliased[n]) {
		return false, f.errAt(n, "the value is anchored (&%s) and an alias reuses it; editing it would change every alias", anchorName(n))
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

// markerRe matches a Flux image-automation setter marker in a comment.
var markerRe = regexp.MustCompile(`#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}`)

// findMarkers finds scalars whose line carries a setter marker for one of
// the configured policies.
func (f *file) findMarkers(docs []*yaml.Node) error {
	if len(f.opts.Policies) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, p := range f.opts.Policies {
		want[p] = true
	}
	var err error
	var visit func(n *yaml.Node, w walker)
	visit = func(n *yaml.Node, w walker) {
		if err != nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			err = f.marker(n, w, want)
			return
		}
		_ = f.children(n, w, func(c *yaml.Node, cw walker) error { visit(c, cw); return nil })
	}
	for _, d := range docs {
		visit(d, walker{})
	}
	return err
}

func (f *file) marker(n *yaml.Node, w walker, policies map[string]bool) error {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return nil
	}
	sp, err := f.lines.scalarSpan(n)
	if err != nil {
		return nil //nolint:nilerr // not a single-line scalar, so no marker applies
	}
	end, _ := f.lines.lineEnd(sp.end)
	m := markerRe.FindSubmatch(f.src[sp.end:end])
	if m == nil {
		return nil
	}
	policy, field := string(m[1]), ""
	if parts := strings.Split(policy, ":"); len(parts) == 3 {
		policy, field = parts[0]+":"+parts[1], parts[2]
	}
	if !policies[policy] {
		return nil
	}
	switch field {
	case "":
		cur, err := image.Parse(n.Value)
		to := f.want
		from := n.Value
		if err == nil && cur.Name == f.want.Name {
			to, from = f.want.Retarget(cur), cur.Version()
		}
		return f.set(n, w, KindMarker, from, to)
	case "tag":
		if f.want.Tag == "" {
			return f.errAt(n, "the marker asks for a tag but %s has none", f.want.String())
		}
		return f.claimPlace(n, w, f.want.Tag, Place{Line: n.Line, Kind: KindMarker, From: n.Value, To: f.want.Tag})
	case "digest":
		if f.want.Digest == "" {
			return f.errAt(n, "the marker asks for a digest but %s has none", f.want.String())
		}
		return f.claimPlace(n, w, f.want.Digest, Place{Line: n.Line, Kind: kindAuxiliary, From: n.Value, To: f.want.Digest})
	case "name":
		to := f.want.Written
		if cur, err := image.Parse(n.Value); err == nil && cur.Name == f.want.Name {
			to = n.Value
		}
		return f.claimPlace(n, w, to, Place{Line: n.Line, Kind: kindAuxiliary, From: n.Value, To: to})
	default:
		return f.errAt(n, "unknown marker field %q in %q (accepted: tag, name, digest)", field, string(m[1]))
	}
}

// findPaths applies the explicit key paths from the policy.
func (f *file) findPaths(docs []*yaml.Node) error {
	for _, spec := range f.opts.Paths {
		p, part, err := parseKeyPath(spec)
		if err != nil {
			return &Error{File: f.name, Err: err}
		}
		for _, d := range docs {
			n, w := f.lookup(d, strings.Split(p, "."))
			if n == nil {
				continue
			}
			if n.Kind != yaml.ScalarNode {
				return f.errAt(n, "key path %s is not a scalar value", p)
			}
			var value string
			switch part {
			case "tag":
				value = f.want.Tag
			case "digest":
				value = f.want.Digest
			case "name":
				value = f.want.Written
			}
			if part != "" {
				if value == "" {
					return f.errAt(n, "key path %s wants the %s but %s has none", spec, part, f.want.String())
				}
				if err := f.claimPlace(n, w, value, Place{Line: n.Line, Kind: KindExplicit, From: n.Value, To: value}); err != nil {
					return err
				}
				continue
			}
			cur, err := image.Parse(n.Value)
			if err != nil {
				return f.errAt(n, "key path %s: %v (add :tag, :digest or :name to the path to set a part)", p, err)
			}
			if cur.Name != f.want.Name {
				return f.errAt(n, "key path %s holds %s, not %s", p, cur.Name, f.want.Name)
			}
			if err := f.set(n, w, KindExplicit, cur.Version(), f.want.Retarget(cur)); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseKeyPath splits "a.b.c[:part]" where part is tag, digest or name. A
// path whose last key is "tag" or ends in "Tag" sets the tag by default.
func parseKeyPath(spec string) (path, part string, err error) {
	path = spec
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		path, part = spec[:i], spec[i+1:]
		switch part {
		case "tag", "digest", "name":
		default:
			return "", "", fmt.Errorf("key path %q: unknown part %q (accepted: tag, digest, name)", spec, part)
		}
	}
	keys := strings.Split(path, ".")
	for _, k := range keys {
		if k == "" {
			return "", "", fmt.Errorf("key path %q: empty key (write keys as a.b.0.c)", spec)
		}
	}
	if last := keys[len(keys)-1]; part == "" && (last == "tag" || strings.HasSuffix(last, "Tag")) {
		part = "tag"
	}
	return path, part, nil
}

// lookup follows keys (mapping keys, or sequence indexes) from a document.
func (f *file) lookup(d *yaml.Node, keys []string) (*yaml.Node, walker) {
	n := d
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	w := walker{}
	for _, k := range keys {
		if n == nil {
			break
		}
		w.shared = w.shared || (n.Anchor != "" && f.aliased[n])
		w.flow = w.flow || n.Style&yaml.FlowStyle != 0
		switch n.Kind {
		case yaml.MappingNode:
			n = mapGet(n, k)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, w
			}
			n = n.Content[i]
		default:
			return nil, w
		}
	}
	return n, w
}

// duplicateKey returns the second occurrence of a repeated scalar key.
func duplicateKey(m *yaml.Node) *yaml.Node {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if seen[k.Value] {
			return k
		}
		seen[k.Value] = true
	}
	return nil
}

// mapGet returns the value of key in a mapping node, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapKey returns the key node whose value is v.
func mapKey(m, v *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i+1] == v {
			return m.Content[i]
		}
	}
	return nil
}

func keyName(m, v *yaml.Node) string {
	if k := mapKey(m, v); k != nil {
		return fmt.Sprintf("%q", k.Value)
	}
	return "a key"
}

// lastScalarValue returns the value node, among keys, that stands last in
// the file and is a single-line scalar on its key's line: the pair a new
// key can be inserted after.
func lastScalarValue(m *yaml.Node, keys ...string) *yaml.Node {
	var best *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		ok := false
		for _, want := range keys {
			ok = ok || k.Value == want
		}
		if !ok || v.Kind != yaml.ScalarNode || v.Line != k.Line || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			continue
		}
		if best == nil || v.Line > best.Line {
			best = v
		}
	}
	return best
}
