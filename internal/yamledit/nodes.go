package yamledit

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// duplicateKey returns the first and second occurrence of a repeated
// scalar key, or nil.
func duplicateKey(m *yaml.Node) (first, second *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	seen := make(map[string]*yaml.Node, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if prev, ok := seen[k.Value]; ok {
			return prev, k
		}
		seen[k.Value] = k
	}
	return nil, nil
}

// mapGet returns the value of key in a mapping node, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapValue returns the value node of key node k.
func mapValue(m, k *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == k {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapKey returns the key node whose value is v.
func mapKey(m, v *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i+1] == v {
			return m.Content[i]
		}
	}
	return nil
}

func keyName(m, v *yaml.Node) string {
	if k := mapKey(m, v); k != nil {
		return fmt.Sprintf("%q", k.Value)
	}
	return "a key"
}

// lastScalarValue returns the value node, among keys, that stands last in
// the file (by line, then column, for a flow map on one line) and is a single-line scalar on its key's line: the pair a new
// key can be inserted after.
func lastScalarValue(m *yaml.Node, keys ...string) *yaml.Node {
	var best *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		ok := false
		for _, want := range keys {
			ok = ok || k.Value == want
		}
		if !ok || v.Kind != yaml.ScalarNode || v.Line != k.Line || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			continue
		}
		if best == nil || v.Line > best.Line || v.Line == best.Line && v.Column > best.Column {
			best = v
		}
	}
	return best
}

// deref returns the node an alias points at, or n itself.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}
