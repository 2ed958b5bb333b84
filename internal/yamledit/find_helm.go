package yamledit

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

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
	full := textOf(repo)
	if reg != nil && repoKey == "repository" {
		if reg.Kind != yaml.ScalarNode {
			return nil
		}
		full = image.JoinRegistry(textOf(reg), full)
	}
	r, err := image.Parse(full)
	if err != nil || r.Pinned() || r.Name != f.want.Name {
		return nil
	}
	owned[repo] = true
	if reg != nil && repoKey == "repository" {
		owned[reg] = true
	}
	return f.setPair(m, w, KindHelm, tagKey, digestKey, lastScalarValue(m, repoKey), false)
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
			continue // a parameter without a value (Argo CD allows it) names no image
		}
		params[name.Value] = value
		order = append(order, name.Value)
	}
	sw := w
	sw.shared = f.sharedBy(w.shared, seq)
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
		from := splitVersion(tag.Value)
		if dig != nil && dig.Value != "" {
			from.Digest = dig.Value
		}
		if !f.tagMatches(from.Tag) {
			continue
		}
		// Helm values: with no digest parameter the digest goes in the tag.
		value := f.tagValue(tag.Value, dig == nil)
		if value == "" {
			return f.errAt(tag, "parameter %stag is empty and %s has no tag to set", prefix, f.want.String())
		}
		to := splitVersion(value)
		if dig != nil {
			to.Digest = f.want.Digest
		}
		if fresh, err := f.claimRole(tag, sw, value, roleOther); err != nil {
			return err
		} else if fresh {
			f.places = append(f.places, Place{Line: tag.Line, Kind: KindHelm, From: from.Version(), To: to.Version()})
		}
		if dig != nil && (dig.Value != "" || f.want.Digest != "") {
			if _, err := f.claim(dig, sw, f.want.Digest); err != nil {
				return err
			}
		}
	}
	return nil
}
