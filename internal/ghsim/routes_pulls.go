package ghsim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// issueOf looks up the {number} of the request, answering 404.
func (c *call) issueOf(r *Repo, wantPR bool) (*Issue, bool) {
	n, err := strconv.Atoi(c.pathValue("number"))
	is, found := r.issues[n]
	if err != nil || !found || wantPR && is.PR == nil {
		c.fail(http.StatusNotFound, "Not Found")
		return nil, false
	}
	return is, true
}

// repoIssue looks up the request's repository and {number}.
func (c *call) repoIssue(wantPR bool) (*Repo, *Issue, bool) {
	r, ok := c.repo()
	if !ok {
		return nil, nil, false
	}
	is, ok := c.issueOf(r, wantPR)
	return r, is, ok
}

// writeIssue looks up the repository and the issue (or, with wantPR, the
// pull request) of the request for a change needing App permission perm,
// answering 404 or 403 as GitHub does.
func (c *call) writeIssue(perm string, wantPR bool) (*Repo, *Issue, bool) {
	r, ok := c.writableRepo(perm)
	if !ok {
		return nil, nil, false
	}
	is, ok := c.issueOf(r, wantPR)
	return r, is, ok
}

// issueToComment looks up the repository and issue the caller comments on.
func (c *call) issueToComment() (*Repo, *Issue, bool) {
	r, ok := c.repo()
	if !ok || !c.canComment(r) {
		return nil, nil, false
	}
	is, ok := c.issueOf(r, false)
	return r, is, ok
}

// commentToAnswer looks up the repository and the comment {id} the caller
// edits or reacts to.
func (c *call) commentToAnswer() (*Repo, *Comment, bool) {
	r, ok := c.repo()
	if !ok || !c.canComment(r) {
		return nil, nil, false
	}
	cm, ok := c.commentOf(r)
	return r, cm, ok
}

// mergeState computes what merging a pull request would produce.
type mergeState struct {
	base, head, mergeBase plumbing.Hash
	tree                  map[string]entry
	conflicts             []string
}

func (s *Sim) mergeState(r *Repo, pr *PullRequest) (*mergeState, error) {
	base, ok := r.git.ref("refs/heads/" + pr.Base)
	if !ok {
		return nil, fmt.Errorf("base branch %s is gone", pr.Base)
	}
	head := plumbing.NewHash(pr.HeadSHA)
	mb, ok := r.git.mergeBase(base, head)
	if !ok {
		return nil, fmt.Errorf("no common history between %s and %s", pr.Base, pr.Head)
	}
	trees := make([]map[string]entry, 3)
	for i, h := range []plumbing.Hash{mb, base, head} {
		cm, err := r.git.commit(h)
		if err != nil {
			return nil, err
		}
		if trees[i], err = r.git.flatten(cm.TreeHash); err != nil {
			return nil, err
		}
	}
	tree, conflicts := merge3(trees[0], trees[1], trees[2])
	return &mergeState{base: base, head: head, mergeBase: mb, tree: tree, conflicts: conflicts}, nil
}

