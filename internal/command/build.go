package command

import "strings"

// Build describes the app-repository build that produced an image, from
// the GITHUB_* variables of a workflow run or the CLI's flags.
type Build struct {
	Repo      string // owner/name (GITHUB_REPOSITORY)
	SHA       string // GITHUB_SHA
	Ref       string // GITHUB_REF
	RunNumber string // GITHUB_RUN_NUMBER
	RunURL    string // $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID
	Actor     string // GITHUB_ACTOR
	ActorID   string // GITHUB_ACTOR_ID: numeric, survives a rename
}

// BuildFromEnv reads a Build from a workflow run's environment.
func BuildFromEnv(getenv func(string) string) Build {
	b := Build{
		Repo: getenv("GITHUB_REPOSITORY"), SHA: getenv("GITHUB_SHA"), Ref: getenv("GITHUB_REF"),
		RunNumber: getenv("GITHUB_RUN_NUMBER"), Actor: getenv("GITHUB_ACTOR"), ActorID: getenv("GITHUB_ACTOR_ID"),
	}
	if server, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_RUN_ID"); server != "" && id != "" && b.Repo != "" {
		b.RunURL = strings.TrimSuffix(server, "/") + "/" + b.Repo + "/actions/runs/" + id
	}
	return b
}
