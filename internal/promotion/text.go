package promotion

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// short is the 7-character form of a commit id.
func short(sha string) string {
	if len(sha) >= 7 {
		return sha[:7]
	}
	return sha
}

// code puts untrusted text in a markdown code span, where markdown and
// @mentions do not render. Backticks are dropped so the span cannot be
// closed early, line breaks and control characters become spaces so it
// cannot end a table row or paragraph, and invisible format characters
// (zero-width spaces, bidirectional overrides) are dropped so what shows
// is what the text is.
func code(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '`' || unicode.Is(unicode.Cf, r):
			return -1
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s)
	if s = strings.TrimSpace(s); s == "" {
		s = " "
	}
	return "`" + s + "`"
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
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

// cell keeps a value inside one markdown table cell.
func cell(s string) string { return strings.ReplaceAll(oneLine(s), "|", "\\|") }

// login is a GitHub login as it may appear in Baton's text: GitHub
// allows letters, digits and hyphens (and "[bot]" for Apps), so anything
// else is not a login and is shown in a code span.
func login(s string) (string, bool) {
	name := strings.TrimSuffix(s, "[bot]")
	if name == "" || len(name) > 39 {
		return s, false
	}
	for _, r := range name {
		if r != '-' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return s, false
		}
	}
	return s, true
}

// mentions renders logins as @mentions (a release credits the people
// who approved and merged); anything that is not a valid login goes
// into a code span.
func mentions(users []string) string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if l, ok := login(u); ok {
			out = append(out, "@"+l)
		} else {
			out = append(out, code(u))
		}
	}
	return strings.Join(out, ", ")
}

// user renders a login in a reply: a code span, so it neither renders
// markdown nor mentions anyone (Baton answers on the thread the person
// follows already).
func user(s string) string { return code("@" + s) }

// quiet puts every @mention outside a code span (a user or an @org/team,
// as the other steps' texts name them) into one, so that no reply of
// Baton's notifies anyone: the people it answers follow the thread.
func quiet(s string) string {
	var b strings.Builder
	inCode := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '`' {
			inCode = !inCode
		}
		if c != '@' || inCode || i > 0 && isLoginByte(s[i-1]) {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(s) && (isLoginByte(s[j]) || s[j] == '/' && j+1 < len(s) && isLoginByte(s[j+1])) {
			j++
		}
		if strings.HasPrefix(s[j:], "[bot]") {
			j += len("[bot]")
		}
		if j == i+1 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("`" + s[i:j] + "`")
		i = j - 1
	}
	return b.String()
}

func isLoginByte(c byte) bool {
	return c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// truncate shortens s to at most n runes, marking the cut with "...".
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// maxLinkLen bounds a link Baton writes from someone else's URL: a run
// URL is short, and a long one would only push the body past GitHub's
// limit.
const maxLinkLen = 500

// linkable reports whether a URL someone else gave (a build's run URL)
// may be a markdown link target: https, a host, at most maxLinkLen bytes,
// and none of the characters that end a link or start markup (blanks,
// brackets, parentheses, angle brackets, quotes, backslashes, control and
// format characters).
func linkable(s string) bool {
	if len(s) > maxLinkLen {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune(" ()[]<>\"'`\\", r) || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
