package yamledit

import (
	"go.yaml.in/yaml/v3"
)

// errDuplicate refuses a mapping with a repeated key. YAML requires unique
// keys; parsers disagree on which one wins, so Baton cannot know which
// value a deployment reads.
func (f *file) errDuplicate(first, second *yaml.Node) error {
	return f.errAt(second, "duplicate key %q (lines %d and %d); YAML keys must be unique, so which value is read depends on the tool — remove one",
		second.Value, first.Line, second.Line)
}

// checkDuplicates refuses the planned edits when a mapping on the path
// from a document's root to an edited node repeats a key.
func (f *file) checkDuplicates(docs []*yaml.Node) error {
	targets := make(map[*yaml.Node]bool, len(f.edits))
	for _, e := range f.edits {
		if e.node != nil {
			targets[e.node] = true
		}
		if e.mapping != nil {
			targets[e.mapping] = true
		}
	}
	checked := map[*yaml.Node]bool{}
	var path []*yaml.Node
	var visit func(n *yaml.Node) error
	visit = func(n *yaml.Node) error {
		if n.Kind == yaml.MappingNode {
			path = append(path, n)
			defer func() { path = path[:len(path)-1] }()
		}
		if targets[n] {
			for _, m := range path {
				if checked[m] {
					continue
				}
				checked[m] = true
				if first, second := duplicateKey(m); second != nil {
					return f.errDuplicate(first, second)
				}
			}
		}
		for _, c := range n.Content {
			if err := visit(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range docs {
		if err := visit(d); err != nil {
			return err
		}
	}
	return nil
}
