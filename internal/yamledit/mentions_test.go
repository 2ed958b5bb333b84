package yamledit

import (
	"testing"

	"github.com/baton-dev/baton/internal/image"
)

func TestMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, image string
		want             bool
	}{
		{"short Docker Hub name with tag", "  - image: nginx:1.25\n", "nginx:1.26", true},
		{"full name of a short one", "image: docker.io/library/nginx\n", "nginx:1.26", true},
		{"bare last element only", "name: nginx\nkind: Pod\n", "nginx:1.26", false},
		{"other repository, same last element", "image: ghcr.io/other/web:1.0\n", "ghcr.io/acme/web:1.1", false},
		{"untagged path", "repository: ghcr.io/acme/web\n", "ghcr.io/acme/web:1.1", true},
		{"inside a template", "image: {{ .Values.image }}:{{ .Values.tag }}\n", "ghcr.io/acme/web:1.1", false},
		{"argo cd override", "- web=ghcr.io/acme/web:0.1\n", "ghcr.io/acme/web:1.1", true},
		{"key with a colon", "web:\n  port: 80\n", "ghcr.io/acme/web:1.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, err := image.Parse(tt.image)
			if err != nil {
				t.Fatal(err)
			}
			if got := Mentions([]byte(tt.src), want); got != tt.want {
				t.Errorf("Mentions(%q, %s) = %v, want %v", tt.src, tt.image, got, tt.want)
			}
		})
	}
}
