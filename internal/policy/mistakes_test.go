package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPolicyWithEveryKindOfMistake documents what .baton.yaml refuses:
// one row per mistake, with the exact error a user sees. Every error
// names the file, the line, the key, and what would be accepted.
func TestPolicyWithEveryKindOfMistake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mistake string
		policy  string
		want    []string // one line per error, sorted by line
	}{
		{
			mistake: "an unknown key at the top",
			policy:  "environments: {s: {}}\nenvironmentz: {}\n",
			want:    []string{`p.yaml:2: environmentz: unknown key (allowed here: apps, environments, release, merge-method)`},
		},
		{
			mistake: "an unknown key in an environment",
			policy:  "environments:\n  staging:\n    branch: [develop]\n",
			want:    []string{`p.yaml:3: environments.staging.branch: unknown key (allowed here: branches, tags, files, merge, approvals, approvers, self-approval, versions, checks)`},
		},
		{
			mistake: "an unknown key in an app",
			policy:  "apps:\n  web:\n    image: ghcr.io/acme/web\n    tags: [v1]\nenvironments: {a: {}}\n",
			want:    []string{`p.yaml:4: apps.web.tags: unknown key (allowed here: image, repo, files, keys, tag-pattern, flux-policies, environments)`},
		},
		{
			mistake: "wrong types",
			policy:  "environments:\n  staging:\n    branches: develop\n    approvals: two\n    self-approval: yes\n    versions: [1]\n",
			want: []string{
				`p.yaml:3: environments.staging.branches: want a list of strings such as [a, b], got "develop"`,
				`p.yaml:4: environments.staging.approvals: want a whole number such as 1, got "two"`,
				`p.yaml:5: environments.staging.self-approval: want true or false, got "yes"`,
				`p.yaml:6: environments.staging.versions: want a string, got a list`,
			},
		},
		{
			mistake: "an environment that is not a mapping",
			policy:  "environments:\n  staging: develop\n",
			want:    []string{`p.yaml:2: environments.staging: want a mapping (key: value lines), got "develop"`},
		},
		{
			mistake: "a bad glob",
			policy:  "environments:\n  staging:\n    branches: [\"release/[\"]\n",
			want:    []string{`p.yaml:3: environments.staging.branches: "release/[" is not a valid glob (syntax error in pattern); use * ? and [a-z] as in path.Match`},
		},
		{
			mistake: "a bad semver constraint",
			policy:  "environments:\n  p:\n    versions: \">= one\"\n",
			want:    []string{`p.yaml:3: environments.p.versions: ">= one" is not a semver constraint such as ">= 1.0.0" or "^1.2" (improper constraint: ">= one")`},
		},
		{
			mistake: "unknown merge modes",
			policy:  "environments:\n  a:\n    merge: yolo\nmerge-method: fast\n",
			want: []string{
				`p.yaml:3: environments.a.merge: "yolo" is not allowed (one of: auto, approval)`,
				`p.yaml:4: merge-method: "fast" is not allowed (one of: merge, squash, rebase)`,
			},
		},
		{
			mistake: "negative and zero approvals",
			policy:  "environments:\n  a:\n    approvals: -1\n  b:\n    approvals: 0\n  c:\n    approvals: 21\n",
			want: []string{
				`p.yaml:3: environments.a.approvals: want a whole number from 1 to 20, got -1 (for no approvals, write merge: auto)`,
				`p.yaml:5: environments.b.approvals: want a whole number from 1 to 20, got 0 (for no approvals, write merge: auto)`,
				`p.yaml:7: environments.c.approvals: want a whole number from 1 to 20, got 21 (for no approvals, write merge: auto)`,
			},
		},
		{
			mistake: "approval settings that merge: auto ignores",
			policy:  "environments:\n  a:\n    merge: auto\n    approvals: 2\n    approvers: [alice]\n    self-approval: false\n",
			want: []string{
				`p.yaml:4: environments.a.approvals: has no effect with merge: auto (line 3), which merges once checks pass; remove it or write merge: approval`,
				`p.yaml:5: environments.a.approvers: has no effect with merge: auto (line 3), which merges once checks pass; remove it or write merge: approval`,
				`p.yaml:6: environments.a.self-approval: has no effect with merge: auto (line 3), which merges once checks pass; remove it or write merge: approval`,
			},
		},
		{
			mistake: "approvers that are neither a user nor @org/team",
			policy:  "environments:\n  a:\n    approvers:\n      - \"@acme\"\n      - bad user\n      - \"@acme/sre/x\"\n      - -alice\n",
			want: []string{
				`p.yaml:4: environments.a.approvers: "@acme" is neither a GitHub login (alice) nor a team (@acme/sre)`,
				`p.yaml:5: environments.a.approvers: "bad user" is neither a GitHub login (alice) nor a team (@acme/sre)`,
				`p.yaml:6: environments.a.approvers: "@acme/sre/x" is neither a GitHub login (alice) nor a team (@acme/sre)`,
				`p.yaml:7: environments.a.approvers: "-alice" is neither a GitHub login (alice) nor a team (@acme/sre)`,
			},
		},
		{
			mistake: "file templates escaping the repository",
			policy: "environments:\n  a:\n    files:\n      - \"../secrets/{{ .App }}.yaml\"\n      - /etc/passwd\n      - .git/config\n" +
				"      - \"{{ .Nope }}\"\n      - \"{{ .Env }}/../../x.yaml\"\n      - \"{{ printf `..` }}/x.yaml\"\n      - \"envs/*.yaml\"\n      - \"{{ .Env\"\n",
			want: []string{
				`p.yaml:4: environments.a.files: file path "../secrets/app.yaml" leaves the repository; paths stay inside the config repository`,
				`p.yaml:5: environments.a.files: file path "/etc/passwd" is absolute; paths are relative to the config repository's root`,
				`p.yaml:6: environments.a.files: file path ".git/config" points into .git`,
				`p.yaml:7: environments.a.files: file template "{{ .Nope }}": template: file:1:3: executing "file" at <.Nope>: map has no entry for key "Nope" (fields: .Env, .App)`,
				`p.yaml:8: environments.a.files: file path "a/../../x.yaml" leaves the repository; paths stay inside the config repository`,
				`p.yaml:9: environments.a.files: file path "../x.yaml" leaves the repository; paths stay inside the config repository`,
				`p.yaml:10: environments.a.files: file path "envs/*.yaml" has glob characters; list each file`,
				`p.yaml:11: environments.a.files: file template "{{ .Env": template: file:1: unclosed action`,
			},
		},
		{
			mistake: "a name that makes {{ .Env }} or {{ .App }} leave the repository",
			policy:  "apps:\n  ..:\n    image: ghcr.io/acme/web\n    files: [\"{{ .App }}/x.yaml\"]\nenvironments:\n  \"..\":\n    files: [\"{{ .Env }}/x.yaml\"]\n",
			want: []string{
				`p.yaml:2: apps."..": app names are lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit`,
				`p.yaml:4: apps."..".files: file path "../x.yaml" leaves the repository; paths stay inside the config repository`,
				`p.yaml:6: environments."..": environment names are lower-case letters, digits, '.', '_' and '-', starting and ending with a letter or digit`,
				`p.yaml:7: environments."..".files: file path "../x.yaml" leaves the repository; paths stay inside the config repository`,
			},
		},
		{
			mistake: "keys with traversal or an unknown part",
			policy: "apps:\n  web:\n    image: ghcr.io/acme/web\n    keys:\n      - ../../etc/passwd\n      - images..tag\n" +
				"      - images/web/tag\n      - images.web:version\n      - \"\"\n      - ~\nenvironments: {a: {}}\n",
			want: []string{
				`p.yaml:5: apps.web.keys: key path "../../etc/passwd": key "" is not allowed; want ` + KeyPathSyntax,
				`p.yaml:6: apps.web.keys: key path "images..tag": key "" is not allowed; want ` + KeyPathSyntax,
				`p.yaml:7: apps.web.keys: key path "images/web/tag": key "images/web/tag" is not allowed; want ` + KeyPathSyntax,
				`p.yaml:8: apps.web.keys: key path "images.web:version": unknown part "version" (accepted: tag, digest, name)`,
				`p.yaml:9: apps.web.keys: want a non-empty string, got ""`,
				`p.yaml:10: apps.web.keys: want a non-empty string, got an empty value`,
			},
		},
		{
			mistake: "a bad tag-pattern",
			policy:  "apps:\n  web:\n    image: ghcr.io/acme/web\n    tag-pattern: \"-(bookworm$\"\n    environments:\n      a:\n        tag-pattern: \"\"\nenvironments: {a: {}}\n",
			want: []string{
				`p.yaml:4: apps.web.tag-pattern: "-(bookworm$" is not a Go regular expression (error parsing regexp: missing closing ): ` + "`-(bookworm$`" + `); for example "-bookworm$"`,
				`p.yaml:7: apps.web.environments.a.tag-pattern: empty pattern; remove tag-pattern: to match every tag`,
			},
		},
		{
			mistake: "an app override for an environment that does not exist",
			policy:  "apps:\n  web:\n    image: ghcr.io/acme/web\n    environments:\n      prod:\n        keys: [image.tag]\nenvironments: {production: {}}\n",
			want:    []string{`p.yaml:5: apps.web.environments.prod: not an environment (declared: production)`},
		},
		{
			mistake: "duplicate keys",
			policy:  "environments:\n  a: {}\n  a:\n    merge: auto\n    merge: approval\n",
			want: []string{
				`p.yaml:3: environments.a: duplicate key (first at line 2); each key appears once in a mapping`,
			},
		},
		{
			mistake: "after: and soak:, which this version does not enforce",
			policy:  "environments:\n  staging: {}\n  production:\n    after: staging\n    soak: 1h\n",
			want: []string{
				`p.yaml:4: environments.production.after: not supported yet: Baton does not enforce promotion order in this version; remove it (each environment is bumped by its own branches: or tags:)`,
				`p.yaml:5: environments.production.soak: not supported yet: Baton does not enforce a soak time in this version; remove it`,
			},
		},
		{
			mistake: "other designed keys this version does not enforce",
			policy: "promotions: [{from: develop, to: main}]\nenvironments:\n  production:\n    healthy: [kustomization/flux-system]\n" +
				"    promote: auto\n    windows: [\"Mon-Thu 08:00-17:00 Europe/Berlin\"]\nrelease:\n  every-merge: true\n",
			want: []string{
				`p.yaml:1: promotions: not supported yet: Baton does not promote branches (from: → to: pull requests) in this version; remove it and declare environments:`,
				`p.yaml:4: environments.production.healthy: not supported yet: Baton does not check the source environment's health in this version; remove it (checks: lists the checks a promotion pull request must pass)`,
				`p.yaml:5: environments.production.promote: not supported yet: Baton does not open promotions by itself in this version; remove it`,
				`p.yaml:6: environments.production.windows: not supported yet: Baton does not enforce merge windows in this version; remove it (/hold pauses a merge)`,
				`p.yaml:8: release.every-merge: not supported yet: Baton tags only the merges of its own promotion pull requests in this version; remove it`,
			},
		},
		{
			mistake: "release tag templates that fail",
			policy:  "environments: {a: {}}\nrelease:\n  tag: \"{{ .When }}\"\n",
			want:    []string{`p.yaml:3: release.tag: release.tag:1:3: executing "release.tag" at <.When>: can't evaluate field When in type policy.ReleaseData (fields: .Merged, .Env, .App, .Tag, .PR)`},
		},
		{
			mistake: "a release tag template that does not parse",
			policy:  "environments: {a: {}}\nrelease:\n  tag: \"v{{ .Merged\"\n",
			want:    []string{`p.yaml:3: release.tag: not a valid Go template: release.tag:1: unclosed action (fields: .Merged, .Env, .App, .Tag, .PR)`},
		},
		{
			mistake: "a release tag that is not a Git tag name",
			policy:  "environments: {a: {}}\nrelease:\n  tag: \"deploy {{ .Env }}..{{ .App }}\"\n",
			want:    []string{`p.yaml:3: release.tag: release tag "deploy staging..web" is not a valid Git tag name (no spaces, ~ ^ : ? * [ \, ".." or "@{"; not empty, not starting with - or /) (fields: .Merged, .Env, .App, .Tag, .PR)`},
		},
		{
			mistake: "an app without an image, or with a tag",
			policy:  "apps:\n  web:\n    repo: acme/web\n  api:\n    image: ghcr.io/acme/api:1.0\n    repo: acme\nenvironments: {a: {}}\n",
			want: []string{
				`p.yaml:2: apps.web.image: missing; every app names its image repository, such as image: ghcr.io/acme/web`,
				`p.yaml:5: apps.api.image: invalid image reference "ghcr.io/acme/api:1.0": a repository takes no tag or digest (want a repository such as ghcr.io/acme/web, without tag)`,
				`p.yaml:6: apps.api.repo: "acme" is not owner/name, such as acme/web`,
			},
		},
		{
			mistake: "two apps with one image",
			policy:  "apps:\n  a:\n    image: nginx\n  b:\n    image: docker.io/library/nginx\nenvironments: {x: {}}\n",
			want:    []string{`p.yaml:5: apps.b.image: same image as app "a"; each app has its own image`},
		},
		{
			mistake: "a bad flux policy",
			policy:  "apps:\n  web:\n    image: ghcr.io/acme/web\n    flux-policies: [web]\nenvironments: {a: {}}\n",
			want:    []string{`p.yaml:4: apps.web.flux-policies: "web" is not namespace:name, such as flux-system:web`},
		},
		{
			mistake: "no environments",
			policy:  "apps: {}\n",
			want:    []string{`p.yaml:1: environments: missing; declare at least one environment, such as environments: {staging: {branches: [develop]}}`},
		},
		{
			mistake: "an empty file",
			policy:  "",
			want:    []string{`p.yaml:1: the file is empty; declare at least one environment under environments:`},
		},
		{
			mistake: "a file of comments only",
			policy:  "# apps:\n",
			want:    []string{`p.yaml:1: the file is empty; declare at least one environment under environments:`},
		},
		{
			mistake: "a list instead of a mapping",
			policy:  "- environments\n",
			want:    []string{`p.yaml:1: want a mapping (key: value lines), got a list`},
		},
		{
			mistake: "invalid YAML",
			policy:  "environments:\n  a: [\n",
			want:    []string{`p.yaml:2: not valid YAML: line 2: did not find expected node content`},
		},
		{
			mistake: "non-UTF-8 text",
			policy:  "environments:\n  caf\xe9: {}\n",
			want:    []string{`p.yaml:2: not UTF-8 text (byte 0xe9 at offset 19); save the file as UTF-8`},
		},
		{
			mistake: "a NUL byte",
			policy:  "environments:\n  a: {}\x00\n",
			want:    []string{`p.yaml:2: a NUL byte at offset 21; a policy file is UTF-8 text`},
		},
		{
			mistake: "an alias instead of a value",
			policy:  "environments:\n  a:\n    branches: &b [main]\n  b:\n    branches: *b\n",
			want:    []string{`p.yaml:5: environments.b.branches: want a list of strings such as [a, b], got an alias (*name); write the value out`},
		},
		{
			mistake: "a file too large to be a policy",
			policy:  "environments: {a: {}}\n#" + strings.Repeat("x", 1<<20) + "\n",
			want:    []string{`p.yaml: 1048600 bytes; a policy file is at most 1048576 bytes`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.mistake, func(t *testing.T) {
			t.Parallel()
			p, err := Parse("p.yaml", []byte(tt.policy))
			if err == nil {
				t.Fatalf("Parse accepted the policy: %+v", p)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
