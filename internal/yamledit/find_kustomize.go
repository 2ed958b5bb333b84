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
	if f.overrideMatches(name, ref) {
		owned[n] = true
	}
	_, err := f.setOverride(n, w, KindKustomize, name, ref)
	return err
}

// overrideMatches reports whether "name=ref" is an override of the image:
// ref is a reference to it, or name names it untagged.
func (f *file) overrideMatches(name, ref string) bool {
	cur, err := image.Parse(ref)
	if err != nil {
		return false
	}
	old, err := image.Parse(name)
	return cur.Name == f.want.Name || err == nil && !old.Pinned() && old.Name == f.want.Name
}

// setOverride sets the reference of an override "name=ref" that is the
// image's to the new tag and digest, keeping name and the reference's
// spelling. It reports whether the entry is the image's and its tag passes
// the tag pattern.
func (f *file) setOverride(n *yaml.Node, w walker, kind Kind, name, ref string) (bool, error) {
	if !f.overrideMatches(name, ref) {
		return false, nil
	}
	cur, _ := image.Parse(ref)
	if !f.tagMatches(cur.Tag) {
		return false, nil
	}
	if strings.Contains(n.Value, "{{") {
		return true, f.errAt(n, "templated value %q", n.Value)
	}
	to := f.want.Retarget(cur)
	fresh, err := f.claimRole(n, w, name+"="+to.String(), roleRef)
	if fresh {
		f.places = append(f.places, Place{Line: n.Line, Kind: kind, From: cur.Version(), To: to.Version()})
	}
	return true, err
}
