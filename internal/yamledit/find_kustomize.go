package yamledit

import (
	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

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
	return f.setPair(e, w, KindKustomize, "newTag", "digest", lastScalarValue(e, "newName", "name"), true)
}
