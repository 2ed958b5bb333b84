// Command baton is a GitOps promotion bot for GitHub: it bumps image
// references in a config repository through pull requests, approves and
// merges them by comment, and tags every deployment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/baton-dev/baton/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], cli.Env{
		Getenv: os.Getenv,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	stop()
	if err != nil && !cli.Reported(err) {
		fmt.Fprintln(os.Stderr, "baton:", err)
	}
	os.Exit(cli.ExitCode(err))
}
