package forge

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// TeamMember reports whether user is an active member of org/team (a
// pending invitation is not).
//
// Route: GET /orgs/{org}/teams/{team_slug}/memberships/{username}. Not a
// member (404) is false, nil; a token that may not read the organization's
// members is githost.ErrForbidden (or ErrUnauthorized).
func (c *Client) TeamMember(ctx context.Context, org, team, user string) (bool, error) {
	m, err := do(ctx, c, fmt.Sprintf("read %s's membership of @%s/%s", user, org, team), false, func(ctx context.Context) (*github.Membership, *github.Response, error) {
		return c.gh.Teams.GetTeamMembershipBySlug(ctx, org, team, user)
	})
	if errors.Is(err, githost.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.GetState() == "active", nil
}
