package yamledit

import (
	"strings"

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
			if r, err := image.Parse(textOf(n)); err == nil && !r.Pinned() && r.Name == f.want.Name {
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

// imageOverride handles an entry of an images: list written as
// "name=newName:newTag" (or "name=newName@digest"), the form of Argo CD's
// spec.source.kustomize.images and of the .argocd-source-*.yaml files Argo
// CD Image Updater writes: name is the image the manifests hold, and the
// reference after "=" replaces it. The entry is the image's when either
// side names its repository; the reference after "=" gets the new tag and
// digest, keeping its spelling, and the name is kept as written. Entries
// without "=" are plain references, which the scalar rule handles.
func (f *file) imageOverride(n *yaml.Node, w walker, owned map[*yaml.Node]bool) error {
	if n.ShortTag() != "!!str" || !strings.Contains(n.Value, f.base) {
		return nil
	}
	name, ref, ok := strings.Cut(n.Value, "=")
	if !ok {
		return nil
	}
	cur, err := image.Parse(ref)
	if err != nil {
		return nil //nolint:nilerr // not an override entry, so not a target
	}
	match := cur.Name == f.want.Name
	if old, err := image.Parse(name); err == nil && !old.Pinned() && old.Name == f.want.Name {
		match = true
	}
	if !match {
		return nil
	}
	owned[n] = true
	if !f.tagMatches(cur.Tag) {
		return nil
	}
	if strings.Contains(n.Value, "{{") {
		return f.errAt(n, "templated value %q", n.Value)
	}
	to := f.want.Retarget(cur)
	if fresh, err := f.claimRole(n, w, name+"="+to.String(), roleRef); err != nil || !fresh {
		return err
	}
	f.places = append(f.places, Place{Line: n.Line, Kind: KindKustomize, From: cur.Version(), To: to.Version()})
	return nil
}
