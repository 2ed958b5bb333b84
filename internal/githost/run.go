package githost

// WorkflowRun is a GitHub Actions workflow run as GitHub records it
// (GET /repos/{owner}/{repo}/actions/runs/{run_id}): who caused it and
// what it built, which the run's own environment variables only claim.
type WorkflowRun struct {
	ID int64
	// Repo is the repository the run belongs to (repository.full_name).
	Repo string
	// HeadSHA and HeadBranch are the commit and branch the run built.
	HeadSHA    string
	HeadBranch string
	Event      string // push, workflow_dispatch, pull_request, ...
	// Actor is the user who caused the run's first attempt;
	// TriggeringActor is who caused the current attempt (a re-run's
	// actor): they differ after someone re-runs another person's run.
	Actor           User
	TriggeringActor User
	RunAttempt      int
}
