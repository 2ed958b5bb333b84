package yamledit

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// findPaths applies the explicit key paths. With keys given, they are the
// only targets; each records whether it matched, and Edit fails for a key
// that matched nothing in the whole file.
func (f *file) findPaths(docs []*yaml.Node) error {
	for _, spec := range f.keys {
		p, part, err := parseKeyPath(spec)
		if err != nil {
			return &Error{File: f.name, Err: err}
		}
		for _, d := range docs {
			parent, n, w := f.lookup(d, strings.Split(p, "."))
			if n == nil {
				continue
			}
			if n.Kind == yaml.AliasNode && n.Alias != nil {
				n = n.Alias
			}
			if n.Kind != yaml.ScalarNode {
				return f.errAt(n, "key %s is not a scalar value", p)
			}
			if part == "" {
				if name, ref, ok := strings.Cut(n.Value, "="); ok {
					// Argo CD's "name=reference" kustomize override
					if hit, err := f.setOverride(n, w, KindExplicit, name, ref); hit || err != nil {
						f.keyHits[spec] = f.keyHits[spec] || hit
						if err != nil {
							return err
						}
						continue
					}
				}
				cur, err := image.Parse(n.Value)
				if err != nil {
					return f.errAt(n, "key %s: %v (add :tag, :digest or :name to the key to set a part)", p, err)
				}
				if cur.Name != f.want.Name {
					return f.errAt(n, "key %s holds %s, not %s", p, cur.Name, f.want.Name)
				}
				if !f.tagMatches(cur.Tag) {
					continue
				}
				f.keyHits[spec] = true
				if err := f.set(n, w, KindExplicit, cur.Version(), f.want.Retarget(cur)); err != nil {
					return err
				}
				continue
			}
			if err := f.keyPart(spec, part, parent, n, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyPart sets the tag, digest or name at an explicit key. A tag keeps the
// tag@digest form it holds; a sibling digest key of a tag is kept in step,
// and with none, a digest goes into the tag as in a Helm values map.
func (f *file) keyPart(spec, part string, parent, n *yaml.Node, w walker) error {
	var value string
	switch part {
	case "tag":
		from := splitVersion(n.Value)
		if !f.tagMatches(from.Tag) {
			return nil
		}
		var dig *yaml.Node
		if parent != nil && parent.Kind == yaml.MappingNode {
			if k := mapKey(parent, n); k != nil {
				dig = mapGet(parent, digestKeyFor(k.Value))
			}
		}
		if dig != nil && dig.Kind != yaml.ScalarNode {
			dig = nil
		}
		value = f.tagValue(n.Value, dig == nil)
		if value == "" {
			return f.errAt(n, "key %s wants the tag but %s has none", spec, f.want.String())
		}
		f.keyHits[spec] = true
		to := splitVersion(value)
		if dig != nil {
			from.Digest, to.Digest = dig.Value, f.want.Digest
		}
		if fresh, err := f.claimRole(n, w, value, roleTag); err != nil {
			return err
		} else if fresh {
			f.places = append(f.places, Place{Line: n.Line, Kind: KindExplicit, From: from.Version(), To: to.Version()})
		}
		if dig != nil && (dig.Value != "" || f.want.Digest != "") {
			if _, err := f.claimRole(dig, w, f.want.Digest, roleDigest); err != nil {
				return err
			}
		}
		return nil
	case "digest":
		value = f.want.Digest
	case "name":
		value = f.want.Written
	}
	if value == "" {
		return f.errAt(n, "key %s wants the %s but %s has none", spec, part, f.want.String())
	}
	f.keyHits[spec] = true
	return f.claimPlace(n, w, value, Place{Line: n.Line, Kind: KindExplicit, From: n.Value, To: value})
}

// digestKeyFor names the digest key that goes with a tag key: tag →
// digest, imageTag → imageDigest, image_tag → image_digest.
func digestKeyFor(tagKey string) string {
	switch {
	case tagKey == "newTag":
		return "digest"
	case strings.HasSuffix(tagKey, "Tag"):
		return strings.TrimSuffix(tagKey, "Tag") + "Digest"
	case strings.HasSuffix(tagKey, "tag"):
		return strings.TrimSuffix(tagKey, "tag") + "digest"
	}
	return "digest"
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

// lookup follows keys (mapping keys, or sequence indexes) from a document
// and returns the node found and its parent.
func (f *file) lookup(d *yaml.Node, keys []string) (parent, found *yaml.Node, w walker) {
	n := d
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n == nil {
			break
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		parent = n
		w.shared = f.sharedBy(w.shared, n)
		w.flow = w.flow || n.Style&yaml.FlowStyle != 0
		switch n.Kind {
		case yaml.MappingNode:
			n = mapGet(n, k)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, nil, w
			}
			n = n.Content[i]
		default:
			return nil, nil, w
		}
	}
	return parent, n, w
}
