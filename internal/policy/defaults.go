package policy

import "text/template"

// FileName is the policy file's name at the config repository's root.
const FileName = ".baton.yaml"

// DefaultFiles is the file template of the seed layout.
const DefaultFiles = "environments/{{ .Env }}/{{ .App }}-deployment.yaml"

// DefaultReleaseTag is the default release tag template: v + the UTC
// merge time as 20060102150405.
const DefaultReleaseTag = `v{{ .Merged.Format "20060102150405" }}`

// defaultMergeMethod is the merge method when merge-method: is omitted.
const defaultMergeMethod = "squash"

// Default returns the policy used when the config repository has no
// .baton.yaml: develop bumps staging, main bumps production, files in the
// seed layout, one approval from anyone with write access.
func Default() *Policy {
	staging, production := newEnv("staging", 0), newEnv("production", 0)
	staging.Branches = []string{"develop"}
	production.Branches = []string{"main"}
	p := newPolicy("the default policy (no " + FileName + ")")
	p.Envs = []*Env{staging, production}
	p.releaseTmpl = template.Must(parseReleaseTag(p.ReleaseTag))
	return p
}

// newPolicy is a policy with every default set and nothing declared.
func newPolicy(source string) *Policy {
	return &Policy{Source: source, Apps: map[string]*App{}, ReleaseTag: DefaultReleaseTag, MergeMethod: defaultMergeMethod}
}

// newEnv is an environment with the defaults a declaration starts from:
// the seed layout's files, merge on one approval from a writer.
func newEnv(name string, line int) *Env {
	return &Env{Name: name, Files: []string{DefaultFiles}, Merge: MergeApproval, Approvals: 1, Line: line}
}
