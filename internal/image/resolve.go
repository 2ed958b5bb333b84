package image

import (
	"fmt"
	"strings"
)

// ConflictError reports an image flag whose tag or digest differs from the
// one given on its own (--image app:1.5.0 --tag 1.6.0). It is an input
// error: Baton cannot know which one the user meant.
type ConflictError struct {
	// Part is "tag" or "digest".
	Part string
	// InImage is the value the image reference holds; Given the separate one.
	InImage, Given string
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("the image names %s %q but the %s given is %q; give it once, or give the same value",
		e.Part, e.InImage, e.Part, e.Given)
}

// Resolve combines an image reference with a separately given tag and
// digest (either may be ""), as the --image, --tag and --digest flags and
// the Action's image, tag and digest inputs give them. A tag or digest in
// both places must be the same, or Resolve returns a *ConflictError. The
// image's own parse errors wrap ErrInvalid. The result need not be pinned;
// callers that need a version check Ref.Pinned.
func Resolve(imageFlag, tag, digest string) (Ref, error) {
	r, err := Parse(imageFlag)
	if err != nil {
		return Ref{}, err
	}
	if tag != "" {
		if err := ValidTag(tag); err != nil {
			return Ref{}, fmt.Errorf("%w: tag: %w", ErrInvalid, err)
		}
		if r.Tag != "" && r.Tag != tag {
			return Ref{}, &ConflictError{Part: "tag", InImage: r.Tag, Given: tag}
		}
		r.Tag = tag
	}
	if digest != "" {
		if !strings.Contains(digest, ":") {
			digest = "sha256:" + digest // a bare hex digest, as docker prints it
		}
		if r.Digest != "" && r.Digest != digest {
			return Ref{}, &ConflictError{Part: "digest", InImage: r.Digest, Given: digest}
		}
		r.Digest = digest
	}
	// Re-parse the whole reference so that a bad digest is caught here.
	if _, err := Parse(r.String()); err != nil {
		return Ref{}, err
	}
	return r, nil
}
