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
		if b.Value == "" && strings.Contains(strings.ToLower(key), "digest") {
			return ""
		}
		return "value " + a.Value + " became " + b.Value + " at line " + strconv.Itoa(b.Line)
	case yaml.MappingNode:
		bm := map[string]*yaml.Node{}
		for i := 0; i+1 < len(b.Content); i += 2 {
			bm[b.Content[i].Value] = b.Content[i+1]
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(a.Content); i += 2 {
			k := a.Content[i].Value
			seen[k] = true
			bv, ok := bm[k]
			if !ok {
				if k != "digest" {
					return "key " + k + " removed at line " + strconv.Itoa(a.Content[i].Line)
				}
				continue
			}
			if why := treeDiff(a.Content[i+1], bv, want, k); why != "" {
				return why
			}
		}
		for i := 0; i+1 < len(b.Content); i += 2 {
			if k := b.Content[i].Value; !seen[k] && k != "tag" && k != "newTag" && k != "digest" {
				return "key " + k + " added at line " + strconv.Itoa(b.Content[i].Line)
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
