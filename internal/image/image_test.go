package image

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	dig := "sha256:" + strings.Repeat("a", 64)
	tests := []struct {
		in      string
		want    Ref
		wantErr string
	}{
		{in: "nginx", want: Ref{Name: "docker.io/library/nginx", Written: "nginx"}},
		{in: "nginx:1.25", want: Ref{Name: "docker.io/library/nginx", Written: "nginx", Tag: "1.25"}},
		{in: "docker.io/library/nginx:1.25", want: Ref{Name: "docker.io/library/nginx", Written: "docker.io/library/nginx", Tag: "1.25"}},
		{in: "ghcr.io/acme/web:1.4.0@" + dig, want: Ref{Name: "ghcr.io/acme/web", Written: "ghcr.io/acme/web", Tag: "1.4.0", Digest: dig}},
		{in: "ghcr.io/acme/web@" + dig, want: Ref{Name: "ghcr.io/acme/web", Written: "ghcr.io/acme/web", Digest: dig}},
		{in: "registry.local:5000/team/app:v2", want: Ref{Name: "registry.local:5000/team/app", Written: "registry.local:5000/team/app", Tag: "v2"}},
		{in: "localhost:5000/app", want: Ref{Name: "localhost:5000/app", Written: "localhost:5000/app"}},
		{in: "", wantErr: `invalid image reference "": empty`},
		{in: "Ghcr.io/Acme/Web:1", wantErr: `invalid image reference "Ghcr.io/Acme/Web:1": invalid reference format: repository name (Acme/Web) must be lowercase`},
		{in: "web:", wantErr: `invalid image reference "web:": invalid reference format`},
		{in: " web:1", wantErr: `invalid image reference " web:1": surrounding white space`},
		{in: "web@sha256:abc", wantErr: `invalid image reference "web@sha256:abc": invalid reference format`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestVersionAndRetarget(t *testing.T) {
	t.Parallel()
	dig := "sha256:" + strings.Repeat("b", 64)
	want, err := Parse("docker.io/library/nginx:1.26@" + dig)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Parse("nginx:1.25")
	if err != nil {
		t.Fatal(err)
	}
	if got := want.Retarget(cur).String(); got != "nginx:1.26@"+dig {
		t.Errorf("Retarget = %q", got)
	}
	if got := want.Version(); got != "1.26@sha256:bbbbbbbbbbbb" {
		t.Errorf("Version = %q", got)
	}
	if got := (Ref{}).Version(); got != "(untagged)" {
		t.Errorf("Version of empty = %q", got)
	}
	if got := JoinRegistry("ghcr.io/", "acme/web"); got != "ghcr.io/acme/web" {
		t.Errorf("JoinRegistry = %q", got)
	}
	if _, err := ParseRepository("web:1"); err == nil {
		t.Error("ParseRepository accepted a tag")
	}
}

// FuzzParse checks that whatever Parse accepts formats back to itself and
// parses again to the same reference.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"nginx", "ghcr.io/acme/web:1.4.0", "localhost:5000/a/b@sha256:" + strings.Repeat("c", 64), "a:b:c",
		"registry-1.docker.io/library/nginx:1.27", "registry-1.docker.io/x", "index.docker.io/nginx@sha256:" + strings.Repeat("d", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if r.String() != s {
			t.Fatalf("String() = %q, want %q", r.String(), s)
		}
		again, err := Parse(r.String())
		if err != nil || again != r {
			t.Fatalf("reparse = %+v, %v; want %+v", again, err, r)
		}
		// Resolve with the image's own parts given apart agrees with it.
		res, err := Resolve(r.Written, r.Tag, r.Digest)
		if r.Tag != "" && ValidTag(r.Tag) == nil && (err != nil || res != r) {
			t.Fatalf("Resolve(%q, %q, %q) = %+v, %v; want %+v", r.Written, r.Tag, r.Digest, res, err, r)
		}
	})
}

func TestDockerHubHosts(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"nginx:1", "docker.io/library/nginx:1", "index.docker.io/library/nginx:1", "registry-1.docker.io/library/nginx:1", "registry-1.docker.io/nginx:1"} {
		r, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if r.Name != "docker.io/library/nginx" {
			t.Errorf("Parse(%q).Name = %q, want docker.io/library/nginx", s, r.Name)
		}
		if r.String() != s {
			t.Errorf("Parse(%q).String() = %q; the spelling must be kept", s, r.String())
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	dig := "sha256:" + strings.Repeat("a", 64)
	other := "sha256:" + strings.Repeat("b", 64)
	tests := []struct {
		name, image, tag, digest string
		want                     string
		conflict                 string // the part in conflict, or ""
		invalid                  bool
	}{
		{name: "tag in image", image: "app:1.5.0", want: "app:1.5.0"},
		{name: "tag apart", image: "app", tag: "1.5.0", want: "app:1.5.0"},
		{name: "same tag twice", image: "app:1.5.0", tag: "1.5.0", want: "app:1.5.0"},
		{name: "conflicting tag", image: "app:1.5.0", tag: "1.6.0", conflict: "tag"},
		{name: "digest apart", image: "app:1.5.0", digest: dig, want: "app:1.5.0@" + dig},
		{name: "bare hex digest", image: "app", digest: strings.Repeat("a", 64), want: "app@" + dig},
		{name: "conflicting digest", image: "app@" + dig, digest: other, conflict: "digest"},
		{name: "bad tag", image: "app", tag: "-x", invalid: true},
		{name: "bad digest", image: "app", digest: "sha256:zz", invalid: true},
		{name: "bad image", image: "App", invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Resolve(tt.image, tt.tag, tt.digest)
			var ce *ConflictError
			switch {
			case tt.conflict != "":
				if !errors.As(err, &ce) || ce.Part != tt.conflict {
					t.Fatalf("Resolve = %v, want a %s conflict", err, tt.conflict)
				}
			case tt.invalid:
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Resolve = %v, want ErrInvalid", err)
				}
			case err != nil:
				t.Fatal(err)
			case r.String() != tt.want:
				t.Errorf("Resolve = %s, want %s", r.String(), tt.want)
			}
		})
	}
}
