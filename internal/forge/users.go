package forge

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Self returns who the client acts as, with numeric ids: for a GitHub App,
// the App's id and slug (known since New) and its bot user
// "<slug>[bot]"; for a user token, the token's user. The answer is cached.
//
// Routes: GET /users/{slug}[bot] for an App, GET /user for a token. An
// installation token passed as a plain token (GITHUB_TOKEN, or an App
// token minted elsewhere) cannot read GET /user: that is
// githost.ErrForbidden, and the caller cannot learn its own id this way.
func (c *Client) Self(ctx context.Context) (githost.Identity, error) {
	c.selfMu.Lock()
	defer c.selfMu.Unlock()
	if c.self != nil {
		return *c.self, nil
	}
	var id githost.Identity
	if c.appID != 0 {
		login := c.appSlug + "[bot]"
		u, err := do(ctx, c, "read the App's bot user "+login, false, func(ctx context.Context) (*github.User, *github.Response, error) {
			return c.gh.Users.Get(ctx, login)
		})
		if err != nil {
			return githost.Identity{}, err
		}
		id = githost.Identity{User: user(u), AppID: c.appID, AppSlug: c.appSlug}
	} else {
		u, err := do(ctx, c, "read the token's user", false, func(ctx context.Context) (*github.User, *github.Response, error) {
			return c.gh.Users.Get(ctx, "")
		})
		if errors.Is(err, githost.ErrForbidden) {
			return githost.Identity{}, fmt.Errorf("the token is an installation token (GITHUB_TOKEN or an App's), which cannot name its own user; give app-id and private-key instead: %w", err)
		}
		if err != nil {
			return githost.Identity{}, err
		}
		id = githost.Identity{User: user(u)}
	}
	c.self = &id
	return id, nil
}
