package command

import (
	"net/url"
	"strconv"
	"strings"
)

// Build describes the app-repository build that produced an image, from
// the GITHUB_* variables of a workflow run or the CLI's flags.
type Build struct {
	Repo      string // owner/name (GITHUB_REPOSITORY)
	SHA       string // GITHUB_SHA
	Ref       string // GITHUB_REF
	RunNumber string // GITHUB_RUN_NUMBER
	RunURL    string // $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID
	// RunID is the workflow run's id (GITHUB_RUN_ID); "" takes it from
	// RunURL when that is a run of Repo. Baton reads the run to learn who
	// triggered the build, as GitHub records it.
	RunID string
	Actor string // GITHUB_ACTOR: recorded only as unverified, when no run can be read
}

// runID is the build's workflow run id: RunID, else the id at the end of
// RunURL when its path is /{Repo}/actions/runs/{id}; 0 when neither names
// one. ok is false when RunID is not a positive number.
func (b Build) runID() (id int64, ok bool) {
	if b.RunID != "" {
		id, err := strconv.ParseInt(b.RunID, 10, 64)
		return id, err == nil && id > 0
	}
	u, err := url.Parse(b.RunURL)
	if err != nil || b.Repo == "" || u.Scheme != "https" {
		return 0, true
	}
	rest, found := strings.CutPrefix(strings.ToLower(u.Path), "/"+strings.ToLower(b.Repo)+"/actions/runs/")
	if !found {
		return 0, true
	}
	rest, _, _ = strings.Cut(rest, "/") // …/runs/{id}/attempts/{n}
	if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
		return id, true
	}
	return 0, true
}

// BuildFromEnv reads a Build from a workflow run's environment.
func BuildFromEnv(getenv func(string) string) Build {
	b := Build{
		Repo: getenv("GITHUB_REPOSITORY"), SHA: getenv("GITHUB_SHA"), Ref: getenv("GITHUB_REF"),
		RunNumber: getenv("GITHUB_RUN_NUMBER"), Actor: getenv("GITHUB_ACTOR"),
		RunID: getenv("GITHUB_RUN_ID"),
	}
	if server, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_RUN_ID"); server != "" && id != "" && b.Repo != "" {
		b.RunURL = strings.TrimSuffix(server, "/") + "/" + b.Repo + "/actions/runs/" + id
	}
	return b
}
