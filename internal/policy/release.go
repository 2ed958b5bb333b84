package policy

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// releaseFields lists what the release tag template sees, for messages.
const releaseFields = ".Merged, .Env, .App, .Tag, .PR"

// parseReleaseTag parses a release tag template; a field that does not
// exist fails when the template runs.
func parseReleaseTag(tmpl string) (*template.Template, error) {
	return template.New("release.tag").Option("missingkey=error").Parse(tmpl)
}

// RenderReleaseTag renders the release tag name from the policy's
// release.tag template, with Merged in UTC. It fails when the template
// fails or renders something Git refuses as a tag name.
func (p *Policy) RenderReleaseTag(d ReleaseData) (string, error) {
	d.Merged = d.Merged.UTC()
	var b bytes.Buffer
	if err := p.releaseTmpl.Execute(&b, d); err != nil {
		return "", err
	}
	tag := b.String()
	if err := checkTagName(tag); err != nil {
		return "", err
	}
	return tag, nil
}

// checkTagName applies the rules of git check-ref-format that a rendered
// tag can break.
func checkTagName(tag string) error {
	bad := tag == "" || strings.ContainsAny(tag, " ~^:?*[\\\t\n\x7f") || strings.Contains(tag, "..") ||
		strings.Contains(tag, "@{") || strings.HasPrefix(tag, "-") || strings.HasPrefix(tag, "/") ||
		strings.HasSuffix(tag, "/") || strings.HasSuffix(tag, ".") || strings.HasSuffix(tag, ".lock") ||
		strings.Contains(tag, "//") || tag == "@"
	for _, r := range tag {
		if r < 0x20 {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("release tag %q is not a valid Git tag name (no spaces, ~ ^ : ? * [ \\, \"..\" or \"@{\"; not empty, not starting with - or /)", tag)
	}
	return nil
}
