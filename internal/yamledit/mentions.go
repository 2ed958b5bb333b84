package yamledit

import (
	"strings"

	"github.com/baton-dev/baton/internal/image"
)

// Mentions reports whether src holds a word that is a reference to want's
// repository in any spelling ("nginx:1.25" for docker.io/library/nginx):
// with a tag or digest, or with a path ("acme/web"), so that a bare word
// that merely equals the repository's last path element (a container or
// config name) does not count. A caller walking a directory uses it to
// tell a file that merely has no target (passed over) from one whose
// refusal concerns the image (reported), where searching for the
// normalised path would miss short Docker Hub names.
func Mentions(src []byte, want image.Ref) bool {
	return mentionsRef(string(src), want, want.Name[strings.LastIndexByte(want.Name, '/')+1:])
}

func mentionsRef(text string, want image.Ref, base string) bool {
	if !strings.Contains(text, base) {
		return false
	}
	words := strings.FieldsFunc(text, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', '"', '\'', ',', '[', ']', '{', '}', '(', ')', '=', '|', '>':
			return true
		}
		return false
	})
	for _, w := range words {
		if !strings.Contains(w, base) {
			continue
		}
		r, err := image.Parse(strings.TrimSuffix(w, ":"))
		if err == nil && r.Name == want.Name && (r.Pinned() || strings.Contains(w, "/")) {
			return true
		}
	}
	return false
}
