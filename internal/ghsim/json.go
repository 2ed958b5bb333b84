package ghsim

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// The builders below render the simulator's state in the JSON shapes of
// GitHub's REST API (as recorded in testdata/github-api).

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nodeID(kind string, id int64) string {
	return base64.RawStdEncoding.EncodeToString(fmt.Appendf(nil, "0:%s%d", kind, id))
}

func (s *Sim) apiURL(format string, args ...any) string {
	return s.baseURL + fmt.Sprintf(format, args...)
}

func (s *Sim) userJSON(u *User) any {
	if u == nil {
		return nil
	}
	return map[string]any{
		"login": u.Login, "id": u.ID, "node_id": nodeID("User", u.ID), "type": u.Type, "site_admin": false,
		"avatar_url": fmt.Sprintf("%s/avatars/u/%d", s.baseURL, u.ID),
		"url":        s.apiURL("/users/%s", u.Login), "html_url": s.apiURL("/%s", u.Login),
	}
}

func (s *Sim) repoJSON(r *Repo, role string) map[string]any {
	full := r.FullName()
	perms := map[string]any{"admin": false, "maintain": false, "push": false, "triage": false, "pull": true}
	switch role {
	case "admin":
		perms = map[string]any{"admin": true, "maintain": true, "push": true, "triage": true, "pull": true}
	case "maintain":
		perms = map[string]any{"admin": false, "maintain": true, "push": true, "triage": true, "pull": true}
	case "write", "installation":
		perms["push"], perms["triage"] = true, true
	case "triage":
		perms["triage"] = true
	}
	vis := "public"
	if r.Private {
		vis = "private"
	}
	return map[string]any{
		"id": r.ID, "node_id": nodeID("Repository", r.ID), "name": r.Name, "full_name": full,
		"owner": s.userJSON(r.Owner), "private": r.Private, "visibility": vis, "fork": false,
		"html_url": s.apiURL("/%s", full), "url": s.apiURL("/repos/%s", full),
		"clone_url": s.apiURL("/%s.git", full), "default_branch": r.DefaultBranch,
		"allow_merge_commit": r.MergeMethods["merge"], "allow_squash_merge": r.MergeMethods["squash"],
		"allow_rebase_merge": r.MergeMethods["rebase"], "archived": r.Archived, "disabled": false,
		"permissions": perms, "created_at": ts(r.Created), "updated_at": ts(r.Created), "pushed_at": ts(r.Created), "size": 1,
	}
}

func sigJSON(sig object.Signature) map[string]any {
	return map[string]any{"name": sig.Name, "email": sig.Email, "date": ts(sig.When)}
}

func (s *Sim) verificationJSON(r *Repo, h plumbing.Hash) map[string]any {
	v, ok := r.verified[h]
	if !ok {
		v = verification{Reason: "unsigned"}
	}
	return map[string]any{"verified": v.Verified, "reason": v.Reason, "signature": nil, "payload": nil, "verified_at": nil}
}

// gitCommitJSON is the Git Data API's commit shape.
func (s *Sim) gitCommitJSON(r *Repo, c *object.Commit) map[string]any {
	full := r.FullName()
	parents := s.parentsJSON(full, "git/commits", c)
	return map[string]any{
		"sha": c.Hash.String(), "node_id": nodeID("Commit", int64(c.Hash[0])<<8|int64(c.Hash[1])),
		"url":      s.apiURL("/repos/%s/git/commits/%s", full, c.Hash),
		"html_url": s.apiURL("/%s/commit/%s", full, c.Hash),
		"author":   sigJSON(c.Author), "committer": sigJSON(c.Committer),
		"tree":    map[string]any{"sha": c.TreeHash.String(), "url": s.apiURL("/repos/%s/git/trees/%s", full, c.TreeHash)},
		"message": c.Message, "parents": parents, "verification": s.verificationJSON(r, c.Hash),
	}
}

// userByEmail finds the account a Git signature belongs to, as GitHub
// links commit authors to users by e-mail.
// A noreply address ID+login@users.noreply.github.com names the account
// by its id, so it still links after a rename.
func (s *Sim) userByEmail(email string) *User {
	local, domain, _ := strings.Cut(email, "@")
	idText, _, hasID := strings.Cut(local, "+")
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) || hasID && strings.EqualFold(domain, "users.noreply.github.com") && idText == strconv.FormatInt(u.ID, 10) {
			return u
		}
	}
	return nil
}

