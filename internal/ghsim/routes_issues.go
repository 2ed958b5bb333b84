package ghsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// issueSubresource dispatches GET issues/{number}/comments,
// issues/{number}/labels and issues/comments/{id}.
func (s *Sim) issueSubresource(c *call) {
	a, b := c.pathValue("a"), c.pathValue("b")
	switch {
	case a == "comments":
		c.vars = map[string]string{"id": b}
		s.getComment(c)
	case b == "comments":
		c.vars = map[string]string{"number": a}
		s.listComments(c)
	case b == "labels":
		c.vars = map[string]string{"number": a}
		s.listIssueLabels(c)
	default:
		c.fail(http.StatusNotFound, "Not Found")
	}
}

func (s *Sim) getIssue(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	c.json(http.StatusOK, s.issueJSON(r, is))
}

func (s *Sim) listComments(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	items := []any{}
	for _, cm := range r.comments {
		if cm.Issue == is.Number {
			items = append(items, s.commentJSON(r, cm))
		}
	}
	c.paginate(items)
}

// canComment checks the caller may comment: anyone who can see the
// repository, or an installation with issues or pull_requests write.
func (c *call) canComment(r *Repo) bool {
	if c.who == nil {
		c.fail(http.StatusUnauthorized, "Requires authentication")
		return false
	}
	if in := c.who.inst; in != nil {
		if in.Permissions["issues"] == "write" || in.Permissions["pull_requests"] == "write" {
			return true
		}
		c.fail(http.StatusForbidden, "Resource not accessible by integration")
		return false
	}
	return true
}

