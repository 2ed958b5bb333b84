package promotion

import (
	"sort"
	"strings"
)

// short is the 7-character form of a commit id.
func short(sha string) string {
	if len(sha) >= 7 {
		return sha[:7]
	}
	return sha
}

// code puts text in a markdown code span; backticks are dropped so the
// span cannot be closed early, and line breaks so it cannot end a table
// row or start a new block.
func code(s string) string { return "`" + strings.ReplaceAll(oneLine(s), "`", "") + "`" }

func dashIfEmpty(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// oneLine keeps untrusted text from starting new trailers or lines.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}
