package ghsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// issueSubresource dispatches GET issues/{number}/comments,
// issues/{number}/labels and issues/comments/{id}.
func (s *Sim) issueSubresource(c *call) {
	a, b := c.pathValue("a"), c.pathValue("b")
	switch {
	case a == "comments":
		c.vars = map[string]string{"id": b}
		s.getComment(c)
	case b == "comments":
		c.vars = map[string]string{"number": a}
		s.listComments(c)
	case b == "labels":
		c.vars = map[string]string{"number": a}
		s.listIssueLabels(c)
	default:
		c.fail(http.StatusNotFound, "Not Found")
	}
}

func (s *Sim) getIssue(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	c.json(http.StatusOK, s.issueJSON(r, is))
}

func (s *Sim) listComments(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	items := []any{}
	for _, cm := range r.comments {
		if cm.Issue == is.Number {
			items = append(items, s.commentJSON(r, cm))
		}
	}
	c.paginate(items)
}

// canComment checks the caller may comment: anyone who can see the
// repository, or an installation with issues or pull_requests write.
func (c *call) canComment(r *Repo) bool {
	if c.who == nil {
		c.fail(http.StatusUnauthorized, "Requires authentication")
		return false
	}
	if r.Archived {
		c.fail(http.StatusForbidden, "Repository was archived so is read-only.")
		return false
	}
	if in := c.who.inst; in != nil {
		if in.Permissions["issues"] == "write" || in.Permissions["pull_requests"] == "write" {
			return true
		}
		c.fail(http.StatusForbidden, "Resource not accessible by integration")
		return false
	}
	return true
}

