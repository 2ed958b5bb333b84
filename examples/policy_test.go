package examples

import (
	"os"
	"testing"

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
}
