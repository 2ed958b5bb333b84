package yamledit

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/image"
)

// FuzzEdit checks the engine's promise on arbitrary input: it never panics;
// when it edits, the result parses, a second edit changes nothing, the line
// diff touches image values only, and the parsed tree differs from the
// input only in the values of image, tag and digest keys.
func FuzzEdit(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "edit", "*", "input.yaml"))
	for _, d := range dirs {
		src, err := os.ReadFile(d)
		if err == nil {
			f.Add(src, "1.5.0", false)
		}
	}
	d := strings.Repeat("1", 64)
	for _, src := range []string{
		// tag@digest in tag fields, Helm values without a digest key
		"image:\n  repository: ghcr.io/acme/web\n  tag: \"1.4.0@sha256:" + d + "\"\n",
		"p:\n  - name: web.image.repository\n    value: ghcr.io/acme/web\n  - name: web.image.tag\n    value: main@sha256:" + d + "\n",
		// anchors reused by aliases in the same and in other image contexts
		"g:\n  web:\n    image: &i ghcr.io/acme/web\n    tag: &t 1.0.0\nc:\n  image: *i\n  tag: *t\n",
		"g:\n  image: ghcr.io/acme/web\n  tag: &t 1.0.0\nchart:\n  version: *t\n",
		"x: &w ghcr.io/acme/web:1.4.0\ny: [*w, *w]\n",
		// YAML inside block scalars: literal (edited), folded (refused)
		"spec:\n  values: |\n    image:\n      repository: ghcr.io/acme/web\n      tag: latest\n\n    x: 1\n",
		"spec:\n  values: |-\n    images:\n      - name: ghcr.io/acme/web\n",
		"spec:\n  values: |2\n      image: ghcr.io/acme/web:1.4.0\n",
		"spec:\n  values: >\n    image: ghcr.io/acme/web:1.4.0\n",
		// kustomize: stale digest on the last line, flow-style entries
		"images:\n- name: web\n  newName: ghcr.io/acme/web\n  digest: sha256:" + d,
		"images: [{name: ghcr.io/acme/web}]\n",
	} {
		f.Add([]byte(src), "1.5.0", true)
		f.Add([]byte(src), "1.5.0", false)
	}
	f.Fuzz(func(t *testing.T, src []byte, tag string, withDigest bool) {
		ref := "ghcr.io/acme/web:" + tag
		if withDigest {
			ref += "@sha256:" + strings.Repeat("e", 64)
		}
		want, err := image.Parse(ref)
		if err != nil || want.Tag != tag {
			return
		}
		opts := Options{Policies: []string{"flux-system:web"}}
		res, err := Edit("fuzz.yaml", src, want, opts)
		if err != nil {
			return
		}
		if !res.Changed {
			if !bytes.Equal(res.Output, src) {
				t.Fatal("unchanged result differs from input")
			}
			return
		}
		checkInvariants(t, src, res.Output, want, opts)
		if _, err := parse(bytes.TrimPrefix(src, bom)); err != nil {
			return // documents that do not parse were copied; checkInvariants saw the rest
		}
		a, errA := parse(bytes.TrimPrefix(src, bom))
		b, errB := parse(bytes.TrimPrefix(res.Output, bom))
		if errA != nil || errB != nil || len(a) != len(b) {
			t.Fatalf("documents: %v %v %d %d", errA, errB, len(a), len(b))
		}
		for i := range a {
			if why := treeDiff(a[i], b[i], want, ""); why != "" {
				t.Fatalf("document %d: %s", i, why)
			}
		}
	})
}

// treeDiff compares two parsed trees independently of the engine's own
// verification: scalars may differ only where the new value carries the new
// tag or digest (or becomes empty where a stale digest was cleared), and
// mappings may differ only by tag and digest keys.
func treeDiff(a, b *yaml.Node, want image.Ref, key string) string {
	if a.Kind != b.Kind {
		return "kind changed at line " + strconv.Itoa(b.Line)
	}
	switch a.Kind {
	case yaml.ScalarNode:
		if a.Value == b.Value {
			return ""
		}
		if want.Tag != "" && strings.Contains(b.Value, want.Tag) || want.Digest != "" && strings.Contains(b.Value, want.Digest) {
			return ""
		}
		if b.Value == "" && (strings.Contains(strings.ToLower(key), "digest") || key == "value") {
			return ""
		}
		return "value " + a.Value + " became " + b.Value + " at line " + strconv.Itoa(b.Line)
	case yaml.MappingNode:
		// Walk both maps in order: keys may repeat, and the edit may only
		// insert tag/digest keys or drop a digest key.
		i, j := 0, 0
		for i+1 < len(a.Content) || j+1 < len(b.Content) {
			switch {
			case i+1 < len(a.Content) && j+1 < len(b.Content) && a.Content[i].Value == b.Content[j].Value:
				if why := treeDiff(a.Content[i+1], b.Content[j+1], want, a.Content[i].Value); why != "" {
					return why
				}
				i, j = i+2, j+2
			case j+1 < len(b.Content) && insertable(b.Content[j].Value):
				j += 2
			case i+1 < len(a.Content) && a.Content[i].Value == "digest":
				i += 2
			default:
				return "map keys differ near line " + strconv.Itoa(b.Line)
			}
		}
		return ""
	default:
		if len(a.Content) != len(b.Content) {
			return "length changed at line " + strconv.Itoa(b.Line)
		}
		for i := range a.Content {
			if why := treeDiff(a.Content[i], b.Content[i], want, key); why != "" {
				return why
			}
		}
		return ""
	}
}

func insertable(key string) bool { return key == "tag" || key == "newTag" || key == "digest" }