func (s *Sim) createComment(c *call) {
	r, is, ok := c.issueToComment()
	if !ok {
		return
	}
	f := c.form("IssueComment")
	body := f.req("body")
	if !f.ok() {
		return
	}
	if len(body) > 65536 {
		c.invalid("IssueComment", "body", "custom", "Body is too long (maximum is 65536 characters)")
		return
	}
	now := s.now()
	cm := &Comment{ID: s.id(), Issue: is.Number, User: c.actor(), Body: body, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	is.UpdatedAt = now
	c.w.Header().Set("Location", s.apiURL("/repos/%s/issues/comments/%d", r.FullName(), cm.ID))
	c.json(http.StatusCreated, s.commentJSON(r, cm))
}

func (c *call) commentOf(r *Repo) (*Comment, bool) {
	id, err := strconv.ParseInt(c.pathValue("id"), 10, 64)
	if err == nil {
		for _, cm := range r.comments {
			if cm.ID == id {
				return cm, true
			}
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
	return nil, false
}

func (s *Sim) getComment(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	if cm, ok := c.commentOf(r); ok {
		c.json(http.StatusOK, s.commentJSON(r, cm))
	}
}

// commentToChange looks up the comment {id} the caller edits or deletes:
// its author may, and so may anyone with write access or an App
// installation allowed to comment (GitHub lets writers edit and delete
// others' comments); a triage or read user may not.
func (c *call) commentToChange() (*Repo, *Comment, bool) {
	r, cm, ok := c.commentToAnswer()
	if !ok {
		return nil, nil, false
	}
	if c.actor().ID != cm.User.ID {
		if role := c.role(r); role != "admin" && role != "maintain" && role != "write" && role != "installation" {
			c.fail(http.StatusForbidden, "Must have admin rights to Repository.")
			return nil, nil, false
		}
	}
	return r, cm, true
}

func (s *Sim) updateComment(c *call) {
	r, cm, ok := c.commentToChange()
	if !ok {
		return
	}
	f := c.form("IssueComment")
	body := f.req("body")
	if !f.ok() {
		return
	}
	cm.Body = body
	cm.UpdatedAt = s.now()
	c.json(http.StatusOK, s.commentJSON(r, cm))
}

// deleteComment serves DELETE /repos/{o}/{r}/issues/comments/{id}: its
// author, or anyone with write access (GitHub lets writers delete others'
// comments), removes it; 204.
func (s *Sim) deleteComment(c *call) {
	r, cm, ok := c.commentToChange()
	if !ok {
		return
	}
	r.removeComment(cm.ID)
	c.w.WriteHeader(http.StatusNoContent)
}

// removeComment drops a comment from the repository.
func (r *Repo) removeComment(id int64) bool {
	for i, cm := range r.comments {
		if cm.ID == id {
			r.comments = append(r.comments[:i], r.comments[i+1:]...)
			return true
		}
	}
	return false
}

var reactionContents = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true, "hooray": true, "rocket": true, "eyes": true}

func (s *Sim) createReaction(c *call) {
	_, cm, ok := c.commentToAnswer()
	if !ok {
		return
	}
	f := c.form("Reaction")
	content := f.req("content")
	if !f.ok() {
		return
	}
	if !reactionContents[content] {
		c.invalid("Reaction", "content", "invalid", "")
		return
	}
	me := c.actor()
	for _, re := range cm.Reactions {
		if re.User.ID == me.ID && re.Content == content {
			c.json(http.StatusOK, s.reactionJSON(re))
			return
		}
	}
	re := &Reaction{ID: s.id(), User: me, Content: content, CreatedAt: s.now()}
	cm.Reactions = append(cm.Reactions, re)
	c.json(http.StatusCreated, s.reactionJSON(re))
}

// deleteReaction removes a reaction from an issue comment: 204, or 404
// when the comment has no such reaction. As on GitHub, a caller deletes
// only its own reactions; another account's is not found for it.
func (s *Sim) deleteReaction(c *call) {
	_, cm, ok := c.commentToAnswer()
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.pathValue("reaction"), 10, 64)
	me := c.actor()
	for i, re := range cm.Reactions {
		if err == nil && re.ID == id && re.User.ID == me.ID {
			cm.Reactions = append(cm.Reactions[:i:i], cm.Reactions[i+1:]...)
			c.noContent()
			return
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
}

// reactionJSON is a reaction as GitHub shows it; created_at is when it
// was made (an answer 200 to a repeated creation shows the original).
func (s *Sim) reactionJSON(re *Reaction) map[string]any {
	return map[string]any{"id": re.ID, "node_id": nodeID("Reaction", re.ID), "user": s.userJSON(re.User), "content": re.Content, "created_at": ts(re.CreatedAt)}
}

func (s *Sim) listReactions(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	cm, ok := c.commentOf(r)
	if !ok {
		return
	}
	items := make([]any, len(cm.Reactions))
	for i, re := range cm.Reactions {
		items[i] = s.reactionJSON(re)
	}
	c.paginate(items)
}

func (s *Sim) addLabels(c *call) {
	r, is, ok := c.writeIssue("issues", false)
	if !ok {
		return
	}
	var names []string
	var wrapped struct {
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(c.body, &names); err != nil {
		if err := json.Unmarshal(c.body, &wrapped); err != nil {
			c.fail(http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		names = wrapped.Labels
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			c.invalid("Label", "name", "invalid", "")
			return
		}
		l, ok := r.labels[strings.ToLower(n)]
		if !ok {
			l = &Label{ID: s.id(), Name: n, Color: "ededed"}
			r.labels[strings.ToLower(n)] = l
		}
		has := false
		for _, e := range is.Labels {
			has = has || strings.EqualFold(e, n)
		}
		if !has {
			is.Labels = append(is.Labels, l.Name)
		}
	}
	is.UpdatedAt = s.now()
	c.json(http.StatusOK, s.labelsJSON(r, is.Labels))
}

func (s *Sim) removeLabel(c *call) {
	r, is, ok := c.writeIssue("issues", false)
	if !ok {
		return
	}
	name := c.pathValue("name")
	kept := is.Labels[:0:0]
	found := false
	for _, l := range is.Labels {
		if strings.EqualFold(l, name) {
			found = true
			continue
		}
		kept = append(kept, l)
	}
	if !found {
		c.fail(http.StatusNotFound, "Label does not exist")
		return
	}
	is.Labels = kept
	is.UpdatedAt = s.now()
	c.json(http.StatusOK, s.labelsJSON(r, is.Labels))
}

func (s *Sim) listIssueLabels(c *call) {
	r, is, ok := c.repoIssue(false)
	if !ok {
		return
	}
	c.paginate(s.labelsJSON(r, is.Labels))
}
