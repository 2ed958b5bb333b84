package policy

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxPolicySize bounds a policy file; real ones are a few kilobytes.
const maxPolicySize = 1 << 20

// topKeys are the keys of the policy's top level.
var topKeys = []string{"apps", "environments", "release", "merge-method"}

// Parse reads and validates a policy file. Every problem is reported as an
// *Error with the file, line and key and what is accepted, all joined into
// one error (errors.Join) sorted by line. Unknown keys, duplicate keys and
// keys this version does not enforce (after:, soak:, …) are errors.
func Parse(file string, data []byte) (*Policy, error) {
	if err := checkText(file, data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Line: yamlLine(err), Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	v := &validator{file: file}
	if len(doc.Content) == 0 {
		v.errs = append(v.errs, &Error{File: file, Line: 1, Msg: "the file is empty; declare at least one environment under environments:"})
		return nil, v.err()
	}
	p := newPolicy(file)
	root := doc.Content[0]
	v.mapping(root, "", "", topKeys, func(key string, k, val *yaml.Node) {
		switch key {
		case "apps":
			v.mapping(val, "apps", "", nil, func(name string, k, an *yaml.Node) {
				if app := v.app(name, k, an); app != nil {
					p.Apps[name] = app
				}
			})
		case "environments":
			v.mapping(val, "environments", "", nil, func(name string, k, en *yaml.Node) {
				if env := v.env(name, k, en); env != nil {
					p.Envs = append(p.Envs, env)
				}
			})
		case "release":
			v.mapping(val, "release", "release", []string{"tag"}, func(key string, _, tv *yaml.Node) {
				p.ReleaseTag = v.str(tv, "release.tag")
			})
		case "merge-method":
			p.MergeMethod = v.enum(val, "merge-method", "merge", "squash", "rebase")
		}
	})
	if root.Kind == yaml.MappingNode && mapGet(root, "environments") == nil {
		v.errf(root, "environments", "missing; declare at least one environment, such as environments: {staging: {branches: [develop]}}")
	}
	v.crossCheck(p, root)
	v.releaseTag(p, root)
	if err := v.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// checkText refuses what is not a text file before YAML sees it: too
// large, not UTF-8, or holding a NUL byte.
func checkText(file string, data []byte) error {
	if len(data) > maxPolicySize {
		return &Error{File: file, Msg: fmt.Sprintf("%d bytes; a policy file is at most %d bytes", len(data), maxPolicySize)}
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return &Error{File: file, Line: 1 + bytes.Count(data[:i], []byte("\n")),
				Msg: fmt.Sprintf("not UTF-8 text (byte 0x%02x at offset %d); save the file as UTF-8", data[i], i)}
		}
		if r == 0 {
			return &Error{File: file, Line: 1 + bytes.Count(data[:i], []byte("\n")),
				Msg: fmt.Sprintf("a NUL byte at offset %d; a policy file is UTF-8 text", i)}
		}
		i += size
	}
	return nil
}

// releaseTag validates release.tag: it parses, and renders a valid Git tag
// name from sample data.
func (v *validator) releaseTag(p *Policy, root *yaml.Node) {
	at := keyNode(mapGet(root, "release"), "tag")
	if at == nil {
		at = root
	}
	tmpl, err := parseReleaseTag(p.ReleaseTag)
	if err != nil {
		v.errf(at, "release.tag", "not a valid Go template: %v (fields: %s)", trimTemplateErr(err), releaseFields)
		return
	}
	p.releaseTmpl = tmpl
	sample := ReleaseData{Merged: time.Unix(0, 0).UTC(), Env: "staging", App: "web", Tag: "1.0.0", PR: 1}
	if _, err := p.RenderReleaseTag(sample); err != nil {
		v.errf(at, "release.tag", "%v (fields: %s)", trimTemplateErr(err), releaseFields)
	}
}

// trimTemplateErr drops text/template's "template: name:" prefix, which
// repeats the key.
func trimTemplateErr(err error) string {
	return strings.TrimPrefix(err.Error(), "template: ")
}

// validator collects errors while walking the policy's YAML tree.
type validator struct {
	file string
	errs []error
}

// errf records an error at n's line (none when n is nil).
func (v *validator) errf(n *yaml.Node, key, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// err joins the errors recorded, by line.
func (v *validator) err() error {
	sort.SliceStable(v.errs, func(i, j int) bool {
		var a, b *Error
		errors.As(v.errs[i], &a)
		errors.As(v.errs[j], &b)
		return a.Line < b.Line
	})
	return errors.Join(v.errs...)
}

// mapping walks a mapping, refusing duplicate keys, keys this version
// does not enforce (unsupported[kind]), and keys not in allowed (when
// allowed is not nil).
func (v *validator) mapping(n *yaml.Node, where, kind string, allowed []string, fn func(key string, k, val *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		v.errf(n, where, "want a mapping (key: value lines), got %s", describe(n))
		return
	}
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		full := joinKey(where, key)
		if line, dup := first[key]; dup {
			v.errf(k, full, "duplicate key (first at line %d); each key appears once in a mapping", line)
			continue
		}
		first[key] = k.Line
		if why, no := unsupported[kind][key]; no {
			v.errf(k, full, "not supported yet: %s", why)
			continue
		}
		if allowed != nil && !slices.Contains(allowed, key) {
			v.errf(k, full, "unknown key (allowed here: %s)", strings.Join(allowed, ", "))
			continue
		}
		fn(key, k, val)
	}
}

func joinKey(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// describe names a node's kind or value for "got …" in messages.
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "an empty value"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias (*name); write the value out"
	}
	return "something else"
}

func (v *validator) str(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		v.errf(n, key, "want a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

func (v *validator) strList(n *yaml.Node, key string) []string {
	if n.Kind != yaml.SequenceNode {
		v.errf(n, key, "want a list of strings such as [a, b], got %s", describe(n))
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.ShortTag() == "!!null" || e.Value == "" {
			v.errf(e, key, "want a non-empty string, got %s", describe(e))
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

func (v *validator) enum(n *yaml.Node, key string, allowed ...string) string {
	s := v.str(n, key)
	if s != "" && !slices.Contains(allowed, s) {
		v.errf(n, key, "%q is not allowed (one of: %s)", s, strings.Join(allowed, ", "))
		return ""
	}
	return s
}

// mapGet returns the value of key in mapping m, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// keyNode returns the key node of key in mapping m (for its line), m
// itself when the key is absent.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return m
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// yamlLine finds the line in a yaml.v3 error message, 0 when none.
func yamlLine(err error) int {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1]) // digits, matched above
	return n
}