func (s *Sim) createComment(c *call) {
	r, ok := c.repo()
	if !ok || !c.canComment(r) {
		return
	}
	is, ok := c.issueOf(r, false)
	if !ok {
		return
	}
	f := c.form("IssueComment")
	body := f.req("body")
	if !f.ok() {
		return
	}
	if len(body) > 65536 {
		c.invalid("IssueComment", "body", "custom", "Body is too long (maximum is 65536 characters)")
		return
	}
	now := s.now()
	cm := &Comment{ID: s.id(), Issue: is.Number, User: c.actor(), Body: body, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	is.UpdatedAt = now
	c.w.Header().Set("Location", s.apiURL("/repos/%s/issues/comments/%d", r.FullName(), cm.ID))
	c.json(http.StatusCreated, s.commentJSON(r, cm))
}

// AddComment posts a comment as a user (created if needed) and returns
// its id, for tests that play people commenting.
func (s *Sim) AddComment(fullName string, number int, login, body string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return 0, fmt.Errorf("no repository %s", fullName)
	}
	is, ok := r.issues[number]
	if !ok {
		return 0, fmt.Errorf("no issue %s#%d", fullName, number)
	}
	now := s.now()
	u, ok := s.users[strings.ToLower(login)]
	if !ok {
		u = s.user(login, "User")
	}
	cm := &Comment{ID: s.id(), Issue: number, User: u, Body: body, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	is.UpdatedAt = now
	return cm.ID, nil
}

func (c *call) commentOf(r *Repo) (*Comment, bool) {
	id, err := strconv.ParseInt(c.pathValue("id"), 10, 64)
	if err == nil {
		for _, cm := range r.comments {
			if cm.ID == id {
				return cm, true
			}
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
	return nil, false
}

func (s *Sim) getComment(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	if cm, ok := c.commentOf(r); ok {
		c.json(http.StatusOK, s.commentJSON(r, cm))
	}
}

func (s *Sim) updateComment(c *call) {
	r, ok := c.repo()
	if !ok || !c.canComment(r) {
		return
	}
	cm, ok := c.commentOf(r)
	if !ok {
		return
	}
	if c.actor().ID != cm.User.ID {
		if role := c.role(r); role != "admin" && role != "maintain" && role != "write" {
			c.fail(http.StatusForbidden, "Must have admin rights to Repository.")
			return
		}
	}
	f := c.form("IssueComment")
	body := f.req("body")
	if !f.ok() {
		return
	}
	cm.Body = body
	cm.UpdatedAt = s.now()
	c.json(http.StatusOK, s.commentJSON(r, cm))
}

var reactionContents = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true, "hooray": true, "rocket": true, "eyes": true}

func (s *Sim) createReaction(c *call) {
	r, ok := c.repo()
	if !ok || !c.canComment(r) {
		return
	}
	cm, ok := c.commentOf(r)
	if !ok {
		return
	}
	f := c.form("Reaction")
	content := f.req("content")
	if !f.ok() {
		return
	}
	if !reactionContents[content] {
		c.invalid("Reaction", "content", "invalid", "")
		return
	}
	me := c.actor()
	for _, re := range cm.Reactions {
		if re.User.ID == me.ID && re.Content == content {
			c.json(http.StatusOK, s.reactionJSON(re))
			return
		}
	}
	re := &Reaction{ID: s.id(), User: me, Content: content}
	cm.Reactions = append(cm.Reactions, re)
	c.json(http.StatusCreated, s.reactionJSON(re))
}

func (s *Sim) reactionJSON(re *Reaction) map[string]any {
	return map[string]any{"id": re.ID, "node_id": nodeID("Reaction", re.ID), "user": s.userJSON(re.User), "content": re.Content, "created_at": ts(s.now())}
}

func (s *Sim) listReactions(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	cm, ok := c.commentOf(r)
	if !ok {
		return
	}
	items := make([]any, len(cm.Reactions))
	for i, re := range cm.Reactions {
		items[i] = s.reactionJSON(re)
	}
	c.paginate(items)
}

func (s *Sim) addLabels(c *call) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, "issues") {
		return
	}
	is, ok := c.issueOf(r, false)
	if !ok {
		return
	}
	var names []string
	var wrapped struct {
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(c.body, &names); err != nil {
		if err := json.Unmarshal(c.body, &wrapped); err != nil {
			c.fail(http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		names = wrapped.Labels
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			c.invalid("Label", "name", "invalid", "")
			return
		}
		l, ok := r.labels[strings.ToLower(n)]
		if !ok {
			l = &Label{ID: s.id(), Name: n, Color: "ededed"}
			r.labels[strings.ToLower(n)] = l
		}
		has := false
		for _, e := range is.Labels {
			has = has || strings.EqualFold(e, n)
		}
		if !has {
			is.Labels = append(is.Labels, l.Name)
		}
	}
	is.UpdatedAt = s.now()
	c.json(http.StatusOK, s.labelsJSON(r, is.Labels))
}

func (s *Sim) removeLabel(c *call) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, "issues") {
		return
	}
	is, ok := c.issueOf(r, false)
	if !ok {
		return
	}
	name := c.pathValue("name")
	kept := is.Labels[:0:0]
	found := false
	for _, l := range is.Labels {
		if strings.EqualFold(l, name) {
			found = true
			continue
		}
		kept = append(kept, l)
	}
	if !found {
		c.fail(http.StatusNotFound, "Label does not exist")
		return
	}
	is.Labels = kept
	is.UpdatedAt = s.now()
	c.json(http.StatusOK, s.labelsJSON(r, is.Labels))
}

func (s *Sim) listIssueLabels(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	c.paginate(s.labelsJSON(r, is.Labels))
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

func (s *Sim) createStatus(c *call) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, "statuses") {
		return
	}
	sha := c.pathValue("sha")
	if _, err := r.git.commit(plumbing.NewHash(sha)); !plumbing.IsHash(sha) || err != nil {
		c.invalid("Status", "sha", "invalid", "No commit found for SHA: "+sha)
		return
	}
	f := c.form("Status")
	state := f.req("state")
	context, _ := f.opt("context")
	description, _ := f.opt("description")
	targetURL, _ := f.opt("target_url")
	if state != "" && state != "error" && state != "failure" && state != "pending" && state != "success" {
		f.fail("state", "custom", "State is not included in the list")
	}
	if !f.ok() {
		return
	}
	if context == "" {
		context = "default"
	}
	st := &Status{ID: s.id(), State: state, Context: context, Description: description, TargetURL: targetURL, Creator: c.actor(), CreatedAt: s.now()}
	r.statuses[sha] = append(r.statuses[sha], st)
	c.json(http.StatusCreated, s.statusJSON(r, sha, st))
}

