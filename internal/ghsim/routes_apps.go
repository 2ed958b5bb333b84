package ghsim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Sim) appJSON(a *App) map[string]any {
	return map[string]any{
		"id": a.ID, "slug": a.Slug, "name": a.Name, "node_id": nodeID("App", a.ID), "owner": s.userJSON(a.Owner),
		"html_url": s.apiURL("/apps/%s", a.Slug), "permissions": map[string]any{"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read"},
		"events": []any{"issue_comment", "pull_request", "pull_request_review"},
	}
}

func (s *Sim) installationJSON(in *Installation) map[string]any {
	sel := "all"
	if in.Repos != nil {
		sel = "selected"
	}
	return map[string]any{
		"id": in.ID, "app_id": in.App.ID, "app_slug": in.App.Slug, "account": s.userJSON(in.Account),
		"target_type": in.Account.Type, "permissions": in.Permissions, "repository_selection": sel,
		"access_tokens_url": s.apiURL("/app/installations/%d/access_tokens", in.ID),
		"html_url":          s.apiURL("/settings/installations/%d", in.ID),
	}
}

func (c *call) requireJWT() bool {
	if c.app == nil {
		c.fail(http.StatusUnauthorized, "A JSON web token could not be decoded")
		return false
	}
	return true
}

func (s *Sim) getApp(c *call) {
	if c.requireJWT() {
		c.json(http.StatusOK, s.appJSON(c.app))
	}
}

func (s *Sim) getRepoInstallation(c *call) {
	if !c.requireJWT() {
		return
	}
	r, ok := s.repos[strings.ToLower(c.pathValue("owner")+"/"+c.pathValue("repo"))]
	if ok {
		ids := make([]int64, 0, len(s.insts))
		for id := range s.insts {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			in := s.insts[id]
			if in.App == c.app && s.installationCovers(in, r) {
				c.json(http.StatusOK, s.installationJSON(in))
				return
			}
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
}

func (s *Sim) createInstallationToken(c *call) {
	if !c.requireJWT() {
		return
	}
	id, _ := strconv.ParseInt(c.pathValue("id"), 10, 64)
	in, ok := s.insts[id]
	if !ok || in.App != c.app {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	var body struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if !c.decode(&body) {
		return
	}
	scoped := *in
	if len(body.Repositories) > 0 || len(body.RepositoryIDs) > 0 {
		scoped.Repos = map[string]bool{}
		for _, name := range body.Repositories {
			full := strings.ToLower(in.Account.Login + "/" + name)
			r, exists := s.repos[full]
			if !exists || !s.installationCovers(in, r) {
				c.invalid("", "repositories", "invalid", "There is at least one repository that does not exist or is not accessible to the parent installation.")
				return
			}
			scoped.Repos[full] = true
		}
		for _, rid := range body.RepositoryIDs {
			found := false
			for full, r := range s.repos {
				if r.ID == rid && s.installationCovers(in, r) {
					scoped.Repos[full], found = true, true
				}
			}
			if !found {
				c.invalid("", "repository_ids", "invalid", "There is at least one repository that does not exist or is not accessible to the parent installation.")
				return
			}
		}
	}
	if len(body.Permissions) > 0 {
		scoped.Permissions = map[string]string{}
		for k, v := range body.Permissions {
			if have := in.Permissions[k]; have == "" || have == "read" && v == "write" {
				c.invalid("", "permissions", "invalid", "The permissions requested are not granted to this installation.")
				return
			}
			scoped.Permissions[k] = v
		}
	}
	tok := "ghs_" + randHex(18)
	expires := s.opts.Now().Add(time.Hour).UTC().Truncate(time.Second)
	s.tokens[tok] = &principal{user: in.App.Bot, inst: &scoped, expires: expires}
	sel := "all"
	if scoped.Repos != nil {
		sel = "selected"
	}
	c.json(http.StatusCreated, map[string]any{
		"token": tok, "expires_at": ts(expires), "permissions": scoped.Permissions, "repository_selection": sel,
	})
}
