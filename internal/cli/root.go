// Package cli wires Baton's commands: it parses flags into one options
// struct per command and runs the command against the outside world it is
// given, so that every command can be tested without a process.
package cli

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/baton-dev/baton/internal/command"
)

// Env is the outside world a command may use. Nothing in Baton reads the
// process environment or standard streams except through it.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// UsageError is a mistake in the command line. It is command.InputError,
// the one "your input is wrong" error of every front end (exit status 2).
type UsageError = command.InputError

// ExitCode maps an error from Run to a process exit status
// (command.ExitCode): 0 for success, 2 for usage and input errors, 3 for
// problems in the config repository's policy or files, and 1 for
// everything else (GitHub, the network).
func ExitCode(err error) int { return command.ExitCode(err) }

// Reported reports whether err was already printed (as an Actions
// annotation), so main prints nothing more.
func Reported(err error) bool {
	var r *reported
	return errors.As(err, &r)
}

// Run runs the baton command line args (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	root := newRootCmd(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		return &UsageError{Err: err}
	}
	return err
}

func newRootCmd(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "baton",
		Short: "GitOps promotion bot for GitHub",
		Long: "Baton bumps image references in a config repository through pull requests,\n" +
			"merges them once approved by comment, and tags every deployment.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       Version(),
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	root.AddCommand(
		newEditCmd(env, nil),
		newBumpCmd(env, nil),
		newTagCmd(env),
		newRunCmd(env),
		newVersionCmd(env),
	)
	return root
}

// flagNames names an input as the command line spells it, for errors:
// its flag, and the variable it falls back to.
func flagNames(input string) string {
	switch input {
	case "github-token":
		return "--github-token or GITHUB_TOKEN"
	case "api-url":
		return "--api-url or GITHUB_API_URL"
	case "ref":
		return "--ref or GITHUB_REF"
	case "sha":
		return "--sha or GITHUB_SHA"
	}
	return "--" + input
}

// usageArgs wraps a positional-argument validator so that its errors are
// usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}