func (s *Sim) statusJSON(r *Repo, sha string, st *Status) map[string]any {
	return map[string]any{
		"url":        s.apiURL("/repos/%s/statuses/%s", r.FullName(), sha),
		"avatar_url": s.apiURL("/avatars/u/%d", st.Creator.ID),
		"id":         st.ID, "node_id": nodeID("StatusContext", st.ID), "state": st.State, "context": st.Context,
		"description": nullable(st.Description), "target_url": nullable(st.TargetURL),
		"creator": s.userJSON(st.Creator), "created_at": ts(st.CreatedAt), "updated_at": ts(st.CreatedAt),
	}
}

// combined returns the combined state of a commit's statuses (the latest
// per context) and those statuses.
func (s *Sim) combined(r *Repo, sha string) (string, []*Status) {
	latest := map[string]*Status{}
	for _, st := range r.statuses[sha] {
		latest[st.Context] = st
	}
	list := make([]*Status, 0, len(latest))
	for _, st := range latest {
		list = append(list, st)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Context < list[j].Context })
	state := "success"
	if len(list) == 0 {
		state = "pending"
	}
	for _, st := range list {
		switch st.State {
		case "error", "failure":
			return "failure", list
		case "pending":
			state = "pending"
		}
	}
	return state, list
}

func (s *Sim) combinedStatus(c *call) {
	r, cm, ok := c.repoCommit(c.pathValue("ref"))
	if !ok {
		return
	}
	sha := cm.Hash.String()
	state, list := s.combined(r, sha)
	items := make([]any, len(list))
	for i, st := range list {
		items[i] = s.statusJSON(r, sha, st)
	}
	c.json(http.StatusOK, map[string]any{
		"state": state, "statuses": items, "sha": sha, "total_count": len(items),
		"repository": s.repoJSON(r, ""), "commit_url": s.apiURL("/repos/%s/commits/%s", r.FullName(), sha),
		"url": s.apiURL("/repos/%s/commits/%s/status", r.FullName(), sha),
	})
}

func (s *Sim) listStatuses(c *call) {
	r, cm, ok := c.repoCommit(c.pathValue("ref"))
	if !ok {
		return
	}
	list := r.statuses[cm.Hash.String()]
	items := make([]any, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		items = append(items, s.statusJSON(r, cm.Hash.String(), list[i]))
	}
	c.paginate(items)
}

func (s *Sim) checkRunJSON(r *Repo, cr *CheckRun) map[string]any {
	m := map[string]any{
		"id": cr.ID, "node_id": nodeID("CheckRun", cr.ID), "name": cr.Name, "head_sha": cr.HeadSHA,
		"status": cr.Status, "conclusion": nullable(cr.Conclusion), "started_at": ts(s.now()),
		"completed_at": nil, "html_url": s.apiURL("/%s/runs/%d", r.FullName(), cr.ID),
		"details_url": s.apiURL("/%s/runs/%d", r.FullName(), cr.ID),
		"app":         map[string]any{"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
	}
	if cr.Status == "completed" {
		m["completed_at"] = ts(s.now())
	}
	return m
}

func (s *Sim) listCheckRuns(c *call) {
	r, cm, ok := c.repoCommit(c.pathValue("ref"))
	if !ok {
		return
	}
	list := r.checkRuns[cm.Hash.String()]
	items := make([]any, len(list))
	for i, cr := range list {
		items[i] = s.checkRunJSON(r, cr)
	}
	c.json(http.StatusOK, map[string]any{"total_count": len(items), "check_runs": items})
}

func (s *Sim) createCheckRun(c *call) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, "checks") {
		return
	}
	f := c.form("CheckRun")
	name, sha := f.req("name"), f.req("head_sha")
	status, _ := f.opt("status")
	conclusion, _ := f.opt("conclusion")
	if !f.ok() {
		return
	}
	if status == "" {
		status = "queued"
		if conclusion != "" {
			status = "completed"
		}
	}
	cr := &CheckRun{ID: s.id(), Name: name, Status: status, Conclusion: conclusion, HeadSHA: sha}
	r.checkRuns[sha] = append(r.checkRuns[sha], cr)
	c.json(http.StatusCreated, s.checkRunJSON(r, cr))
}

