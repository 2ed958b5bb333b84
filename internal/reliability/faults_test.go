package reliability

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// cycles is how many bump → approve → merge → release cycles run under
// faults.
const cycles = 50

// rerun runs a step as a pipeline would: when it fails, the step's job is
// re-run (at most twice more), and every failure is reported, since each
// is a run a user had to repeat.
func rerun[T any](t *testing.T, what string, step func() (T, error)) (T, bool) {
	t.Helper()
	var zero T
	for attempt := 1; attempt <= 3; attempt++ {
		v, err := step()
		if err == nil {
			return v, true
		}
		t.Errorf("%s (run %d of 3) failed under faults: %v", what, attempt, err)
	}
	return zero, false
}

// TestFiftyCyclesUnderFaults: with 10% of all requests failing (500, 502,
// 503, secondary rate limits with Retry-After, connection resets, answers
// lost after the change was applied) and 50 ms of latency on each, 50
// bump → approve → merge → release cycles of web in staging end with every
// change on main, one pull request at a time, no orphan baton/* branch,
// every tag and release made once, and no request repeated after a 4xx
// that could not succeed. Latency and retries run on the simulator's
// clock only.
//
// It runs twice: with the policy written out in .baton.yaml, and with no
// policy file (the seed layout's defaults, the README's first example),
// whose requests differ (the default branch is read from the branch).
func TestFiftyCyclesUnderFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, policy string }{
		{"policy file", ghsimtest.WebPolicy},
		{"no policy file", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fiftyCycles(t, tc.policy)
		})
	}
}

func fiftyCycles(t *testing.T, policy string) {
	t.Logf("seed %d (replay: go test ./internal/reliability -run TestFiftyCyclesUnderFaults -reliability.seed=%d)", *seed, *seed)
	r := newRig(t, ghsimtest.WorldOptions{Policy: policy})
	sim := r.w.Sim
	sim.InjectRandom(ghsim.RandomFaults{Seed: *seed, Rate: 0.10, RetryAfter: 2, Latency: 50 * time.Millisecond})
	ctx := context.Background()
	start, wall := r.w.Clock.Now(), time.Now()
	for i := range cycles {
		version := fmt.Sprintf("2.0.%d", i)
		img := "ghcr.io/acme/web:" + version
		out, ok := rerun(t, fmt.Sprintf("cycle %d: bump to %s", i, version), func() (int, error) {
			o, err := r.bump(ctx, "web", img, "refs/heads/develop")
			if err != nil {
				return 0, err
			}
			if o.PR == nil {
				return 0, fmt.Errorf("no pull request: outcome %s (%s)", o.Outcome, o.Notice)
			}
			return o.PR.Number, nil
		})
		if !ok {
			t.Fatalf("cycle %d: the bump never succeeded; stopping (seed %d)", i, *seed)
		}
		checkOnePR(t, r, i)
		// An approval counts only after the head it saw: GitHub's
		// timestamps have one-second precision.
		r.w.Clock.Advance(2 * time.Second)
		ev := r.comment(out, ghsimtest.Approver, "/approve")
		res, ok := rerun(t, fmt.Sprintf("cycle %d: /approve on #%d", i, out), func() (bool, error) {
			res, err := r.approve(ctx, ev)
			if err != nil {
				return false, err
			}
			return res.Merged && res.Release != nil, nil
		})
		if !ok || !res {
			t.Errorf("cycle %d: #%d not merged and released (seed %d)", i, out, *seed)
		}
		checkOnePR(t, r, i)
		got, err := sim.FileAt(r.w.Config, "main", "environments/staging/web-deployment.yaml")
		if err != nil || !strings.Contains(got, "image: "+img+"   # bumped by Baton\n") {
			t.Errorf("cycle %d: main's staging manifest does not hold %s: %v\n%s", i, img, err, got)
		}
		r.w.Clock.Advance(time.Second) // one release tag per second of merged_at
	}
	t.Logf("%d cycles: %d requests, %d failed by injected faults, %s of simulated time, %s of wall time",
		cycles, len(sim.Requests()), sim.RandomFaultHits(), r.w.Clock.Now().Sub(start).Round(time.Second), time.Since(wall).Round(time.Millisecond))
	// Retries and latency run on the simulator's clock: the wall clock
	// sees a small part of the simulated time (minutes of Retry-After and
	// backoff).
	if simulated := r.w.Clock.Now().Sub(start); time.Since(wall) > simulated/4 {
		t.Errorf("%s of wall time for %s of simulated time: something waited on the wall clock", time.Since(wall), simulated)
	}
	if sim.RandomFaultHits() == 0 {
		t.Fatal("no fault was injected: the test proved nothing")
	}

	checkNoOrphans(t, r)
	// Every tag and every release once: one per merged pull request.
	rels := sim.Releases(r.w.Config)
	var tags []string
	for _, rel := range rels {
		tags = append(tags, rel.TagName)
	}
	if dup := duplicates(tags); len(dup) > 0 || len(rels) != cycles {
		t.Errorf("%d releases for %d merges; released twice: %v", len(rels), cycles, dup)
	}
	merged := 0
	for _, is := range sim.PullRequests(r.w.Config) {
		if is.PR.Merged {
			merged++
		}
	}
	if merged != cycles {
		t.Errorf("%d pull requests merged, want %d", merged, cycles)
	}
	if n := len(sim.Refs(r.w.Config, "refs/tags/")); n != cycles {
		t.Errorf("%d tags for %d merges", n, cycles)
	}
	if rep := hopeless(sim.RepeatedAfter4xx()); len(rep) > 0 {
		t.Errorf("%d requests repeated after a 4xx that could not succeed (seed %d):%s", len(rep), *seed, repeated(rep))
	}
}

