package examples

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/baton-dev/baton/internal/policy"
)

// TestExamplePolicyIsValid keeps the documented example policy in step
// with the schema.
func TestExamplePolicyIsValid(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("baton.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("baton.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Envs) != 2 || p.Apps["web"] == nil {
		t.Errorf("policy = %+v", p)
	}
	worker := p.Apps["worker"]
	if worker == nil {
		t.Fatal("no worker app")
	}
	if diff := cmp.Diff([]string{"worker.image.tag", "worker.image.digest:digest"}, worker.KeysFor("production")); diff != "" {
		t.Errorf("worker keys in production (-want +got):\n%s", diff)
	}
	if worker.KeysFor("staging") != nil {
		t.Errorf("worker keys in staging = %q, want none", worker.KeysFor("staging"))
	}
	if re := worker.TagRegexpFor("staging"); re == nil || !re.MatchString("1.4.0-bookworm") || re.MatchString("1.4.0-alpine") {
		t.Errorf("worker tag pattern = %v", re)
	}
}

// TestExampleWorkflowsUseTheAction keeps the example workflows valid YAML
// that use the Action with inputs it declares.
func TestExampleWorkflowsUseTheAction(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"workflows/app-repo.yml", "workflows/config-repo.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string            `yaml:"uses"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(b, &wf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		uses := 0
		for _, job := range wf.Jobs {
			for _, st := range job.Steps {
				if !strings.HasPrefix(st.Uses, "baton-dev/baton@") {
					continue
				}
				uses++
				for k := range st.With {
					if _, ok := action.Inputs[k]; !ok {
						t.Errorf("%s: input %q is not in action.yml", f, k)
					}
				}
			}
		}
		if uses == 0 {
			t.Errorf("%s does not use the Action", f)
		}
	}
}
