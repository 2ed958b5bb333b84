package promotion_test

import (
	"testing"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/promotion"
)

// ranIn records a push-triggered workflow run of acme/web at its main
// head, caused by actor (re-run by triggering, when not ""), and points r
// at it as the bump in that run's job would: the build's repository,
// commit and run id.
func ranIn(tb testing.TB, sim *ghsim.Sim, r promotion.BumpRequest, actor, triggering string) promotion.BumpRequest {
	tb.Helper()
	sha := sim.Ref("acme/web", "refs/heads/main")
	id, err := sim.AddWorkflowRun("acme/web", ghsim.RunOptions{HeadSHA: sha, HeadBranch: "main", Actor: actor, TriggeringActor: triggering})
	if err != nil {
		tb.Fatal(err)
	}
	r.SourceRepo, r.SourceSHA, r.RunID = "acme/web", sha, id
	return r
}
