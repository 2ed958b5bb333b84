package command

import (
	"context"
	"errors"
	"fmt"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/promotion"
)

// PolicyReader reads a file on a repository's default branch.
type PolicyReader interface {
	// DefaultFile reads path on the default branch and returns the
	// branch's name when the answer tells it ("" otherwise)
	// (GET /repos/{o}/{r}/contents/{path}).
	DefaultFile(ctx context.Context, repo, path string) ([]byte, string, error)
}

// LoadPolicy is the one policy loader every command uses: it reads file
// ("" for .baton.yaml) from the config repository's default branch — the
// rules are the config repository owners', never a pull request's — and
// returns the default branch's name when GitHub's answer names it. With no
// .baton.yaml the seed layout's default policy applies; a policy-file
// that names a missing file, and an invalid policy, are
// *promotion.ConfigError (exit 3); an invalid policy's error comes with the
// branch name, so that the caller can point at the file.
func LoadPolicy(ctx context.Context, gh PolicyReader, repo, file string) (*policy.Policy, string, error) {
	if file == "" {
		file = policy.FileName
	}
	data, branch, err := gh.DefaultFile(ctx, repo, file)
	if errors.Is(err, githost.ErrNotFound) {
		if file != policy.FileName {
			return nil, "", &promotion.ConfigError{Err: fmt.Errorf("policy file %s does not exist on %s's default branch", file, repo)}
		}
		return policy.Default(), "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read the policy: %w", err)
	}
	p, err := policy.Parse(file, data)
	if err != nil {
		return nil, branch, &promotion.ConfigError{Err: err}
	}
	return p, branch, nil
}

// PolicyLoader binds LoadPolicy to a repository and file for the
// config-repository steps, which read the policy only once they act on an
// event.
func PolicyLoader(gh PolicyReader, repo, file string) promotion.PolicyFunc {
	return func(ctx context.Context) (*policy.Policy, error) {
		p, _, err := LoadPolicy(ctx, gh, repo, file)
		return p, err
	}
}
