// Package image parses, normalises and formats container image references.
//
// It is a thin layer over github.com/distribution/reference that keeps what
// Baton needs beside the normalised form: the repository exactly as the user
// wrote it, so that an edit can keep a file's own spelling ("nginx" stays
// "nginx", not "docker.io/library/nginx").
package image

import (
	// go-digest accepts only algorithms whose hash is linked in; without
	// this, a binary that never hashes anything rejects every sha256 digest.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"errors"
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// ErrInvalid is wrapped by every error about a malformed reference.
var ErrInvalid = errors.New("invalid image reference")

// Ref is a parsed image reference.
type Ref struct {
	// Name is the normalised repository, e.g. "docker.io/library/nginx".
	Name string
	// Written is the repository as it was written, e.g. "nginx".
	Written string
	// Tag is the tag, or "" when the reference has none.
	Tag string
	// Digest is the digest ("sha256:…"), or "" when the reference has none.
	Digest string
}

// dockerHubAlias is the host Docker Hub serves its registry API from.
const dockerHubAlias = "registry-1.docker.io/"

// Parse parses s as an image reference of the form
// [registry[:port]/]path[:tag][@digest]. Docker Hub short names are
// normalised, so Parse("nginx").Name is "docker.io/library/nginx", and
// docker.io, index.docker.io and registry-1.docker.io name the same registry.
func Parse(s string) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("%w %q: empty", ErrInvalid, s)
	}
	if strings.TrimSpace(s) != s {
		return Ref{}, fmt.Errorf("%w %q: surrounding white space", ErrInvalid, s)
	}
	parsed := s
	if rest, ok := strings.CutPrefix(s, dockerHubAlias); ok {
		// Docker Hub's registry host; distribution/reference normalises
		// only docker.io and index.docker.io.
		parsed = "docker.io/" + rest
	}
	named, err := reference.ParseNormalizedNamed(parsed)
	if err != nil {
		return Ref{}, fmt.Errorf("%w %q: %w", ErrInvalid, s, err)
	}
	r := Ref{Name: named.Name(), Written: s}
	if c, ok := named.(reference.Canonical); ok {
		r.Digest = c.Digest().String()
		r.Written = r.Written[:strings.LastIndexByte(r.Written, '@')]
	}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
		r.Written = strings.TrimSuffix(r.Written, ":"+r.Tag)
	}
	return r, nil
}

// ParseRepository parses a repository name without tag or digest and returns
// its normalised form.
func ParseRepository(s string) (string, error) {
	r, err := Parse(s)
	if err != nil {
		return "", err
	}
	if r.Tag != "" || r.Digest != "" {
		return "", fmt.Errorf("%w %q: a repository takes no tag or digest", ErrInvalid, s)
	}
	return r.Name, nil
}

// JoinRegistry joins a Helm-style registry and repository pair
// ("ghcr.io", "acme/web") into one repository name.
func JoinRegistry(registry, repository string) string {
	registry = strings.TrimSuffix(registry, "/")
	if registry == "" {
		return repository
	}
	return registry + "/" + repository
}

// String formats r with the repository as written.
func (r Ref) String() string {
	var b strings.Builder
	b.WriteString(r.Written)
	if r.Tag != "" {
		b.WriteString(":")
		b.WriteString(r.Tag)
	}
	if r.Digest != "" {
		b.WriteString("@")
		b.WriteString(r.Digest)
	}
	return b.String()
}

// Version is the short human form of what r points at: its tag, its tag and
// a shortened digest, or the shortened digest alone.
func (r Ref) Version() string {
	d := r.Digest
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		d = d[:i+13]
	}
	switch {
	case r.Tag != "" && d != "":
		return r.Tag + "@" + d
	case r.Tag != "":
		return r.Tag
	case d != "":
		return "@" + d
	default:
		return "(untagged)"
	}
}

// Pinned reports whether r names a version: a tag, a digest or both.
func (r Ref) Pinned() bool { return r.Tag != "" || r.Digest != "" }

// Retarget returns r's tag and digest applied to the repository as written
// in other, so an edit keeps the file's spelling of the repository.
func (r Ref) Retarget(other Ref) Ref {
	return Ref{Name: other.Name, Written: other.Written, Tag: r.Tag, Digest: r.Digest}
}
