package ghsim

import (
	"net/http"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
)

func (s *Sim) createStatus(c *call) {
	r, ok := c.writableRepo("statuses")
	if !ok {
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

// combinedStatus serves GET /repos/{o}/{r}/commits/{ref}/status: the
// combined state of the latest status per context, the statuses paged by
// page and per_page (Link header), total_count counting them all.
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
		"state": state, "statuses": c.page(items), "sha": sha, "total_count": len(items),
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

// actionsApp is the GitHub Actions app, whose check runs workflows create.
func (s *Sim) actionsApp() *App {
	if a, ok := s.apps[15368]; ok {
		return a
	}
	a := &App{ID: 15368, Slug: "github-actions", Name: "GitHub Actions", Owner: s.user("github", "Organization"), Bot: s.user("github-actions[bot]", "Bot")}
	s.apps[a.ID] = a
	return a
}

func (s *Sim) checkRunJSON(r *Repo, cr *CheckRun) map[string]any {
	m := map[string]any{
		"id": cr.ID, "node_id": nodeID("CheckRun", cr.ID), "name": cr.Name, "head_sha": cr.HeadSHA,
		"status": cr.Status, "conclusion": nullable(cr.Conclusion), "started_at": ts(cr.StartedAt),
		"completed_at": ts(cr.CompletedAt), "html_url": s.apiURL("/%s/runs/%d", r.FullName(), cr.ID),
		"details_url": s.apiURL("/%s/runs/%d", r.FullName(), cr.ID),
		"url":         s.apiURL("/repos/%s/check-runs/%d", r.FullName(), cr.ID),
		"app":         s.appJSON(cr.App),
	}
	return m
}

// listCheckRuns serves GET /repos/{o}/{r}/commits/{ref}/check-runs with
// check_name, status and filter (latest, the default: the newest run of
// each name and App; or all), paged as {total_count, check_runs}.
func (s *Sim) listCheckRuns(c *call) {
	r, cm, ok := c.repoCommit(c.pathValue("ref"))
	if !ok {
		return
	}
	name, status, filter := c.query("check_name"), c.query("status"), c.query("filter")
	if filter != "" && filter != "latest" && filter != "all" {
		c.invalid("", "filter", "invalid", "filter must be one of latest, all")
		return
	}
	list := r.checkRuns[cm.Hash.String()]
	type runKey struct {
		app  int64
		name string
	}
	key := func(cr *CheckRun) runKey { return runKey{cr.App.ID, cr.Name} }
	newest := map[runKey]int64{}
	for _, cr := range list {
		newest[key(cr)] = max(newest[key(cr)], cr.ID)
	}
	items := []any{}
	for i := len(list) - 1; i >= 0; i-- {
		cr := list[i]
		switch {
		case name != "" && cr.Name != name, status != "" && cr.Status != status,
			filter != "all" && newest[key(cr)] != cr.ID:
			continue
		}
		items = append(items, s.checkRunJSON(r, cr))
	}
	c.json(http.StatusOK, map[string]any{"total_count": len(items), "check_runs": c.page(items)})
}

// createCheckRun serves POST /repos/{o}/{r}/check-runs. Only a GitHub App
// (an installation token with checks: write) may create check runs; the
// run belongs to that App.
func (s *Sim) createCheckRun(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	if c.who == nil || c.who.inst == nil {
		c.fail(http.StatusForbidden, "You must authenticate via a GitHub App.")
		return
	}
	if !c.canWrite(r, "checks") {
		return
	}
	f := c.form("CheckRun")
	name, sha := f.req("name"), f.req("head_sha")
	status, _ := f.opt("status")
	conclusion, _ := f.opt("conclusion")
	if !f.ok() {
		return
	}
	if _, err := r.git.commit(plumbing.NewHash(sha)); !plumbing.IsHash(sha) || err != nil {
		c.invalid("CheckRun", "head_sha", "invalid", "No commit found for SHA: "+sha)
		return
	}
	if status == "" {
		status = "queued"
		if conclusion != "" {
			status = "completed"
		}
	}
	cr := s.newCheckRun(c.who.inst.App, sha, name, status, conclusion)
	r.checkRuns[sha] = append(r.checkRuns[sha], cr)
	c.json(http.StatusCreated, s.checkRunJSON(r, cr))
}

func (s *Sim) newCheckRun(app *App, sha, name, status, conclusion string) *CheckRun {
	cr := &CheckRun{ID: s.id(), App: app, Name: name, Status: status, Conclusion: conclusion, HeadSHA: sha, StartedAt: s.now()}
	if status == "completed" {
		cr.CompletedAt = s.now()
	}
	return cr
}
