package ghsim

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Sim) getRepo(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	c.json(http.StatusOK, s.repoJSON(r, c.role(r)))
}

func (s *Sim) getRateLimit(c *call) {
	h := c.w.Header()
	limit, _ := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, _ := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	reset, _ := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	core := map[string]any{"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining, "resource": "core"}
	c.json(http.StatusOK, map[string]any{"resources": map[string]any{"core": core}, "rate": core})
}

func (s *Sim) getUser(c *call) {
	switch {
	case c.who == nil:
		c.fail(http.StatusUnauthorized, "Requires authentication")
	case c.who.inst != nil:
		c.fail(http.StatusForbidden, "Resource not accessible by integration")
	default:
		c.json(http.StatusOK, s.userJSON(c.who.user))
	}
}

func (s *Sim) getUserByLogin(c *call) {
	u, ok := s.users[strings.ToLower(c.pathValue("login"))]
	if !ok {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.userJSON(u))
}

func (s *Sim) getPermission(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	u, found := s.users[strings.ToLower(c.pathValue("user"))]
	if !found {
		c.fail(http.StatusNotFound, c.pathValue("user")+" is not a user")
		return
	}
	role, isCollab := r.Collaborators[strings.ToLower(u.Login)]
	if !isCollab {
		role = "none"
		if !r.Private {
			role = "read"
		}
	}
	legacy := map[string]string{"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read", "none": "none"}[role]
	// role_name is the full role, a custom one included; permission
	// stays the legacy base role (maintain shows as write, triage as
	// read, a custom role as the legacy role of the one it inherits).
	if name, ok := r.CustomRoles[strings.ToLower(u.Login)]; ok && isCollab {
		role = name
	}
	c.json(http.StatusOK, map[string]any{"permission": legacy, "role_name": role, "user": s.userJSON(u)})
}

func (s *Sim) getTeamMembership(c *call) {
	if c.who == nil {
		c.fail(http.StatusUnauthorized, "Requires authentication")
		return
	}
	org := c.pathValue("org")
	if in := c.who.inst; in != nil {
		if in.Permissions["members"] == "" || !strings.EqualFold(in.Account.Login, org) {
			c.fail(http.StatusForbidden, "Resource not accessible by integration")
			return
		}
	}
	t, ok := s.teams[strings.ToLower(org+"/"+c.pathValue("slug"))]
	if !ok {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	m, ok := t.Members[strings.ToLower(c.pathValue("user"))]
	if !ok {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, map[string]any{
		"url":  s.apiURL("/organizations/%d/team/%d/memberships/%s", 1, t.ID, c.pathValue("user")),
		"role": m.Role, "state": m.State,
	})
}
