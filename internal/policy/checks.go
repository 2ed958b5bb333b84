package policy

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ActionsAppID and ActionsAppSlug name the GitHub Actions app on
// github.com: a required check given by name alone is a check run that
// this app created (a workflow job), never a commit status, which any
// writer can post under any name.
const (
	ActionsAppID   = 15368
	ActionsAppSlug = "github-actions"
)

// Check is one required check with the source that must report it: a
// check run of a GitHub App (App is its slug; ActionsAppSlug by default),
// or a commit status posted by one account (Creator is its login). A
// check of the right name from any other source does not satisfy it.
type Check struct {
	// Name is the check run's name or the status's context.
	Name string
	// App is the slug of the GitHub App whose check run counts; "" for a
	// commit status.
	App string
	// Creator is the login whose commit status counts; "" for a check run.
	Creator string
	// Line is the entry's line in the policy file.
	Line int
}

// IsStatus reports whether the check is a commit status (with a creator)
// rather than a check run.
func (c Check) IsStatus() bool { return c.Creator != "" }

// String names the check and its source, for replies: "check run
// security-scan (app github-actions)" or "status deploy/preview (by
// @ci-bot)".
func (c Check) String() string {
	if c.IsStatus() {
		return fmt.Sprintf("status %s (by @%s)", c.Name, c.Creator)
	}
	return fmt.Sprintf("check run %s (app %s)", c.Name, c.App)
}

// checks reads an environment's checks: list. An entry is a name (a check
// run of the GitHub Actions app), {name: x, app: slug} (another App's
// check run) or {status: context, creator: login} (a commit status).
func (v *validator) checks(n *yaml.Node, key string) []Check {
	if n.Kind != yaml.SequenceNode {
		v.errf(n, key, "want a list of checks, each a check run name, {name: x, app: slug} or {status: context, creator: login}; got %s", describe(n))
		return nil
	}
	var out []Check
	for _, e := range n.Content {
		switch e.Kind {
		case yaml.ScalarNode:
			if e.ShortTag() == "!!null" || e.Value == "" {
				v.errf(e, key, "want a check run name, {name: x, app: slug} or {status: context, creator: login}; got %s", describe(e))
				continue
			}
			out = append(out, Check{Name: e.Value, App: ActionsAppSlug, Line: e.Line})
		case yaml.MappingNode:
			c := Check{Line: e.Line}
			seen := map[string]bool{}
			v.mapping(e, key, "check", []string{"name", "app", "status", "creator"}, func(k string, _, val *yaml.Node) {
				seen[k] = true
				s := strings.TrimSpace(v.str(val, key+"."+k))
				switch k {
				case "name", "status":
					c.Name = s
				case "app":
					c.App = s
				case "creator":
					c.Creator = strings.TrimPrefix(s, "@")
				}
			})
			switch {
			case seen["name"] && seen["status"]:
				v.errf(e, key, "a check has name: (a check run) or status: (a commit status), not both")
			case seen["status"] && (!seen["creator"] || c.Creator == ""):
				v.errf(e, key, "status %q needs creator: the login whose status counts (any writer can post a status of any name)", c.Name)
			case seen["status"] && seen["app"]:
				v.errf(e, key, "status %q takes creator:, not app: (apps report check runs: write {name: %s, app: %s})", c.Name, c.Name, c.App)
			case seen["name"] && seen["creator"]:
				v.errf(e, key, "check run %q takes app:, not creator: (a status by an account is {status: %s, creator: %s})", c.Name, c.Name, c.Creator)
			case !seen["name"] && !seen["status"] || c.Name == "":
				v.errf(e, key, "a check needs name: (a check run) or status: (a commit status)")
			default:
				if seen["name"] && c.App == "" {
					c.App = ActionsAppSlug
				}
				out = append(out, c)
			}
		default:
			v.errf(e, key, "want a check run name, {name: x, app: slug} or {status: context, creator: login}; got %s", describe(e))
		}
	}
	return out
}
