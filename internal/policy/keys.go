package policy

import (
	"fmt"
	"regexp"
	"strings"
)

// keySegmentRe is one key of a key path: a mapping key of letters,
// digits, '_' and '-', or a list index. Dots separate keys, so "." and
// ".." cannot be keys, and '/' or '\' never reach a path.
var keySegmentRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// maxKeyPath bounds a key path's length in bytes.
const maxKeyPath = 256

// KeyPathSyntax says what CheckKeyPath accepts, for messages.
const KeyPathSyntax = "keys of letters, digits, '_' and '-' (or list indexes) joined by '.', optionally ending in :tag, :digest or :name, such as images.web.tag or spec.containers.0.image"

// CheckKeyPath checks an explicit key path, "a.b.c[:tag|:digest|:name]":
// keys joined by '.', each of letters, digits, '_' and '-' or a list
// index, and an optional part. It refuses empty keys ("a..b"), paths such
// as "../x" or "a/b", and unknown parts.
func CheckKeyPath(spec string) error {
	if spec == "" {
		return fmt.Errorf("empty key path; want %s", KeyPathSyntax)
	}
	if len(spec) > maxKeyPath {
		return fmt.Errorf("key path of %d bytes; at most %d", len(spec), maxKeyPath)
	}
	p := spec
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		part := spec[i+1:]
		switch part {
		case "tag", "digest", "name":
		default:
			return fmt.Errorf("key path %q: unknown part %q (accepted: tag, digest, name)", spec, part)
		}
		p = spec[:i]
	}
	for _, k := range strings.Split(p, ".") {
		if !keySegmentRe.MatchString(k) {
			return fmt.Errorf("key path %q: key %q is not allowed; want %s", spec, k, KeyPathSyntax)
		}
	}
	return nil
}

// compileTagPattern compiles a tag-pattern: value.
func compileTagPattern(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, fmt.Errorf("empty pattern; remove tag-pattern: to match every tag")
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a Go regular expression (%w); for example \"-bookworm$\"", s, err)
	}
	return re, nil
}

// KeysFor returns the explicit key paths for the app in an environment:
// the environment's override (apps.<app>.environments.<env>.keys) when it
// has one, else the app's keys:. Nil means Baton finds the places itself.
func (a *App) KeysFor(env string) []string {
	if o := a.Envs[env]; o != nil && len(o.Keys) > 0 {
		return o.Keys
	}
	return a.Keys
}

// TagPatternFor returns the tag pattern for the app in an environment:
// the environment's override when it has one, else the app's
// tag-pattern:, "" for none.
func (a *App) TagPatternFor(env string) string {
	if o := a.Envs[env]; o != nil && o.TagPattern != "" {
		return o.TagPattern
	}
	return a.TagPattern
}

// TagRegexpFor is TagPatternFor compiled: nil when there is no pattern.
// Patterns are validated when the policy is parsed.
func (a *App) TagRegexpFor(env string) *regexp.Regexp {
	pattern := a.TagPatternFor(env)
	if o := a.Envs[env]; o != nil && o.tagRe != nil && o.TagPattern == pattern {
		return o.tagRe
	}
	if a.tagRe != nil && a.TagPattern == pattern {
		return a.tagRe
	}
	if pattern == "" {
		return nil
	}
	re, _ := compileTagPattern(pattern) // an App built outside Parse: invalid means none
	return re
}
