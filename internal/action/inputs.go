package action

import (
	"fmt"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/baton-dev/baton/internal/command"
)

// Inputs are the Action's inputs, named exactly as in action.yml.
type Inputs struct {
	Command     string
	GitHubToken string
	AppID       string
	PrivateKey  string
	ConfigRepo  string
	App         string
	Image       string
	Tag         string
	TagStrategy string
	Digest      string
	Env         string
	PolicyFile  string
	DryRun      bool
	// AllowDowngrade lets bump put an older version than the running one.
	AllowDowngrade bool
}

// ReadInputs reads the inputs; a malformed one is a *command.InputError.
func ReadInputs(a *githubactions.Action) (Inputs, error) {
	in := Inputs{
		Command: a.GetInput("command"), GitHubToken: a.GetInput("github-token"), AppID: a.GetInput("app-id"),
		PrivateKey: a.GetInput("private-key"), ConfigRepo: a.GetInput("config-repo"), App: a.GetInput("app"),
		Image: a.GetInput("image"), Tag: a.GetInput("tag"), TagStrategy: a.GetInput("tag-strategy"),
		Digest: a.GetInput("digest"), Env: a.GetInput("env"), PolicyFile: a.GetInput("policy-file"),
	}
	if in.Command == "" {
		in.Command = "auto"
	}
	for name, dst := range map[string]*bool{"dry-run": &in.DryRun, "allow-downgrade": &in.AllowDowngrade} {
		switch v := strings.ToLower(a.GetInput(name)); v {
		case "", "false":
		case "true":
			*dst = true
		default:
			return in, &command.InputError{Err: fmt.Errorf("%s %q: want true or false", name, v)}
		}
	}
	return in, nil
}

// mask hides every secret input from the log, line by line for the key.
func mask(addMask func(string), in Inputs) {
	addMask(in.GitHubToken)
	for _, line := range strings.Split(in.PrivateKey, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "-----") {
			addMask(l)
		}
	}
}