func (s *Sim) prJSON(r *Repo, is *Issue, countGet bool) map[string]any {
	pr := is.PR
	full := r.FullName()
	m := s.issueJSON(r, is)
	delete(m, "pull_request")
	delete(m, "comments_url")
	delete(m, "repository_url")
	m["id"] = pr.ID
	m["node_id"] = nodeID("PullRequest", pr.ID)
	m["url"] = s.apiURL("/repos/%s/pulls/%d", full, is.Number)
	m["html_url"] = s.apiURL("/%s/pull/%d", full, is.Number)
	m["issue_url"] = s.apiURL("/repos/%s/issues/%d", full, is.Number)
	m["diff_url"] = s.apiURL("/%s/pull/%d.diff", full, is.Number)
	m["draft"] = pr.Draft
	m["merged"] = pr.Merged
	m["merged_at"] = ts(pr.MergedAt)
	m["merged_by"] = s.userJSON(pr.MergedBy)
	m["merge_commit_sha"] = nullable(pr.MergeSHA)
	m["maintainer_can_modify"] = false
	m["requested_reviewers"] = []any{}
	baseSHA := pr.BaseSHA
	if h, ok := r.git.ref("refs/heads/" + pr.Base); ok && !pr.Merged && is.State == "open" {
		baseSHA = h.String()
	}
	side := func(ref, sha string) map[string]any {
		return map[string]any{
			"label": r.Owner.Login + ":" + ref, "ref": ref, "sha": sha,
			"user": s.userJSON(r.Owner), "repo": s.repoJSON(r, ""),
		}
	}
	m["head"] = side(pr.Head, pr.HeadSHA)
	m["base"] = side(pr.Base, baseSHA)
	m["mergeable"] = nil
	m["mergeable_state"] = "unknown"
	m["rebaseable"] = nil
	if is.State == "open" && !pr.Merged {
		switch {
		case countGet && pr.pending > 0:
			pr.pending--
		default:
			if ms, err := s.mergeState(r, pr); err == nil {
				clean := len(ms.conflicts) == 0
				m["mergeable"] = clean
				m["rebaseable"] = clean
				m["mergeable_state"] = "clean"
				switch {
				case !clean:
					m["mergeable_state"] = "dirty"
				case s.checksFailing(r, pr.HeadSHA):
					m["mergeable_state"] = "unstable"
				case pr.Draft:
					m["mergeable_state"] = "draft"
				}
			}
		}
	}
	if ms, err := s.mergeStateFiles(r, pr); err == nil {
		m["commits"], m["additions"], m["deletions"], m["changed_files"] = ms[0], ms[1], ms[2], ms[3]
	}
	m["review_comments"] = 0
	return m
}

// mergeStateFiles returns commits, additions, deletions and changed files
// of a pull request.
func (s *Sim) mergeStateFiles(r *Repo, pr *PullRequest) ([4]int, error) {
	var out [4]int
	changes, commits, err := s.prChanges(r, pr)
	if err != nil {
		return out, err
	}
	out[0] = len(commits)
	out[3] = len(changes)
	for _, ch := range changes {
		a, d, _ := r.git.patch(ch)
		out[1] += a
		out[2] += d
	}
	return out, nil
}

// prChanges lists the files and commits of a pull request (from the merge
// base, or the recorded base once merged).
func (s *Sim) prChanges(r *Repo, pr *PullRequest) ([]fileChange, []*object.Commit, error) {
	head := plumbing.NewHash(pr.HeadSHA)
	var mb plumbing.Hash
	if pr.Merged {
		mb = plumbing.NewHash(pr.BaseSHA)
		if m, ok := r.git.mergeBase(mb, head); ok {
			mb = m
		}
	} else {
		base, ok := r.git.ref("refs/heads/" + pr.Base)
		if !ok {
			return nil, nil, fmt.Errorf("no base")
		}
		if mb, ok = r.git.mergeBase(base, head); !ok {
			return nil, nil, fmt.Errorf("no merge base")
		}
	}
	mbc, err := r.git.commit(mb)
	if err != nil {
		return nil, nil, err
	}
	hc, err := r.git.commit(head)
	if err != nil {
		return nil, nil, err
	}
	a, err := r.git.flatten(mbc.TreeHash)
	if err != nil {
		return nil, nil, err
	}
	b, err := r.git.flatten(hc.TreeHash)
	if err != nil {
		return nil, nil, err
	}
	commits, err := r.git.log(head, mb)
	return diffTrees(a, b), commits, err
}

// checksFailing reports what GitHub shows as "unstable": a commit status
// or check run that failed or is still pending.
func (s *Sim) checksFailing(r *Repo, sha string) bool {
	state, list := s.combined(r, sha)
	if len(list) > 0 && state != "success" {
		return true
	}
	for _, cr := range r.checkRuns[sha] {
		if cr.Status != "completed" || cr.Conclusion == "failure" || cr.Conclusion == "timed_out" || cr.Conclusion == "cancelled" || cr.Conclusion == "action_required" {
			return true
		}
	}
	return false
}

