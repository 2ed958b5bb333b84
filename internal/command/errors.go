package command

import (
	"errors"
	"fmt"

	"github.com/baton-dev/baton/internal/promotion"
)

// InputError is a mistake in what a person gave Baton: a flag, an Action
// input, an environment variable or the command line itself. It is the one
// "your input is wrong" error of every front end; the process exits with
// ExitInput.
type InputError struct{ Err error }

// Error implements error.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// Names says how a front end calls an input, so that an error names what
// the person actually set: the Action by its input names (github-token),
// the CLI by its flags and variables (--github-token or GITHUB_TOKEN). A
// nil Names uses the Action's input names, as action.yml spells them.
type Names func(input string) string

// Of names an input.
func (n Names) Of(input string) string {
	if n == nil {
		return input
	}
	return n(input)
}

// ConfigFileError is a problem in a file of the config repository (the
// policy or an environment's file), with the repository and the ref it
// was read at, so that a front end can point at the file where it lives:
// an annotation when the workflow runs in that repository, its URL when
// not. It wraps a *promotion.ConfigError (exit status 3).
type ConfigFileError struct {
	Repo string // owner/name
	Ref  string // branch or commit the files were read at; "HEAD" when unknown
	Err  error
}

// Error implements error.
func (e *ConfigFileError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigFileError) Unwrap() error { return e.Err }

// Exit statuses of the baton process, for the CLI and the Action alike.
const (
	ExitOK     = 0 // done, or nothing to do (no-op, not for this ref, ignored event)
	ExitFailed = 1 // GitHub or the network failed; a retry of the job may pass
	ExitInput  = 2 // an input is wrong (*InputError): fix the command line or the workflow
	ExitConfig = 3 // the config repository's policy or files are wrong: fix them
)

// ExitCode maps an error of any command to the process exit status.
func ExitCode(err error) int {
	var ie *InputError
	var ue *promotion.UnknownEnvError
	var ae *promotion.AppError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ie), errors.As(err, &ue), errors.As(err, &ae):
		return ExitInput
	case IsConfigError(err):
		return ExitConfig
	default:
		return ExitFailed
	}
}

// IsConfigError reports whether err is a problem in the config repository
// (policy or files) rather than in GitHub or the inputs.
func IsConfigError(err error) bool {
	var ce *promotion.ConfigError
	return errors.As(err, &ce)
}
