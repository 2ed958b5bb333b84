// Package promotion holds Baton's use cases, split by step: bump an image
// into an environment through a pull request (bump.go; the files' edit in
// bumpfiles.go; Baton's record of its branch in held.go; the write against
// racing runs in supersede.go; downgrade.go, body.go), parse comment commands (comment.go), authorize their authors
// (authorize.go), verify the pull request's head is exactly Baton's edit
// (verify.go), count approvals (approvals.go), merge once checks pass
// (merge.go), release the merge (release.go), finish what a failed run
// left — a merge without its release — from any later run
// (reconcile.go), and keep the audit record in commit and tag trailers
// (record.go).
//
// Each step states what it needs from the hosting service as a small
// interface beside it; the use cases never import a GitHub client. The
// policy comes from the caller (internal/command holds the one loader),
// so every path reads the same file.
package promotion

import (
	"context"

	"github.com/baton-dev/baton/internal/policy"
)

// ConfigError is a problem in the config repository (policy or files)
// that a person must fix; nothing was written.
type ConfigError struct{ Err error }

// Error implements error.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// PolicyFunc reads the config repository's policy. The config-repository
// steps call it only once they act on an event, so events they ignore cost
// no request; internal/command binds it to the policy-file option.
type PolicyFunc func(ctx context.Context) (*policy.Policy, error)
