package forge

import (
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

// TestSameRepoHead pins which list entries OpenPRsForHead keeps: GitHub
// answers head.repo null for a pull request whose fork was deleted, and
// that head is not in this repository.
func TestSameRepoHead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pr   githost.PR
		want bool
	}{
		{"same repository", githost.PR{Head: "baton/staging/web", HeadRepo: "acme/config", BaseRepo: "acme/config"}, true},
		{"case differs", githost.PR{Head: "baton/staging/web", HeadRepo: "Acme/Config", BaseRepo: "acme/config"}, true},
		{"fork", githost.PR{Head: "baton/staging/web", HeadRepo: "mallory/config", BaseRepo: "acme/config"}, false},
		{"deleted fork (head.repo null)", githost.PR{Head: "baton/staging/web", BaseRepo: "acme/config"}, false},
		{"other branch", githost.PR{Head: "baton/prod/web", HeadRepo: "acme/config", BaseRepo: "acme/config"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sameRepoHead(&tc.pr, "baton/staging/web"); got != tc.want {
				t.Errorf("sameRepoHead(%+v) = %v, want %v", tc.pr, got, tc.want)
			}
		})
	}
}
