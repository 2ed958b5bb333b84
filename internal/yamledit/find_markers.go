package yamledit

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

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
		if err != nil || !f.tagMatches(cur.Tag) {
			return nil
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