func (s *Sim) listPulls(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	state := c.query("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		c.invalid("PullRequest", "state", "invalid", "")
		return
	}
	// head filters only in the documented user:ref-name form; GitHub
	// silently ignores a bare branch name and lists every pull request.
	head := ""
	if owner, branch, found := strings.Cut(c.query("head"), ":"); found {
		if !strings.EqualFold(owner, r.Owner.Login) {
			c.paginate(nil)
			return
		}
		head = branch
	}
	base := c.query("base")
	var list []*Issue
	for _, is := range r.issues {
		if is.PR == nil || state != "all" && is.State != state || head != "" && is.PR.Head != head || base != "" && is.PR.Base != base {
			continue
		}
		list = append(list, is)
	}
	asc := c.query("direction") == "asc"
	sort.Slice(list, func(i, j int) bool {
		if asc {
			return list[i].Number < list[j].Number
		}
		return list[i].Number > list[j].Number
	})
	items := make([]any, len(list))
	for i, is := range list {
		items[i] = s.prJSON(r, is, false)
	}
	c.paginate(items)
}

func (s *Sim) createPull(c *call) {
	r, ok := c.writableRepo("pull_requests")
	if !ok {
		return
	}
	f := c.form("PullRequest")
	title, head, base := f.req("title"), f.req("head"), f.req("base")
	body, _ := f.opt("body")
	draft := f.flag("draft")
	if !f.ok() {
		return
	}
	if len(body) > 65536 {
		c.invalid("PullRequest", "body", "custom", "Body is too long (maximum is 65536 characters)")
		return
	}
	if owner, branch, found := strings.Cut(head, ":"); found {
		if !strings.EqualFold(owner, r.Owner.Login) {
			c.invalid("PullRequest", "head", "invalid", "")
			return
		}
		head = branch
	}
	baseH, okB := r.git.ref("refs/heads/" + base)
	if !okB {
		c.invalid("PullRequest", "base", "invalid", "")
		return
	}
	headH, okH := r.git.ref("refs/heads/" + head)
	if !okH {
		c.invalid("PullRequest", "head", "invalid", "")
		return
	}
	for _, is := range r.issues {
		if is.PR != nil && is.State == "open" && is.PR.Head == head && is.PR.Base == base {
			c.invalid("PullRequest", "", "custom", "A pull request already exists for "+r.Owner.Login+":"+head+".")
			return
		}
	}
	if r.git.isAncestor(headH, baseH) {
		c.invalid("PullRequest", "", "custom", "No commits between "+base+" and "+head)
		return
	}
	now := s.now()
	is := &Issue{
		Number: r.nextNumber, ID: s.id(), Title: title, Body: body, User: c.actor(), State: "open",
		CreatedAt: now, UpdatedAt: now,
		PR: &PullRequest{ID: s.id(), Head: head, HeadSHA: headH.String(), Base: base, BaseSHA: baseH.String(), Draft: draft, pending: s.opts.MergeableDelay, headMoved: now},
	}
	r.nextNumber++
	r.issues[is.Number] = is
	c.w.Header().Set("Location", s.apiURL("/repos/%s/pulls/%d", r.FullName(), is.Number))
	c.json(http.StatusCreated, s.prJSON(r, is, false))
}

func (s *Sim) getPull(c *call) {
	r, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	c.json(http.StatusOK, s.prJSON(r, is, true))
}

