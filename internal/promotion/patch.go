package promotion

import (
	"regexp"
	"strconv"
	"strings"
)

var hunkRe = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// applyPatch applies the hunks GitHub shows for a file (its "patch"
// field) to the base content. It is strict: any context or removed line
// that does not match makes it fail, and the caller reads the file
// instead. A patch lets Baton verify a pull request without reading the
// head's copy of every file.
func applyPatch(base, patch string) (string, bool) {
	if patch == "" {
		return "", false
	}
	lines := strings.SplitAfter(base, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out strings.Builder
	pos := 0
	pl := strings.Split(patch, "\n")
	for i := 0; i < len(pl); {
		m := hunkRe.FindStringSubmatch(pl[i])
		if m == nil {
			return "", false
		}
		start, _ := strconv.Atoi(m[1])
		count := 1
		if m[2] != "" {
			count, _ = strconv.Atoi(m[2])
		}
		target := start - 1
		if count == 0 {
			target = start
		}
		if target < pos || target > len(lines) {
			return "", false
		}
		for ; pos < target; pos++ {
			out.WriteString(lines[pos])
		}
		i++
		lastAdded := false
		for ; i < len(pl) && !strings.HasPrefix(pl[i], "@@"); i++ {
			l := pl[i]
			if l == "" {
				if i == len(pl)-1 {
					break
				}
				return "", false
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(lines) || strings.TrimSuffix(lines[pos], "\n") != l[1:] {
					return "", false
				}
				if l[0] == ' ' {
					out.WriteString(lines[pos])
				}
				pos++
				lastAdded = false
			case '+':
				out.WriteString(l[1:] + "\n")
				lastAdded = true
			case '\\':
				if lastAdded {
					s := strings.TrimSuffix(out.String(), "\n")
					out.Reset()
					out.WriteString(s)
				}
			default:
				return "", false
			}
		}
	}
	for ; pos < len(lines); pos++ {
		out.WriteString(lines[pos])
	}
	return out.String(), true
}
