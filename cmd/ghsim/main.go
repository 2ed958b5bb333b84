// Command ghsim serves Baton's GitHub simulator on loopback, for scripts and
// manual testing: it prints its base URL on the first line and serves until
// interrupted. --fault-rate, --fault-seed and --latency make it a flaky
// GitHub, reproducibly; --rate-limit sets the primary rate limit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/baton-dev/baton/internal/ghsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // -h asked for the usage, which the flag set printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ghsim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ghsim", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback `address` to listen on")
	seed := fs.String("seed", "", "YAML `file` with users, teams, apps and repositories")
	data := fs.String("data", "", "keep bare repositories in this `directory` (readable with git --git-dir)")
	faultRate := fs.Float64("fault-rate", 0, "share of requests (0 to 1) that fail at random: 5xx, secondary rate limits, resets, lost answers")
	faultSeed := fs.Uint64("fault-seed", 1, "`seed` of the random faults, to replay a run")
	latency := fs.Duration("latency", 0, "delay added to every request")
	rateLimit := fs.Int("rate-limit", 0, "primary rate limit per identity and hour; 0 is GitHub's 5000, -1 turns it off")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *faultRate < 0 || *faultRate > 1 {
		return fmt.Errorf("--fault-rate %v: want a share from 0 to 1 (0.1 fails one request in ten)", *faultRate)
	}
	if *latency < 0 {
		return fmt.Errorf("--latency %v: want a duration of 0 or more", *latency)
	}
	if *rateLimit < ghsim.NoRateLimit {
		return fmt.Errorf("--rate-limit %d: want a number of requests, 0 for GitHub's 5000, or -1 for none", *rateLimit)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--listen %q: the simulator listens on loopback only (127.0.0.1, ::1 or localhost)", *listen)
	}
	sim := ghsim.New(ghsim.Options{DataDir: *data, RateLimit: *rateLimit})
	sim.InjectRandom(ghsim.RandomFaults{Seed: *faultSeed, Rate: *faultRate, Latency: *latency})
	var notes []string
	if *seed != "" {
		b, err := os.ReadFile(*seed)
		if err != nil {
			return err
		}
		if notes, err = sim.LoadSeed(b, filepath.Dir(*seed)); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	sim.SetBaseURL(url)
	fmt.Fprintln(stdout, url)
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
