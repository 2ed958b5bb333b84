package promotion_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/promotion"
)

// TestDowngradeGuardsRefuseWhenTheyCannotRead: tags that name no order
// leave the ancestry of the source commits as the only guard against a
// downgrade. When the reads it needs fail for good (a 500 on every try,
// after forge's retries), the bump is refused with an error naming what it
// could not read, and nothing is written.
func TestDowngradeGuardsRefuseWhenTheyCannotRead(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		route string // the route that fails
		prod  bool   // race an open production pull request instead
		want  string
	}{
		{name: "the running version's record", route: "/repos/{owner}/{repo}/commits", want: "reading the last commit to environments/staging/web-deployment.yaml in acme/config failed"},
		{name: "the changelog's comparison", route: "/repos/{owner}/{repo}/compare/{basehead...}", want: "reading the history of acme/web ("},
		{name: "the open pull request's source", route: "/repos/{owner}/{repo}/compare/{basehead...}", prod: true, want: "reading the history of acme/web ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			ctx := context.Background()
			older, newer := e.twoSources(t)
			ref := "refs/heads/develop"
			if tc.prod {
				ref = "refs/heads/main"
			}
			r, res := e.bumpNewer(t, newer, ref, !tc.prod)
			refs := strings.Join(e.sim.Refs("acme/config", "refs/heads/"), " ")
			branch := res.Branch
			head := e.sim.Ref("acme/config", "refs/heads/"+branch)

			var gh promotion.BumpGitHub = e.gh
			if tc.prod {
				// The config repository's comparison (Baton's record of the
				// pull request's head) shares the route: only the app
				// repository's history fails, as forge reports it after
				// its retries.
				gh = appHistoryFails{e.gh, e.sim}
			} else {
				e.sim.Inject(ghsim.Fault{Method: "GET", Route: tc.route, Kind: ghsim.FaultStatus, Status: 500})
			}
			e.sim.ResetLog()
			r.Image, _ = image.Parse("ghcr.io/acme/web:main-alpha")
			r.SourceSHA = older
			res, err := bumpWith(ctx, e.gh, gh, r)
			var ue *promotion.UndecidedError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "allow-downgrade") {
				t.Fatalf("want a refusal naming %q, got %+v, %v", tc.want, res, err)
			}
			if !tc.prod && e.sim.FaultHits() == 0 {
				t.Error("the fault was never reached")
			}
			if got := strings.Join(e.sim.Refs("acme/config", "refs/heads/"), " "); got != refs {
				t.Errorf("branches changed: %s, want %s", got, refs)
			}
			if got := e.sim.Ref("acme/config", "refs/heads/"+branch); got != head {
				t.Errorf("the promotion branch moved to %s", got)
			}
			if prs := e.sim.PullRequests("acme/config"); len(prs) != 1 {
				t.Errorf("%d pull requests, want 1", len(prs))
			}
			if !tc.prod {
				if _, mutating := requests(e.sim); mutating != 0 {
					t.Errorf("%d writes, want none", mutating)
				}
			}
		})
	}
}

// appHistoryFails is the forge client with the app repository's compare
// failing for good: the answer forge gives after its retries of a 500.
type appHistoryFails struct {
	*forge.Client
	sim *ghsim.Sim
}

func (a appHistoryFails) Compare(ctx context.Context, repo, base, head string, max int) (*githost.Comparison, error) {
	return nil, &githost.Error{Op: "compare in " + repo, Status: 500, Message: "Internal Server Error (failed after 6 attempts over 9s)", Kind: githost.ErrRetryable}
}
