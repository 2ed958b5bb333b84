package forge

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Activity lists the activity log of one ref since a time (inclusive;
// zero means all of it), oldest first: every push, force push, branch
// creation or deletion and merge, with GitHub's server time and the
// actor. It is the evidence of when a branch's head changed that no
// writer can forge (commit dates can be).
//
// Route: GET /repos/{owner}/{repo}/activity?ref={ref}&direction=desc,
// following the Link header's cursor (after=…) until an entry is older
// than since. ref is a branch name or refs/heads/<branch>. A repository
// the token cannot see is githost.ErrNotFound.
func (c *Client) Activity(ctx context.Context, repo, ref string, since time.Time) ([]githost.Activity, error) {
	owner, name := split(repo)
	op := fmt.Sprintf("read the activity of %s in %s", ref, repo)
	var out []githost.Activity
	after := ""
	for n := 0; ; n++ {
		if n == maxPages {
			return nil, &githost.Error{Op: op, Kind: githost.ErrPermanent, Message: fmt.Sprintf("more than %d pages since %s; refusing to decide on part of the log", maxPages, since.UTC().Format(time.RFC3339))}
		}
		list, resp, err := doResp(ctx, c, op, false, func(ctx context.Context) ([]*github.RepositoryActivity, *github.Response, error) {
			return c.gh.Repositories.ListRepositoryActivities(ctx, owner, name, &github.ListRepositoryActivityOptions{
				Ref: ref, Direction: "desc", PerPage: perPage, After: after,
			})
		})
		if err != nil {
			return nil, err
		}
		older := false
		for _, a := range list {
			at := a.Timestamp.GetTime()
			if at == nil {
				// Without the server's time the entry cannot be ordered.
				return nil, &githost.Error{Op: op, Kind: githost.ErrPermanent, Message: fmt.Sprintf("activity %d has no timestamp", a.ID)}
			}
			if at.Before(since) {
				older = true
				continue
			}
			act := a.Actor
			out = append(out, githost.Activity{
				ID: a.ID, Before: a.Before, After: a.After, Ref: a.Ref, Timestamp: *at, Type: a.ActivityType,
				Actor: githost.User{ID: act.GetID(), Login: act.GetLogin(), Type: act.GetType()},
			})
		}
		if older || resp == nil || resp.After == "" && resp.NextPage == 0 {
			break
		}
		if resp.After == "" || resp.After == after {
			// GitHub pages this route by cursor only; a next page
			// without a new cursor cannot be followed, and a partial
			// log must not be taken for the whole.
			return nil, &githost.Error{Op: op, Kind: githost.ErrPermanent, Message: "the answer links a next page without a new after= cursor"}
		}
		after = resp.After
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Timestamp.Equal(out[j].Timestamp) {
			return out[i].Timestamp.Before(out[j].Timestamp)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
