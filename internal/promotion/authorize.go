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
	key := strings.ToLower(user)
	if a, ok := p.approvers[key]; ok {
		return a.ok, a.why, nil
	}
	ok, why, err := authorizeApproverNow(ctx, gh, p, user)
	if err == nil {
		if p.approvers == nil {
			p.approvers = map[string]authAnswer{}
		}
		p.approvers[key] = authAnswer{ok, why}
	}
	return ok, why, err
}

// authorizeApproverNow asks GitHub; authorizeApprover caches it. Listed
// logins are compared with the login the API shows now for the account
// (the same as comparing ids of the listed login at decision time: a
// login names one account at a time).
func authorizeApproverNow(ctx context.Context, gh authorizeGitHub, p *Promotion, user string) (bool, string, error) {
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
		if errors.Is(err, githost.ErrForbidden) || errors.Is(err, githost.ErrUnauthorized) {
			var he *githost.Error
			msg := err.Error()
			if errors.As(err, &he) && he.Message != "" {
				msg = he.Message
			}
			return false, fmt.Sprintf("Baton cannot read the membership of %s (%s): give its GitHub App the Members (read) organization permission", a, msg), nil
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
