package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/ghsim"
	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// The benchmarks below measure Baton against the simulator and print rows
// of make bench's table ("| section | what | Baton | reference | command |").
// None depends on the machine's speed to pass: the primary rate limit is
// off (ghsim.NoRateLimit) and each figure is one measured run
// (-benchtime 1x), not as many runs as fit in a second.

// row prints one line of make bench's table.
func row(section, what, baton, reference, bench string) {
	fmt.Printf("| %s | %s | %s | %s | `go test ./internal/reliability -run '^$' -bench '^%s$' -benchtime 1x` |\n", section, what, baton, reference, bench)
}

// operation is one of the operations whose cost is measured.
type operation struct {
	name string
	// min is the fewest REST requests the operation can take, and why.
	min string
	run func(tb testing.TB, r *rig)
}

// operations runs in order in one world: a new bump, its re-run, a newer
// bump, a no-op, then approve → merge → release.
func operations() []operation {
	bump := func(img, ref string, want func(outcome string) bool) func(testing.TB, *rig) {
		return func(tb testing.TB, r *rig) {
			o, err := r.bump(context.Background(), "web", img, ref)
			if err != nil || !want(string(o.Outcome)) {
				tb.Fatalf("bump %s: %+v, %v", img, o, err)
			}
		}
	}
	is := func(s string) func(string) bool { return func(o string) bool { return o == s } }
	return []operation{
		{"new bump", "8 (+1 compare on the app repo for the changelog): read policy, read base tip, read file, create tree, create commit, create ref, create PR, add labels",
			bump("ghcr.io/acme/web:1.5.0", "refs/heads/develop", is("created"))},
		{"re-run (PR already at the image)", "3, 0 writes: read policy, read the file on the PR's branch, find its open PR",
			bump("ghcr.io/acme/web:1.5.0", "refs/heads/develop", func(o string) bool { return o == "unchanged" || o == "no-op" })},
		{"update (newer image)", "9: read policy, read base tip, read file, create tree, create commit, find PR, force-update ref, edit PR, superseded comment",
			bump("ghcr.io/acme/web:1.6.0", "refs/heads/develop", is("updated"))},
		{"no-op (default branch at the image)", "2, 0 writes: read policy, read the file on the default branch",
			bump("ghcr.io/acme/web:1.3.0", "refs/heads/main", is("no-op"))},
		{"approve → merge → release", "11: 👀 reaction, read PR, commenter's permission, read policy, base and head file (verify), merge at sha, tag object, tag ref, release, reply",
			func(tb testing.TB, r *rig) {
				r.w.Clock.Advance(2 * time.Second)
				res, err := r.approve(context.Background(), r.comment(1, ghsimtest.Approver, "/approve"))
				if err != nil || !res.Merged || res.Release == nil {
					tb.Fatalf("approve: %+v, %v", res, err)
				}
			}},
	}
}

// BenchmarkRequests counts the REST requests of each operation, beside
// the fewest the GitHub API allows.
func BenchmarkRequests(b *testing.B) {
	for b.Loop() {
		r := newRig(b, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, Sim: ghsim.Options{RateLimit: ghsim.NoRateLimit}})
		for _, op := range operations() {
			r.w.Sim.ResetLog()
			op.run(b, r)
			all, cfg, w := 0, 0, 0
			for _, q := range r.w.Sim.Requests() {
				all++
				if strings.HasPrefix(q.Path, "/repos/"+r.w.Config+"/") || q.Path == "/repos/"+r.w.Config {
					cfg++
				}
				if q.Mutating() {
					w++
				}
			}
			row("API requests", op.name, fmt.Sprintf("%d to the config repo (%d in all), %d writes", cfg, all, w), "min "+op.min, "BenchmarkRequests")
		}
	}
}

