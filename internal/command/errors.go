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
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ie):
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
