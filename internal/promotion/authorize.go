package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
)

// authorizeGitHub is what authorization reads: collaborator roles and team
// membership, never a comment's author_association.
type authorizeGitHub interface {
	// Permission is the user's role_name on repo
	// (GET /repos/{o}/{r}/collaborators/{user}/permission).
	Permission(ctx context.Context, repo, user string) (string, error)
	// TeamMember reports an active membership
	// (GET /orgs/{org}/teams/{team}/memberships/{user}).
	TeamMember(ctx context.Context, org, team, user string) (bool, error)
}

// authorizeApprover checks a user against the environment's approvers
// (logins and @org/team with an active membership) or, with none listed,
// against write access. It returns why not when the user is not one.
func authorizeApprover(ctx context.Context, gh authorizeGitHub, p *Promotion, user string) (bool, string, error) {
	if len(p.Env.Approvers) == 0 {
		return authorizeWriter(ctx, gh, p, user)
	}
	for _, a := range p.Env.Approvers {
		if !strings.HasPrefix(a, "@") && strings.EqualFold(a, user) {
			return true, "", nil
		}
	}
	for _, a := range p.Env.Approvers {
		org, team, ok := strings.Cut(strings.TrimPrefix(a, "@"), "/")
		if !strings.HasPrefix(a, "@") || !ok {
			continue
		}
		member, err := gh.TeamMember(ctx, org, team, user)
		// TODO(forge kinds): branch on a githost "forbidden" kind once forge
		// offers it; today only the status tells a missing permission apart.
		var he *githost.Error
		if errors.As(err, &he) && (he.Status == 403 || he.Status == 401) {
			return false, fmt.Sprintf("Baton cannot read the membership of %s (%s): give its GitHub App the Members (read) organization permission", a, he.Message), nil
		}
		if err != nil {
			return false, "", err
		}
		if member {
			return true, "", nil
		}
	}
	return false, fmt.Sprintf("environment %s takes approvals from %s only", p.Env.Name, strings.Join(p.Env.Approvers, ", ")), nil
}

// authorizeWriter checks a user has write access or above (role_name).
func authorizeWriter(ctx context.Context, gh authorizeGitHub, p *Promotion, user string) (bool, string, error) {
	role, err := gh.Permission(ctx, p.Repo, user)
	if errors.Is(err, githost.ErrNotFound) {
		return false, "not a collaborator of " + p.Repo, nil
	}
	if err != nil {
		return false, "", err
	}
	switch role {
	case "admin", "maintain", "write":
		return true, "", nil
	}
	return false, fmt.Sprintf("it needs write access to %s, and @%s has %s", p.Repo, user, role), nil
}
