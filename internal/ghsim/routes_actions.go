package ghsim

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WorkflowRun is a GitHub Actions workflow run of a repository: what
// GitHub records about who caused it and what it built. Only the server
// sets these fields; a job's GITHUB_* variables merely claim them.
type WorkflowRun struct {
	ID         int64
	Name       string
	HeadSHA    string
	HeadBranch string
	Event      string
	// Actor caused the run's first attempt; TriggeringActor the current
	// attempt (a re-run by someone else).
	Actor           *User
	TriggeringActor *User
	RunAttempt      int
	Created         time.Time
}

// RunOptions describe a workflow run that AddWorkflowRun records, as
// GitHub would when an event starts a workflow.
type RunOptions struct {
	Name       string // the workflow's name; "" is "build"
	HeadSHA    string // the commit the run built
	HeadBranch string
	Event      string // "" is push
	Actor      string // login of who caused the run (created if needed)
	// TriggeringActor is who started the current attempt (a re-run);
	// "" is Actor.
	TriggeringActor string
	// RunAttempt is the attempt number; 0 is 1.
	RunAttempt int
}

// AddWorkflowRun records a workflow run of a repository and returns its
// id, for tests that play a pipeline running. The head is a commit id
// taken as given: tests name builds of commits the simulator need not
// hold (GitHub itself runs workflows only on the repository's commits).
func (s *Sim) AddWorkflowRun(fullName string, o RunOptions) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return 0, err
	}
	if o.Actor == "" {
		return 0, fmt.Errorf("workflow run of %s: no actor", fullName)
	}
	if _, err := hex.DecodeString(o.HeadSHA); len(o.HeadSHA) != 40 || err != nil {
		return 0, fmt.Errorf("workflow run of %s: head %q is not a commit id (40 hex digits)", fullName, o.HeadSHA)
	}
	run := &WorkflowRun{ID: s.id(), Name: o.Name, HeadSHA: o.HeadSHA, HeadBranch: o.HeadBranch, Event: o.Event,
		Actor: s.user(o.Actor, "User"), RunAttempt: o.RunAttempt, Created: s.now()}
	run.TriggeringActor = run.Actor
	if o.TriggeringActor != "" {
		run.TriggeringActor = s.user(o.TriggeringActor, "User")
	}
	if run.Name == "" {
		run.Name = "build"
	}
	if run.Event == "" {
		run.Event = "push"
	}
	if run.RunAttempt == 0 {
		run.RunAttempt = 1
	}
	if r.runs == nil {
		r.runs = map[int64]*WorkflowRun{}
	}
	r.runs[run.ID] = run
	return run.ID, nil
}

// getWorkflowRun answers GET /repos/{owner}/{repo}/actions/runs/{run_id}.
// A run id of another repository is 404, as on GitHub; an App
// installation needs the actions permission (read) to see runs.
func (s *Sim) getWorkflowRun(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	if c.who != nil && c.who.inst != nil {
		if p := c.who.inst.Permissions["actions"]; p != "read" && p != "write" {
			c.fail(http.StatusForbidden, "Resource not accessible by integration")
			return
		}
	}
	id, err := strconv.ParseInt(c.pathValue("id"), 10, 64)
	run, found := r.runs[id]
	if err != nil || !found {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	full := r.FullName()
	repo := s.repoJSON(r, c.role(r))
	delete(repo, "permissions") // the run's repository is the minimal repository object
	c.json(http.StatusOK, map[string]any{
		"id": run.ID, "node_id": nodeID("WorkflowRun", run.ID), "name": run.Name, "display_title": run.Name,
		"head_branch": run.HeadBranch, "head_sha": run.HeadSHA, "path": ".github/workflows/" + strings.ToLower(run.Name) + ".yml",
		"run_number": run.ID, "run_attempt": run.RunAttempt, "event": run.Event, "status": "in_progress", "conclusion": nil,
		"workflow_id": 1, "url": s.apiURL("/repos/%s/actions/runs/%d", full, run.ID),
		"html_url":   s.apiURL("/%s/actions/runs/%d", full, run.ID),
		"created_at": ts(run.Created), "updated_at": ts(run.Created), "run_started_at": ts(run.Created),
		"actor": s.userJSON(run.Actor), "triggering_actor": s.userJSON(run.TriggeringActor),
		"repository": repo, "head_repository": repo,
	})
}
