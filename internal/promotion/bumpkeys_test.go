package promotion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/promotion"
)

// TestBumpHonoursKeysAndTagPattern: the policy's per-environment key
// paths and tag pattern reach the edit engine, so that one variant of an
// image changes and the other stays (issue 10, "explicit keys restrict").
func TestBumpHonoursKeysAndTagPattern(t *testing.T) {
	t.Parallel()
	const values = `worker:
  image:
    repository: ghcr.io/acme/worker
    tag: 1.4.0-bookworm
sidecar: ghcr.io/acme/worker:1.4.0-bookworm
cron:
  image: ghcr.io/acme/worker:1.4.0-alpine
`
	const pol = `apps:
  worker:
    image: ghcr.io/acme/worker
    files: ["apps/worker/{{ .Env }}/values.yaml"]
    tag-pattern: "-bookworm$"
    environments:
      production:
        keys: ["worker.image.tag"]
environments:
  staging:
    branches: [develop]
  production:
    branches: [main]
`
	e := newEnvWith(t, ghsimtest.WorldOptions{StagingManifest: stagingYAML, Policy: pol,
		ConfigFiles: map[string]string{"apps/worker/staging/values.yaml": values, "apps/worker/production/values.yaml": values}})
	ctx := context.Background()
	for _, tc := range []struct {
		name, ref, image, want string
	}{
		{"staging: the tag pattern picks the bookworm places", "refs/heads/develop", "ghcr.io/acme/worker:1.5.0-bookworm",
			strings.ReplaceAll(values, "1.4.0-bookworm", "1.5.0-bookworm")},
		{"production: the key restricts the edit to one place", "refs/heads/main", "ghcr.io/acme/worker:1.5.0-bookworm",
			strings.Replace(values, "tag: 1.4.0-bookworm", "tag: 1.5.0-bookworm", 1)},
	} {
		r := req(t, tc.image)
		r.App, r.Ref, r.SourceRepo, r.SourceSHA = "worker", tc.ref, "", ""
		res, err := bump(ctx, e.gh, r)
		if err != nil || res.Outcome != promotion.Created {
			t.Fatalf("%s: %+v, %v", tc.name, res, err)
		}
		env := strings.TrimPrefix(res.Branch, "baton/")
		env, _, _ = strings.Cut(env, "/")
		got, err := e.sim.FileAt("acme/config", res.Branch, "apps/worker/"+env+"/values.yaml")
		if err != nil || got != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
