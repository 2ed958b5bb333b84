package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/baton-dev/baton/internal/promotion"
)

// TestConcurrentRunsKeepTheHighest (issue 11): six `baton run` processes
// bump one app and environment at once with 1.4.0 … 1.9.0 in a random
// order, as racing pipelines do. One pull request remains, holding 1.9.0,
// and its title, body and branch agree.
func TestConcurrentRunsKeepTheHighest(t *testing.T) {
	t.Parallel()
	w := newWorld(t, nil)
	versions := []int{4, 5, 6, 7, 8, 9}
	rand.Shuffle(len(versions), func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })
	var wg sync.WaitGroup
	runs := make([]run, len(versions))
	for i, v := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sha := strings.Repeat(fmt.Sprint(v), 40)
			runs[i] = w.action(t, "push", pushPayload(t, "refs/heads/develop", sha),
				map[string]string{"github-token": w.token, "config-repo": "acme/config", "image": "ghcr.io/acme/web", "tag": fmt.Sprintf("1.%d.0", v)}, nil)
		}()
	}
	wg.Wait()
	for i, r := range runs {
		if r.Code != 0 {
			t.Errorf("1.%d.0: exit %d\n%s", versions[i], r.Code, r.Stdout)
		}
	}
	prs := w.sim.PullRequests("acme/config")
	if len(prs) != 1 {
		t.Fatalf("%d pull requests", len(prs))
	}
	got, err := w.sim.FileAt("acme/config", "baton/staging/web", "environments/staging/web-deployment.yaml")
	if err != nil || !strings.Contains(got, "ghcr.io/acme/web:1.9.0 ") {
		t.Errorf("the branch holds\n%s", got)
	}
	meta, err := promotion.ParseMeta(prs[0].Body)
	if !strings.HasSuffix(prs[0].Title, " to 1.9.0") || err != nil || meta.Image != "ghcr.io/acme/web:1.9.0" || meta.Commit != prs[0].PR.HeadSHA {
		t.Errorf("title %q, record %+v (%v), head %s", prs[0].Title, meta, err, prs[0].PR.HeadSHA)
	}
}
