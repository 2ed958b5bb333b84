package ghsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// Activity is one entry of a repository's activity log
// (GET /repos/{owner}/{repo}/activity): a branch moved, with the server's
// time of the change and the account that made it. Commit dates and
// authors say nothing here; this is the record a pusher cannot forge.
type Activity struct {
	ID        int64
	Before    string // 40 zeros for a branch creation
	After     string // 40 zeros for a branch deletion
	Ref       string // refs/heads/NAME
	Timestamp time.Time
	// Type is push, force_push, branch_creation, branch_deletion,
	// pr_merge or merge_queue_merge.
	Type  string
	Actor *User
}

var activityTypes = map[string]bool{"push": true, "force_push": true, "branch_creation": true, "branch_deletion": true, "pr_merge": true, "merge_queue_merge": true}

// timePeriods are the activity route's time_period values.
var timePeriods = map[string]time.Duration{"day": 24 * time.Hour, "week": 7 * 24 * time.Hour, "month": 30 * 24 * time.Hour, "quarter": 90 * 24 * time.Hour, "year": 365 * 24 * time.Hour}

// moveRef points a reference at h (the zero hash deletes it), records the
// change of a branch in the activity log as done by actor, and lets pull
// requests follow. kind is "" to classify the change as a push (push,
// force_push, branch_creation, branch_deletion), or pr_merge.
func (s *Sim) moveRef(r *Repo, name string, h plumbing.Hash, actor *User, kind string) error {
	before, _ := r.git.ref(name)
	var err error
	if h.IsZero() {
		err = r.git.removeRef(name)
	} else {
		err = r.git.setRef(name, h)
	}
	if err != nil {
		return err
	}
	branch, isBranch := strings.CutPrefix(name, "refs/heads/")
	if !isBranch {
		return nil
	}
	if kind == "" {
		switch {
		case before.IsZero():
			kind = "branch_creation"
		case h.IsZero():
			kind = "branch_deletion"
		case r.git.isAncestor(before, h):
			kind = "push"
		default:
			kind = "force_push"
		}
	}
	r.activity = append(r.activity, &Activity{ID: s.id(), Before: before.String(), After: h.String(), Ref: name, Timestamp: s.now(), Type: kind, Actor: actor})
	if !h.IsZero() {
		s.branchMoved(r, branch)
	}
	return nil
}

func (s *Sim) activityJSON(a *Activity) map[string]any {
	return map[string]any{
		"id": a.ID, "node_id": nodeID("RepositoryActivity", a.ID), "before": a.Before, "after": a.After,
		"ref": a.Ref, "timestamp": ts(a.Timestamp), "activity_type": a.Type, "actor": s.userJSON(a.Actor),
	}
}

// activityCursor is the opaque cursor of the activity route's Link header.
func activityCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "cursor:%d", id))
}

func parseActivityCursor(v string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(string(b), "cursor:"), 10, 64)
	return n, err == nil && strings.HasPrefix(string(b), "cursor:")
}

// listActivity serves GET /repos/{owner}/{repo}/activity: filters ref,
// actor, time_period and activity_type; direction (desc by default);
// cursor pagination with per_page and the before/after cursors of the
// Link header, as GitHub pages this route.
func (s *Sim) listActivity(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	q := c.r.URL.Query()
	typ, period, dir := q.Get("activity_type"), q.Get("time_period"), q.Get("direction")
	switch {
	case typ != "" && !activityTypes[typ]:
		c.invalid("", "activity_type", "invalid", "activity_type must be one of push, force_push, branch_creation, branch_deletion, pr_merge, merge_queue_merge")
		return
	case period != "" && timePeriods[period] == 0:
		c.invalid("", "time_period", "invalid", "time_period must be one of day, week, month, quarter, year")
		return
	case dir != "" && dir != "asc" && dir != "desc":
		c.invalid("", "direction", "invalid", "direction must be one of asc, desc")
		return
	}
	ref := q.Get("ref")
	if ref != "" && !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	var list []*Activity
	for _, a := range r.activity {
		switch {
		case typ != "" && a.Type != typ,
			ref != "" && a.Ref != ref,
			q.Get("actor") != "" && (a.Actor == nil || !strings.EqualFold(a.Actor.Login, q.Get("actor"))),
			period != "" && a.Timestamp.Before(s.now().Add(-timePeriods[period])):
			continue
		}
		list = append(list, a)
	}
	if dir != "asc" {
		sort.SliceStable(list, func(i, j int) bool { return list[i].ID > list[j].ID })
	}
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	per = min(per, 100)
	start, end := 0, min(per, len(list))
	if v := q.Get("after"); v != "" {
		id, ok := parseActivityCursor(v)
		if !ok {
			c.invalid("", "after", "invalid", "after is not a valid cursor")
			return
		}
		start = len(list)
		for i, a := range list {
			if a.ID == id {
				start = i + 1
			}
		}
		end = min(start+per, len(list))
	} else if v := q.Get("before"); v != "" {
		id, ok := parseActivityCursor(v)
		if !ok {
			c.invalid("", "before", "invalid", "before is not a valid cursor")
			return
		}
		end = 0
		for i, a := range list {
			if a.ID == id {
				end = i
			}
		}
		start = max(end-per, 0)
	}
	page := list[start:end]
	var links []string
	link := func(key string, id int64, rel string) {
		u := *c.r.URL
		qq := u.Query()
		qq.Del("before")
		qq.Del("after")
		qq.Set("per_page", strconv.Itoa(per))
		qq.Set(key, activityCursor(id))
		u.RawQuery = qq.Encode()
		links = append(links, fmt.Sprintf("<%s%s>; rel=%q", s.baseURL, u.RequestURI(), rel))
	}
	if len(page) > 0 && start > 0 {
		link("before", page[0].ID, "prev")
	}
	if len(page) > 0 && end < len(list) {
		link("after", page[len(page)-1].ID, "next")
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	out := make([]any, len(page))
	for i, a := range page {
		out[i] = s.activityJSON(a)
	}
	c.json(http.StatusOK, out)
}

// Activities returns copies of a repository's activity log, oldest first.
func (s *Sim) Activities(fullName string) []Activity {
	return withRepo(s, fullName, func(r *Repo) []Activity {
		out := make([]Activity, len(r.activity))
		for i, a := range r.activity {
			out[i] = *a
		}
		return out
	})
}