func (s *Sim) createRelease(c *call) {
	r, ok := c.repo()
	if !ok || !c.canWrite(r, "contents") {
		return
	}
	f := c.form("Release")
	tag := f.req("tag_name")
	target, _ := f.opt("target_commitish")
	name, _ := f.opt("name")
	body, _ := f.opt("body")
	latest, _ := f.opt("make_latest")
	draft, prerelease := f.flag("draft"), f.flag("prerelease")
	if latest != "" && latest != "true" && latest != "false" && latest != "legacy" {
		f.fail("make_latest", "invalid", "make_latest must be one of true, false, legacy")
	}
	if !f.ok() {
		return
	}
	for _, rel := range r.releases {
		if rel.TagName == tag {
			c.invalid("Release", "tag_name", "already_exists", "")
			return
		}
	}
	if target == "" {
		target = r.DefaultBranch
	}
	if _, exists := r.git.ref("refs/tags/" + tag); !exists {
		h, ok := r.git.resolve(target)
		if !ok {
			c.invalid("Release", "target_commitish", "invalid", "")
			return
		}
		if !draft {
			if err := r.git.setRef("refs/tags/"+tag, h); err != nil {
				c.fail(http.StatusInternalServerError, err.Error())
				return
			}
		}
	}
	rel := &Release{ID: s.id(), TagName: tag, TargetCommitish: target, Name: name, Body: body,
		Draft: draft, Prerelease: prerelease, Author: c.actor(), CreatedAt: s.now()}
	if latest == "true" && !rel.Draft && !rel.Prerelease {
		for _, o := range r.releases {
			o.Latest = false
		}
		rel.Latest = true
	}
	rel.NotLatest = latest == "false"
	r.releases = append(r.releases, rel)
	c.w.Header().Set("Location", s.apiURL("/repos/%s/releases/%d", r.FullName(), rel.ID))
	c.json(http.StatusCreated, s.releaseJSON(r, rel))
}

func (s *Sim) listReleases(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	items := make([]any, 0, len(r.releases))
	for i := len(r.releases) - 1; i >= 0; i-- {
		items = append(items, s.releaseJSON(r, r.releases[i]))
	}
	c.paginate(items)
}

// latest returns the release GitHub marks as latest.
func (s *Sim) latest(r *Repo) *Release {
	for _, rel := range r.releases {
		if rel.Latest {
			return rel
		}
	}
	var best *Release
	for _, rel := range r.releases {
		if rel.Draft || rel.Prerelease || rel.NotLatest {
			continue
		}
		if best == nil || !rel.CreatedAt.Before(best.CreatedAt) {
			best = rel
		}
	}
	return best
}

func (s *Sim) latestRelease(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	rel := s.latest(r)
	if rel == nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.releaseJSON(r, rel))
}

func (s *Sim) releaseByTag(c *call) {
	tag := c.pathValue("tag")
	s.findRelease(c, func(rel *Release) bool { return rel.TagName == tag })
}

func (s *Sim) getRelease(c *call) {
	id, _ := strconv.ParseInt(c.pathValue("id"), 10, 64)
	s.findRelease(c, func(rel *Release) bool { return rel.ID == id })
}

// findRelease answers the request's repository's release that matches.
func (s *Sim) findRelease(c *call, match func(*Release) bool) {
	r, ok := c.repo()
	if !ok {
		return
	}
	for _, rel := range r.releases {
		if match(rel) {
			c.json(http.StatusOK, s.releaseJSON(r, rel))
			return
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
}

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