func (s *Sim) updatePull(c *call) {
	r, is, ok := c.writeIssue("pull_requests", true)
	if !ok {
		return
	}
	f := c.form("PullRequest")
	title, hasTitle := f.opt("title")
	body, hasBody := f.opt("body")
	state, hasState := f.opt("state")
	base, hasBase := f.opt("base")
	if !f.ok() {
		return
	}
	if hasBody && len(body) > 65536 {
		c.invalid("PullRequest", "body", "custom", "Body is too long (maximum is 65536 characters)")
		return
	}
	if hasState && state != "open" && state != "closed" {
		c.invalid("PullRequest", "state", "invalid", "")
		return
	}
	if hasBase {
		if _, found := r.git.ref("refs/heads/" + base); !found {
			c.invalid("PullRequest", "base", "invalid", "Proposed base branch '"+base+"' was not found")
			return
		}
		for _, o := range r.issues {
			if o != is && o.PR != nil && o.State == "open" && is.State == "open" && o.PR.Head == is.PR.Head && o.PR.Base == base {
				c.invalid("PullRequest", "base", "custom", "A pull request already exists for base branch '"+base+"' and head branch '"+is.PR.Head+"'")
				return
			}
		}
	}
	if hasState && state == "open" && is.State == "closed" {
		if is.PR.Merged {
			c.invalid("PullRequest", "state", "invalid", "state cannot be changed. The pull request has been merged.")
			return
		}
		if _, found := r.git.ref("refs/heads/" + is.PR.Head); !found {
			c.invalid("PullRequest", "state", "invalid", "state cannot be changed. The "+is.PR.Head+" branch has been deleted.")
			return
		}
	}
	now := s.now()
	if hasTitle {
		is.Title = title
	}
	if hasBody {
		is.Body = body
	}
	if hasBase {
		is.PR.Base = base
		is.PR.pending = s.opts.MergeableDelay
	}
	if hasState && state != is.State {
		is.State = state
		if state == "closed" {
			is.ClosedAt = now
		} else {
			is.ClosedAt = time.Time{}
			if h, found := r.git.ref("refs/heads/" + is.PR.Head); found {
				is.PR.HeadSHA = h.String()
			}
		}
	}
	is.UpdatedAt = now
	c.json(http.StatusOK, s.prJSON(r, is, false))
}

func (s *Sim) listPullFiles(c *call) {
	r, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	changes, _, err := s.prChanges(r, is.PR)
	if err != nil {
		c.paginate(nil)
		return
	}
	items := make([]any, len(changes))
	for i, ch := range changes {
		items[i] = s.fileJSON(r, ch)
	}
	c.paginate(items)
}

func (s *Sim) listPullCommits(c *call) {
	r, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	_, commits, err := s.prChanges(r, is.PR)
	if err != nil {
		c.paginate(nil)
		return
	}
	items := make([]any, 0, len(commits))
	for i := len(commits) - 1; i >= 0; i-- {
		items = append(items, s.repoCommitJSON(r, commits[i]))
	}
	c.paginate(items)
}

func (s *Sim) listReviews(c *call) {
	r, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	items := make([]any, len(is.PR.Reviews))
	for i, rv := range is.PR.Reviews {
		items[i] = s.reviewJSON(r, is.Number, rv)
	}
	c.paginate(items)
}

func (s *Sim) createReview(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	if c.who == nil {
		c.fail(http.StatusUnauthorized, "Requires authentication")
		return
	}
	if c.who.inst != nil && !c.canWrite(r, "pull_requests") {
		return
	}
	is, ok := c.issueOf(r, true)
	if !ok {
		return
	}
	f := c.form("PullRequestReview")
	event, _ := f.opt("event")
	body, _ := f.opt("body")
	commitID, hasCommit := f.opt("commit_id")
	if !f.ok() {
		return
	}
	if !hasCommit {
		commitID = is.PR.HeadSHA
	}
	state := map[string]string{"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED", "": "PENDING"}[event]
	if state == "" {
		c.invalid("PullRequestReview", "event", "invalid", "")
		return
	}
	own := is.User != nil && c.actor().ID == is.User.ID
	switch {
	case own && state == "APPROVED":
		c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": []string{"Review Can not approve your own pull request"}, "documentation_url": docs})
		return
	case own && state == "CHANGES_REQUESTED":
		c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": []string{"Review Can not request changes on your own pull request"}, "documentation_url": docs})
		return
	case (state == "CHANGES_REQUESTED" || state == "COMMENTED") && body == "":
		c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": []string{"Review body is required"}, "documentation_url": docs})
		return
	}
	rv := &Review{ID: s.id(), User: c.actor(), Body: body, State: state, CommitID: commitID, SubmittedAt: s.now()}
	if state == "PENDING" {
		rv.SubmittedAt = time.Time{} // a pending review is not submitted
	}
	is.PR.Reviews = append(is.PR.Reviews, rv)
	c.json(http.StatusOK, s.reviewJSON(r, is.Number, rv))
}

