package yamledit

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/image"
)

var (
	manifestOut  = flag.String("manifest-out", "", "write the benchmark manifest to this file (for comparisons with other tools)")
	manifestSize = flag.Int("manifest-mb", 2, "size of the manifest -manifest-out writes, in MB (about 250 Deployments each)")
)

// benchManifest builds a multi-document manifest of about 2 MB: 500
// Deployments, each with the image in one container, other images in
// others, and the env vars, probes, annotations and comments that make real
// manifests long.
func benchManifest() []byte { return manifestOf(500) }

// manifestOf builds the benchmark manifest with n Deployments (about
// 4.2 kB each).
func manifestOf(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "# Deployment %d of the shop; generated for the benchmark\n", i)
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d\n  namespace: shop\n", i)
		b.WriteString("  annotations:\n    description: \"Der Webshop für Kunden — 日本語のテキスト\"\n")
		b.WriteString("  labels:\n    app.kubernetes.io/name: web\n    app.kubernetes.io/part-of: shop\n")
		b.WriteString("spec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: web\n")
		b.WriteString("  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: web\n    spec:\n      containers:\n")
		fmt.Fprintf(&b, "        - name: web\n          image: ghcr.io/acme/web:1.4.%d   # bumped by CI\n", i%7)
		b.WriteString("          ports:\n            - containerPort: 8080\n          env:\n")
		for j := range 55 {
			fmt.Fprintf(&b, "            - name: SETTING_%02d\n              value: \"%d\"\n", j, j*i)
		}
		b.WriteString("          readinessProbe:\n            httpGet: {path: /healthz, port: 8080}\n            periodSeconds: 10\n")
		b.WriteString("        - name: proxy\n          image: 'envoyproxy/envoy:v1.30.1'\n")
		b.WriteString("---\n")
	}
	return []byte(b.String())
}

func TestWriteBenchManifest(t *testing.T) {
	t.Parallel()
	if *manifestOut == "" {
		return // only on request: go test -run TestWriteBenchManifest -manifest-out FILE
	}
	if err := os.WriteFile(*manifestOut, manifestOf(*manifestSize*250), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkEdit2MB(b *testing.B) {
	src := benchManifest()
	want, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		b.Fatal(err)
	}
	res, err := Edit("bench.yaml", src, want, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if res.Count() != 500 || !res.Changed {
		b.Fatalf("found %d places, changed %v", res.Count(), res.Changed)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Edit("bench.yaml", src, want, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
