package promotion

import (
	"strings"
	"testing"

	udiff "github.com/aymanbagabas/go-udiff"
)

func TestApplyPatch(t *testing.T) {
	t.Parallel()
	cases := []struct{ a, b string }{
		{"a\nb\nc\n", "a\nB\nc\n"},
		{"a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"},
		{"x\ny", "x\nY"},
		{"x\ny\n", "x\ny\nz\n"},
		{strings.Repeat("l\n", 50) + "img: 1\n" + strings.Repeat("m\n", 50), strings.Repeat("l\n", 50) + "img: 2\n" + strings.Repeat("m\n", 50)},
		{"one\n", "one"},
		{"a\nb\n", "b\n"},
	}
	for _, c := range cases {
		u := udiff.Unified("a", "b", c.a, c.b)
		hunks := strings.SplitN(u, "\n", 3)[2] // drop the --- and +++ lines, as GitHub does
		got, ok := applyPatch(c.a, strings.TrimSuffix(hunks, "\n"))
		if !ok || got != c.b {
			t.Errorf("apply %q to %q = %q, %v; want %q", hunks, c.a, got, ok, c.b)
		}
	}
	if _, ok := applyPatch("a\nb\n", "@@ -1,2 +1,2 @@\n a\n-x\n+y"); ok {
		t.Error("a mismatched removal applied")
	}
	if _, ok := applyPatch("a\n", ""); ok {
		t.Error("an empty patch applied")
	}
}