// repoCommitJSON is the commits API's shape (GET /repos/{o}/{r}/commits).
func (s *Sim) repoCommitJSON(r *Repo, c *object.Commit) map[string]any {
	full := r.FullName()
	gc := s.gitCommitJSON(r, c)
	delete(gc, "sha")
	delete(gc, "node_id")
	delete(gc, "html_url")
	delete(gc, "parents")
	delete(gc, "verification")
	gc["comment_count"] = 0
	gc["verification"] = s.verificationJSON(r, c.Hash)
	parents := s.parentsJSON(full, "commits", c)
	return map[string]any{
		"sha": c.Hash.String(), "node_id": gcNode(c.Hash),
		"url":      s.apiURL("/repos/%s/commits/%s", full, c.Hash),
		"html_url": s.apiURL("/%s/commit/%s", full, c.Hash),
		"commit":   gc, "author": s.userJSON(s.userByEmail(c.Author.Email)),
		"committer": s.userJSON(s.userByEmail(c.Committer.Email)), "parents": parents,
	}
}

func gcNode(h plumbing.Hash) string {
	return base64.RawStdEncoding.EncodeToString([]byte("0:Commit" + h.String()[:12]))
}

func (s *Sim) refJSON(r *Repo, name string, h plumbing.Hash) map[string]any {
	full := r.FullName()
	typ := "commit"
	if t, ok := r.git.objectType(h); ok {
		typ = t.String()
	}
	return map[string]any{
		"ref": name, "node_id": base64.RawStdEncoding.EncodeToString([]byte("0:Ref" + name)),
		"url": s.apiURL("/repos/%s/git/%s", full, name),
		"object": map[string]any{
			"sha": h.String(), "type": typ, "url": s.apiURL("/repos/%s/git/%ss/%s", full, typ, h),
		},
	}
}

func (s *Sim) fileJSON(r *Repo, ch fileChange) map[string]any {
	full := r.FullName()
	add, del, patch := r.git.patch(ch)
	sha := ch.New.Hash
	if ch.Status == "removed" {
		sha = ch.Old.Hash
	}
	m := map[string]any{
		"sha": sha.String(), "filename": ch.Path, "status": ch.Status,
		"additions": add, "deletions": del, "changes": add + del,
		"blob_url":     s.apiURL("/%s/blob/%s/%s", full, sha, ch.Path),
		"raw_url":      s.apiURL("/%s/raw/%s/%s", full, sha, ch.Path),
		"contents_url": s.apiURL("/repos/%s/contents/%s", full, ch.Path),
	}
	if patch != "" {
		m["patch"] = patch
	}
	return m
}

// linePatch returns the hunks of a unified diff of a and b (without the
// file header lines) and the added and removed line counts.
func linePatch(a, b string) (added, removed int, patch string) {
	if a == b {
		return 0, 0, ""
	}
	u := udiff.Unified("a", "b", a, b)
	lines := strings.SplitAfter(u, "\n")
	var out strings.Builder
	for i, l := range lines {
		if i < 2 {
			continue // --- a / +++ b
		}
		switch {
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			removed++
		}
		out.WriteString(l)
	}
	return added, removed, strings.TrimSuffix(out.String(), "\n")
}

func (s *Sim) labelJSON(r *Repo, l *Label) map[string]any {
	return map[string]any{
		"id": l.ID, "node_id": nodeID("Label", l.ID), "name": l.Name, "color": l.Color, "default": false,
		"description": nil, "url": s.apiURL("/repos/%s/labels/%s", r.FullName(), l.Name),
	}
}

func (s *Sim) labelsJSON(r *Repo, names []string) []any {
	out := []any{}
	for _, n := range names {
		if l, ok := r.labels[strings.ToLower(n)]; ok {
			out = append(out, s.labelJSON(r, l))
		}
	}
	return out
}

// association is the author_association GitHub computes (and Baton must
// never trust).
func (s *Sim) association(r *Repo, u *User) string {
	if u == nil {
		return "NONE"
	}
	if strings.EqualFold(u.Login, r.Owner.Login) {
		return "OWNER"
	}
	if _, ok := r.Collaborators[strings.ToLower(u.Login)]; ok {
		return "COLLABORATOR"
	}
	for _, t := range s.teams {
		if strings.EqualFold(t.Org, r.Owner.Login) {
			if m, ok := t.Members[strings.ToLower(u.Login)]; ok && m.State == "active" {
				return "MEMBER"
			}
		}
	}
	return "NONE"
}

