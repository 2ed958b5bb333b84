package yamledit

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

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