// checkNoOrphans fails when a baton/* branch is carried by no pull
// request: neither the head of an open one nor, at the same commit, of a
// merged one (GitHub keeps a merged head branch unless the repository
// deletes head branches).
func checkNoOrphans(t *testing.T, r *rig) {
	t.Helper()
	carried := map[string]bool{}
	for _, is := range r.w.Sim.PullRequests(r.w.Config) {
		if is.State == "open" || is.PR.Merged {
			carried["refs/heads/"+is.PR.Head+"@"+is.PR.HeadSHA] = true
		}
	}
	for _, ref := range r.w.Sim.Refs(r.w.Config, "refs/heads/baton/") {
		if !carried[ref+"@"+r.w.Sim.Ref(r.w.Config, ref)] {
			t.Errorf("orphan branch %s at %.7s: no open or merged pull request carries it", ref, r.w.Sim.Ref(r.w.Config, ref))
		}
	}
}

// hopeless drops from RepeatedAfter4xx's findings the policy reads a
// re-run job makes: "no .baton.yaml" (404) is an answer each run needs,
// not a retry of what cannot succeed.
func hopeless(reqs []ghsim.Request) []ghsim.Request {
	var out []ghsim.Request
	for _, q := range reqs {
		if q.Method == "GET" && q.Status == 404 && strings.HasSuffix(q.Path, "/contents/.baton.yaml") {
			continue
		}
		out = append(out, q)
	}
	return out
}

// checkOnePR fails when a (app, env) has more than one open pull request.
func checkOnePR(t *testing.T, r *rig, cycle int) {
	t.Helper()
	for head, prs := range r.openPRs() {
		if len(prs) > 1 {
			var nums []int
			for _, p := range prs {
				nums = append(nums, p.Number)
			}
			t.Errorf("cycle %d: %d open pull requests for %s: %v", cycle, len(prs), head, nums)
		}
	}
}

// duplicates returns the values that occur more than once.
func duplicates(vs []string) []string {
	seen := map[string]int{}
	var out []string
	for _, v := range vs {
		seen[v]++
		if seen[v] == 2 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