func (s *Sim) issueJSON(r *Repo, is *Issue) map[string]any {
	full := r.FullName()
	kind := "issues"
	if is.PR != nil {
		kind = "pull"
	}
	state := is.State
	m := map[string]any{
		"id": is.ID, "node_id": nodeID("Issue", is.ID), "number": is.Number, "title": is.Title,
		"body": nullable(is.Body), "user": s.userJSON(is.User), "labels": s.labelsJSON(r, is.Labels),
		"state": state, "locked": false, "assignee": nil, "assignees": []any{}, "milestone": nil,
		"comments": s.commentCount(r, is.Number), "created_at": ts(is.CreatedAt), "updated_at": ts(is.UpdatedAt),
		"closed_at": ts(is.ClosedAt), "author_association": s.association(r, is.User),
		"url":            s.apiURL("/repos/%s/issues/%d", full, is.Number),
		"html_url":       s.apiURL("/%s/%s/%d", full, kind, is.Number),
		"comments_url":   s.apiURL("/repos/%s/issues/%d/comments", full, is.Number),
		"repository_url": s.apiURL("/repos/%s", full),
	}
	if is.PR != nil {
		m["pull_request"] = map[string]any{
			"url":       s.apiURL("/repos/%s/pulls/%d", full, is.Number),
			"html_url":  s.apiURL("/%s/pull/%d", full, is.Number),
			"merged_at": ts(is.PR.MergedAt),
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Sim) commentCount(r *Repo, n int) int {
	k := 0
	for _, c := range r.comments {
		if c.Issue == n {
			k++
		}
	}
	return k
}

func (s *Sim) commentJSON(r *Repo, c *Comment) map[string]any {
	full := r.FullName()
	counts := map[string]any{"total_count": len(c.Reactions)}
	for _, k := range []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"} {
		counts[k] = 0
	}
	for _, re := range c.Reactions {
		counts[re.Content] = counts[re.Content].(int) + 1
	}
	kind := "issues"
	if is := r.issues[c.Issue]; is != nil && is.PR != nil {
		kind = "pull"
	}
	return map[string]any{
		"id": c.ID, "node_id": nodeID("IssueComment", c.ID), "body": c.Body, "user": s.userJSON(c.User),
		"created_at": ts(c.CreatedAt), "updated_at": ts(c.UpdatedAt),
		"author_association": s.association(r, c.User),
		"url":                s.apiURL("/repos/%s/issues/comments/%d", full, c.ID),
		"html_url":           s.apiURL("/%s/%s/%d#issuecomment-%d", full, kind, c.Issue, c.ID),
		"issue_url":          s.apiURL("/repos/%s/issues/%d", full, c.Issue),
		"reactions":          counts,
	}
}

func (s *Sim) reviewJSON(r *Repo, n int, rv *Review) map[string]any {
	full := r.FullName()
	return map[string]any{
		"id": rv.ID, "node_id": nodeID("PullRequestReview", rv.ID), "user": s.userJSON(rv.User),
		"body": rv.Body, "state": rv.State, "commit_id": rv.CommitID, "submitted_at": ts(rv.SubmittedAt),
		"author_association": s.association(r, rv.User),
		"html_url":           s.apiURL("/%s/pull/%d#pullrequestreview-%d", full, n, rv.ID),
		"pull_request_url":   s.apiURL("/repos/%s/pulls/%d", full, n),
	}
}

func (s *Sim) releaseJSON(r *Repo, rel *Release) map[string]any {
	full := r.FullName()
	return map[string]any{
		"id": rel.ID, "node_id": nodeID("Release", rel.ID), "tag_name": rel.TagName,
		"target_commitish": rel.TargetCommitish, "name": nullable(rel.Name), "body": nullable(rel.Body),
		"draft": rel.Draft, "prerelease": rel.Prerelease, "author": s.userJSON(rel.Author),
		"created_at": ts(rel.CreatedAt), "published_at": publishedAt(rel), "assets": []any{},
		"url":         s.apiURL("/repos/%s/releases/%d", full, rel.ID),
		"html_url":    s.apiURL("/%s/releases/tag/%s", full, rel.TagName),
		"assets_url":  s.apiURL("/repos/%s/releases/%d/assets", full, rel.ID),
		"upload_url":  s.apiURL("/repos/%s/releases/%d/assets{?name,label}", full, rel.ID),
		"tarball_url": s.apiURL("/repos/%s/tarball/%s", full, rel.TagName),
		"zipball_url": s.apiURL("/repos/%s/zipball/%s", full, rel.TagName),
	}
}

func publishedAt(rel *Release) any {
	if rel.Draft {
		return nil
	}
	return ts(rel.CreatedAt)
}

// parentsJSON lists a commit's parents with their API URLs under route
// (git/commits for the Git Data API, commits for the commits API).
func (s *Sim) parentsJSON(full, route string, c *object.Commit) []any {
	parents := []any{}
	for _, p := range c.ParentHashes {
		parents = append(parents, map[string]any{
			"sha": p.String(), "url": s.apiURL("/repos/%s/%s/%s", full, route, p),
			"html_url": s.apiURL("/%s/commit/%s", full, p),
		})
	}
	return parents
}
