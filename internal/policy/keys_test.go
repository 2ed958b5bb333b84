package policy

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const variants = `apps:
  myimage:
    image: registry.example.com/acme/myimage
    keys: [images.variant1.tag, "images.variant1.image:name"]
    tag-pattern: "-bookworm$"
    environments:
      production:
        keys: [prod.images.variant1.tag]
      staging:
        tag-pattern: "^latest-bookworm$"
environments:
  staging: {branches: [develop]}
  production: {branches: [main]}
  qa: {branches: ["qa/*"]}
`

func TestKeysAndTagPatternPerAppAndEnvironment(t *testing.T) {
	t.Parallel()
	p, err := Parse(".baton.yaml", []byte(variants))
	if err != nil {
		t.Fatal(err)
	}
	app, err := p.App("", "registry.example.com/acme/myimage")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env         string
		keys        []string
		pattern     string
		match, skip string
	}{
		{"qa", []string{"images.variant1.tag", "images.variant1.image:name"}, "-bookworm$", "latest-bookworm", "latest-buster"},
		{"production", []string{"prod.images.variant1.tag"}, "-bookworm$", "1.2-bookworm", "1.2-bookworm-slim"},
		{"staging", []string{"images.variant1.tag", "images.variant1.image:name"}, "^latest-bookworm$", "latest-bookworm", "1.2-bookworm"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.keys, app.KeysFor(tt.env)); diff != "" {
			t.Errorf("KeysFor(%s) (-want +got):\n%s", tt.env, diff)
		}
		if got := app.TagPatternFor(tt.env); got != tt.pattern {
			t.Errorf("TagPatternFor(%s) = %q, want %q", tt.env, got, tt.pattern)
		}
		re := app.TagRegexpFor(tt.env)
		if re == nil || re.String() != tt.pattern || !re.MatchString(tt.match) || re.MatchString(tt.skip) {
			t.Errorf("TagRegexpFor(%s) = %v: want %q to match %q and not %q", tt.env, re, tt.pattern, tt.match, tt.skip)
		}
	}
	// An app built outside Parse (no apps declared) has no keys or pattern.
	plain, err := Default().App("web", "ghcr.io/acme/web")
	if err != nil {
		t.Fatal(err)
	}
	if plain.KeysFor("staging") != nil || plain.TagPatternFor("staging") != "" || plain.TagRegexpFor("staging") != nil {
		t.Errorf("undeclared app = %+v", plain)
	}
	built := &App{Name: "x", TagPattern: "-alpine$"}
	if re := built.TagRegexpFor("staging"); re == nil || !re.MatchString("1.0-alpine") {
		t.Errorf("TagRegexpFor on an App literal = %v", re)
	}
}

func TestCheckKeyPath(t *testing.T) {
	t.Parallel()
	for spec, ok := range map[string]bool{
		"image":                                 true,
		"spec.template.spec.containers.0.image": true,
		"images.variant1.tag":                   true,
		"global.images.foo_bar-1:name":          true,
		"api.image:digest":                      true,
		"a.b:tag":                               true,
		"":                                      false,
		"..":                                    false,
		"../x":                                  false,
		"a/../b":                                false,
		"a..b":                                  false,
		".a":                                    false,
		"a.":                                    false,
		"a.b:":                                  false,
		"a.b:Tag":                               false,
		"a b":                                   false,
		"a.b\x00":                               false,
		"a\\b":                                  false,
		"$imagepolicy":                          false,
	} {
		if err := CheckKeyPath(spec); (err == nil) != ok {
			t.Errorf("CheckKeyPath(%q) = %v, want ok %v", spec, err, ok)
		}
	}
}

// TestErrorsAreTyped lets callers (the Action's ::error annotations) read
// the file and line of each problem.
func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	_, err := Parse(".baton.yaml", []byte("environments:\n  production:\n    after: staging\n    approvals: -2\n"))
	var got []Error
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *Error
		if !errors.As(e, &pe) {
			t.Fatalf("%v is not a *policy.Error", e)
		}
		got = append(got, Error{File: pe.File, Line: pe.Line, Key: pe.Key})
	}
	want := []Error{
		{File: ".baton.yaml", Line: 3, Key: "environments.production.after"},
		{File: ".baton.yaml", Line: 4, Key: "environments.production.approvals"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestIsLastIsTheLastEnvironmentDeclared(t *testing.T) {
	t.Parallel()
	p, err := Parse("p.yaml", []byte("environments:\n  dev: {}\n  staging: {}\n  production: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]bool{"dev": false, "staging": false, "production": true, "nope": false} {
		if got := p.IsLast(env); got != want {
			t.Errorf("IsLast(%s) = %v, want %v", env, got, want)
		}
	}
}