// BenchmarkLatency times each operation with 50 ms of real latency on
// every request, as a far-away GitHub would add.
func BenchmarkLatency(b *testing.B) {
	const latency = 50 * time.Millisecond
	for b.Loop() {
		r := newRig(b, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, Sim: ghsim.Options{RateLimit: ghsim.NoRateLimit, Sleep: time.Sleep}})
		r.w.Sim.InjectRandom(ghsim.RandomFaults{Latency: latency})
		for _, op := range operations() {
			r.w.Sim.ResetLog()
			start := time.Now()
			op.run(b, r)
			took := time.Since(start)
			n := len(r.w.Sim.Requests())
			row("Wall time, 50 ms latency per request", op.name, took.Round(time.Millisecond).String(),
				fmt.Sprintf("%d requests × 50 ms = %s if made one after another", n, (time.Duration(n)*latency).String()), "BenchmarkLatency")
		}
	}
}

// BenchmarkRepoSize bumps web in config repositories of 10, 10,000 and
// 100,000 files, with Baton (REST, no clone) and with the clone-based
// approach (git clone --depth 1, edit, commit, push) on the same
// repository as the simulator keeps it on disk.
func BenchmarkRepoSize(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Fatalf("git is needed for the clone-based comparison: %v", err)
	}
	for b.Loop() {
		for _, n := range []int{10, 10_000, 100_000} {
			files := ghsimtest.SeedLayout()
			for i := len(files); i < n; i++ {
				files[fmt.Sprintf("apps/app%03d/config-%05d.yaml", i%500, i)] = fmt.Sprintf("name: app-%d\nreplicas: %d\n", i, i%5+1)
			}
			dir := b.TempDir()
			r := newRig(b, ghsimtest.WorldOptions{Policy: ghsimtest.WebPolicy, ConfigFiles: files, Sim: ghsim.Options{RateLimit: ghsim.NoRateLimit, DataDir: dir}})
			r.w.Sim.ResetLog()
			start := time.Now()
			if o, err := r.bump(context.Background(), "web", "ghcr.io/acme/web:1.5.0", "refs/heads/develop"); err != nil || o.PR == nil {
				b.Fatalf("bump in a repo of %d files: %+v, %v", n, o, err)
			}
			baton := time.Since(start)
			reqs := len(r.w.Sim.Requests())
			clone, size, err := cloneBump(b, r.w.Sim.GitDir(r.w.Config))
			ref := "failed: " + fmt.Sprint(err)
			if err == nil {
				ref = fmt.Sprintf("clone-based: %s (git clone --depth 1, %s, edit, commit, push)", clone.Round(time.Millisecond), size)
			}
			// Baton's time includes the simulator's own work (go-git
			// rewriting the tree on disk), which GitHub does on its side.
			row("Config-repo size", fmt.Sprintf("bump in a repo of %d files", n),
				fmt.Sprintf("%s, %d requests (time includes the simulator's tree writes)", baton.Round(time.Millisecond), reqs), ref, "BenchmarkRepoSize")
		}
	}
}

// cloneBump does what a clone-based tool does: shallow clone, edit the
// staging file, commit, push a branch. It returns the time and the size
// of the clone's .git directory.
func cloneBump(b *testing.B, gitDir string) (time.Duration, string, error) {
	work := filepath.Join(b.TempDir(), "clone")
	start := time.Now()
	run := func(dir string, args ...string) error {
		// No background gc in either repository while the test cleans up.
		cmd := exec.Command("git", append([]string{"-c", "gc.auto=0", "-c", "receive.autogc=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.com",
			"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+b.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("", "clone", "--quiet", "--depth", "1", "file://"+gitDir, work); err != nil {
		return 0, "", err
	}
	path := filepath.Join(work, stagingFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, "", err
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "web:1.4.0", "web:1.5.0", 1)), 0o644); err != nil {
		return 0, "", err
	}
	for _, args := range [][]string{
		{"commit", "--quiet", "-am", "chore(staging): bump web to 1.5.0"},
		{"push", "--quiet", "origin", "HEAD:refs/heads/clone/staging/web"},
	} {
		if err := run(work, args...); err != nil {
			return 0, "", err
		}
	}
	took := time.Since(start)
	var size int64
	_ = filepath.Walk(filepath.Join(work, ".git"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	return took, fmt.Sprintf("%d kB in .git", size/1000), nil
}
