package command

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/promotion"
)

// ConfigRepo is what every config-repository command (approve, merge,
// release) shares: the repository, the policy file and how to reach
// GitHub.
type ConfigRepo struct {
	Repo       string // owner/name of the config repository
	PolicyFile string // the policy's path on the default branch; "" for .baton.yaml
	Auth       Auth
	HTTPClient *http.Client
	// OnToken receives every token, to be masked.
	OnToken func(string)
	// Log receives progress; nil discards.
	Log io.Writer
}

// connect checks the repository and builds the client and the policy
// loader bound to the policy file.
func (c ConfigRepo) connect(ctx context.Context) (*forge.Client, promotion.PolicyFunc, error) {
	if owner, name, ok := strings.Cut(c.Repo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, nil, inputErr("config-repo %q is not owner/name (the repository that holds the policy and the environments)", c.Repo)
	}
	logf := func(format string, args ...any) {
		if c.Log != nil {
			fmt.Fprintf(c.Log, format+"\n", args...)
		}
	}
	gh, err := c.Auth.Client(ctx, c.Repo, c.HTTPClient, c.OnToken, logf)
	if err != nil {
		return nil, nil, err
	}
	return gh, PolicyLoader(gh, c.Repo, c.PolicyFile), nil
}