// dismissReview serves PUT /repos/{o}/{r}/pulls/{n}/reviews/{id}/dismissals:
// someone with write access (or an installation with pull_requests write)
// dismisses an approving or changes-requesting review, with a message.
func (s *Sim) dismissReview(c *call) {
	r, is, ok := c.writeIssue("pull_requests", true)
	if !ok {
		return
	}
	f := c.form("PullRequestReview")
	message := f.req("message")
	event, hasEvent := f.opt("event")
	if !f.ok() {
		return
	}
	if hasEvent && event != "DISMISS" {
		c.invalid("PullRequestReview", "event", "invalid", "")
		return
	}
	rv, ok := c.reviewOf(is)
	if !ok {
		return
	}
	if rv.State != "APPROVED" && rv.State != "CHANGES_REQUESTED" {
		c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "errors": []string{"Can not dismiss a " + strings.ToLower(rv.State) + " pull request review"}, "documentation_url": docs})
		return
	}
	rv.State, rv.DismissedBy, rv.DismissMessage = "DISMISSED", c.actor(), message
	c.json(http.StatusOK, s.reviewJSON(r, is.Number, rv))
}

// reviewOf finds the review {id} of a pull request, answering 404.
func (c *call) reviewOf(is *Issue) (*Review, bool) {
	id, err := strconv.ParseInt(c.pathValue("id"), 10, 64)
	if err == nil {
		for _, rv := range is.PR.Reviews {
			if rv.ID == id {
				return rv, true
			}
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
	return nil, false
}

// getReview serves GET /repos/{o}/{r}/pulls/{n}/reviews/{id}.
func (s *Sim) getReview(c *call) {
	r, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	if rv, ok := c.reviewOf(is); ok {
		c.json(http.StatusOK, s.reviewJSON(r, is.Number, rv))
	}
}

func (s *Sim) isMerged(c *call) {
	_, is, ok := c.repoIssue(true)
	if !ok {
		return
	}
	if is.PR.Merged {
		c.noContent()
		return
	}
	c.fail(http.StatusNotFound, "Not Found")
}

func (s *Sim) mergePull(c *call) {
	r, is, ok := c.writeIssue("contents", true)
	if !ok {
		return
	}
	f := c.form("PullRequest")
	title, _ := f.opt("commit_title")
	message, _ := f.opt("commit_message")
	head, _ := f.opt("sha")
	method, _ := f.opt("merge_method")
	if !f.ok() {
		return
	}
	sha, status, msg := s.merge(r, is, c.actor(), method, head, title, message)
	if status != http.StatusOK {
		if status == http.StatusUnprocessableEntity {
			c.invalid("PullRequest", "merge_method", "invalid", msg)
			return
		}
		c.fail(status, msg)
		return
	}
	c.json(http.StatusOK, map[string]any{"sha": sha, "merged": true, "message": "Pull Request successfully merged"})
}

// merge merges a pull request as GitHub does, returning the new commit id
// or an HTTP status and message.
func (s *Sim) merge(r *Repo, is *Issue, by *User, method, sha, title, message string) (string, int, string) {
	pr := is.PR
	if method == "" {
		method = "merge"
	}
	names := map[string]string{"merge": "Merge commits", "squash": "Squash merges", "rebase": "Rebase merges"}
	if _, known := names[method]; !known {
		return "", http.StatusUnprocessableEntity, "merge_method must be one of merge, squash, rebase"
	}
	if !r.MergeMethods[method] {
		return "", http.StatusMethodNotAllowed, names[method] + " are not allowed on this repository."
	}
	if is.State != "open" || pr.Merged {
		return "", http.StatusMethodNotAllowed, "Pull Request is not mergeable"
	}
	if sha != "" && sha != pr.HeadSHA {
		return "", http.StatusConflict, "Head branch was modified. Review and try the merge again."
	}
	if pr.Draft {
		return "", http.StatusMethodNotAllowed, "Pull Request is still a draft"
	}
	ms, err := s.mergeState(r, pr)
	if err != nil || len(ms.conflicts) > 0 {
		return "", http.StatusMethodNotAllowed, "Pull Request is not mergeable"
	}
	now := s.now()
	committer := signature("GitHub", "noreply@github.com", now)
	tip := ms.base
	switch method {
	case "rebase":
		_, commits, err := s.prChanges(r, pr)
		if err != nil {
			return "", http.StatusMethodNotAllowed, "Pull Request is not mergeable"
		}
		for i := len(commits) - 1; i >= 0; i-- {
			orig := commits[i]
			if tip, err = s.replay(r, tip, orig, committer); err != nil {
				return "", http.StatusMethodNotAllowed, "This branch can't be rebased"
			}
		}
	default:
		tree, err := r.git.writeTree(ms.tree)
		if err != nil {
			return "", http.StatusInternalServerError, err.Error()
		}
		author := signature(by.Name, by.Email, now)
		parents := []plumbing.Hash{ms.base, ms.head}
		if title == "" {
			title = fmt.Sprintf("Merge pull request #%d from %s/%s", is.Number, r.Owner.Login, pr.Head)
			if message == "" {
				message = is.Title
			}
		}
		if method == "squash" {
			if is.User != nil {
				author = signature(is.User.Name, is.User.Email, now)
			}
			parents = parents[:1]
			if title == fmt.Sprintf("Merge pull request #%d from %s/%s", is.Number, r.Owner.Login, pr.Head) {
				// GitHub's default squash message: a single commit's own
				// message; for several, the PR title and the list of them.
				_, commits, _ := s.prChanges(r, pr)
				if len(commits) == 1 {
					subject, body, _ := strings.Cut(strings.TrimRight(commits[0].Message, "\n"), "\n")
					title, message = fmt.Sprintf("%s (#%d)", subject, is.Number), strings.TrimLeft(body, "\n")
				} else {
					title, message = fmt.Sprintf("%s (#%d)", is.Title, is.Number), ""
					for i := len(commits) - 1; i >= 0; i-- {
						message += "* " + strings.TrimRight(commits[i].Message, "\n") + "\n\n"
					}
					message = strings.TrimRight(message, "\n")
				}
			}
		}
		full := title
		if message != "" {
			full += "\n\n" + message
		}
		tip, err = r.git.writeCommit(&object.Commit{Author: author, Committer: committer, Message: full, TreeHash: tree, ParentHashes: parents})
		if err != nil {
			return "", http.StatusInternalServerError, err.Error()
		}
		r.verified[tip] = verification{Verified: true, Reason: "valid"}
	}
	if err := s.moveRef(r, "refs/heads/"+pr.Base, tip, by, "pr_merge"); err != nil {
		return "", http.StatusInternalServerError, err.Error()
	}
	pr.Merged, pr.MergedAt, pr.MergedBy, pr.MergeSHA, pr.BaseSHA = true, now, by, tip.String(), ms.base.String()
	is.State, is.ClosedAt, is.UpdatedAt = "closed", now, now
	return tip.String(), http.StatusOK, ""
}

// replay re-applies one commit onto tip, as a rebase merge does.
func (s *Sim) replay(r *Repo, tip plumbing.Hash, orig *object.Commit, committer object.Signature) (plumbing.Hash, error) {
	var parentTree plumbing.Hash
	if len(orig.ParentHashes) > 0 {
		p, err := r.git.commit(orig.ParentHashes[0])
		if err != nil {
			return plumbing.ZeroHash, err
		}
		parentTree = p.TreeHash
	}
	tc, err := r.git.commit(tip)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	base, _ := r.git.flatten(parentTree)
	ours, _ := r.git.flatten(tc.TreeHash)
	theirs, _ := r.git.flatten(orig.TreeHash)
	tree, conflicts := merge3(base, ours, theirs)
	if len(conflicts) > 0 {
		return plumbing.ZeroHash, fmt.Errorf("conflict in %s", strings.Join(conflicts, ", "))
	}
	th, err := r.git.writeTree(tree)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := r.git.writeCommit(&object.Commit{Author: orig.Author, Committer: committer, Message: orig.Message, TreeHash: th, ParentHashes: []plumbing.Hash{tip}})
	if err == nil {
		r.verified[h] = verification{Verified: true, Reason: "valid"}
	}
	return h, err
}
