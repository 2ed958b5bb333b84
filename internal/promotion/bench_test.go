package promotion_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/promotion"
)

// BenchmarkBump measures a whole bump against the simulator on loopback:
// each iteration supersedes the open PR with a newer version, and the
// requests it made are reported as requests/op (mutating ones apart). The
// primary rate limit is off: a fast machine runs more iterations than
// GitHub's 5,000 requests an hour allow, and a benchmark must not depend
// on the machine's speed to pass.
func BenchmarkBump(b *testing.B) {
	e := newEnvWith(b, ghsimtest.WorldOptions{
		NoSeedLayout: true,
		ConfigFiles:  map[string]string{".baton.yaml": policyYAML, "environments/staging/web-deployment.yaml": stagingYAML},
		Sim:          ghsim.Options{RateLimit: ghsim.NoRateLimit},
	})
	bump := func(i int) {
		r, _ := image.Parse(fmt.Sprintf("ghcr.io/acme/web:2.0.%d", i))
		res, err := bump(context.Background(), e.gh, promotion.BumpRequest{ConfigRepo: "acme/config", App: "web", Image: r, Ref: "refs/heads/develop"})
		if err != nil || !res.Changed() {
			b.Fatalf("bump %d: %+v, %v", i, res, err)
		}
	}
	bump(0) // the PR exists; every iteration is an update
	e.sim.ResetLog()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		bump(i)
	}
	b.StopTimer()
	var all, writes int
	for _, q := range e.sim.Requests() {
		all++
		if q.Mutating() {
			writes++
		}
	}
	b.ReportMetric(float64(all)/float64(b.N), "requests/op")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
}
