package ghsim

import (
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// commitAt resolves the ?ref= (or ?sha=) of a request, defaulting to the
// default branch; it answers 404 (or 409 for an empty repository).
func (c *call) commitAt(r *Repo, rev string) (*object.Commit, bool) {
	if rev == "" {
		rev = r.DefaultBranch
		if _, ok := r.git.ref("refs/heads/" + rev); !ok {
			c.fail(http.StatusConflict, "Git Repository is empty.")
			return nil, false
		}
	}
	h, ok := r.git.resolve(rev)
	if !ok {
		c.fail(http.StatusNotFound, "No commit found for the ref "+rev)
		return nil, false
	}
	cm, err := r.git.commit(h)
	if err != nil {
		c.fail(http.StatusNotFound, "Not Found")
		return nil, false
	}
	return cm, true
}

// repoCommit looks up the request's repository and a revision in it.
func (c *call) repoCommit(rev string) (*Repo, *object.Commit, bool) {
	r, ok := c.repo()
	if !ok {
		return nil, nil, false
	}
	cm, ok := c.commitAt(r, rev)
	return r, cm, ok
}

func (s *Sim) getContents(c *call) {
	r, cm, ok := c.repoCommit(c.query("ref"))
	if !ok {
		return
	}
	flat, err := r.git.flatten(cm.TreeHash)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	p := strings.Trim(c.pathValue("path"), "/")
	full := r.FullName()
	ref := c.query("ref")
	if ref == "" {
		ref = r.DefaultBranch
	}
	item := func(p, typ string, h plumbing.Hash, size int) map[string]any {
		return map[string]any{
			"type": typ, "name": path.Base(p), "path": p, "sha": h.String(), "size": size,
			"url":          s.apiURL("/repos/%s/contents/%s?ref=%s", full, p, ref),
			"git_url":      s.apiURL("/repos/%s/git/%ss/%s", full, map[string]string{"file": "blob", "dir": "tree"}[typ], h),
			"html_url":     s.apiURL("/%s/blob/%s/%s", full, ref, p),
			"download_url": s.apiURL("/%s/raw/%s/%s", full, ref, p),
		}
	}
	if e, isFile := flat[p]; isFile {
		data, err := r.git.blob(e.Hash)
		if err != nil {
			c.fail(http.StatusInternalServerError, err.Error())
			return
		}
		if accept := c.r.Header.Get("Accept"); strings.Contains(accept, ".raw") {
			c.raw(data)
			return
		}
		m := item(p, "file", e.Hash, len(data))
		m["encoding"] = "base64"
		m["content"] = base64Lines(data)
		if len(data) > 1<<20 {
			// GitHub leaves files over 1 MB out of the JSON answer; the raw
			// media type or the blobs API serves them.
			m["encoding"], m["content"] = "none", ""
		}
		c.json(http.StatusOK, m)
		return
	}
	// A directory: list its direct children.
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	children := map[string]map[string]any{}
	for fp, e := range flat {
		rest, under := strings.CutPrefix(fp, prefix)
		if !under {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		if isDir {
			if _, seen := children[name]; !seen {
				children[name] = item(prefix+name, "dir", plumbing.ZeroHash, 0)
			}
			continue
		}
		size := 0
		if b, err := r.git.blob(e.Hash); err == nil {
			size = len(b)
		}
		children[name] = item(prefix+name, "file", e.Hash, size)
	}
	if len(children) == 0 {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = children[n]
	}
	c.json(http.StatusOK, out)
}

// touches reports whether a commit changed path (a file or a directory)
// relative to its first parent.
func (g *gitRepo) touches(cm *object.Commit, p string) bool {
	cur, err := g.flatten(cm.TreeHash)
	if err != nil {
		return false
	}
	prev := map[string]entry{}
	if len(cm.ParentHashes) > 0 {
		if pc, err := g.commit(cm.ParentHashes[0]); err == nil {
			prev, _ = g.flatten(pc.TreeHash)
		}
	}
	for _, ch := range diffTrees(prev, cur) {
		if ch.Path == p || strings.HasPrefix(ch.Path, p+"/") {
			return true
		}
	}
	return false
}

func (s *Sim) listCommits(c *call) {
	r, head, ok := c.repoCommit(c.query("sha"))
	if !ok {
		return
	}
	commits, err := r.git.log(head.Hash, plumbing.ZeroHash)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	p := strings.Trim(c.query("path"), "/")
	items := []any{}
	for _, cm := range commits {
		if p != "" && !r.git.touches(cm, p) {
			continue
		}
		items = append(items, s.repoCommitJSON(r, cm))
	}
	c.paginate(items)
}

func (s *Sim) getCommit(c *call) {
	r, cm, ok := c.repoCommit(c.pathValue("ref"))
	if !ok {
		return
	}
	m := s.repoCommitJSON(r, cm)
	prev := plumbing.ZeroHash
	if len(cm.ParentHashes) > 0 {
		pc, _ := r.git.commit(cm.ParentHashes[0])
		prev = pc.TreeHash
	}
	a, _ := r.git.flatten(prev)
	b, _ := r.git.flatten(cm.TreeHash)
	files := []any{}
	add, del := 0, 0
	for _, ch := range diffTrees(a, b) {
		f := s.fileJSON(r, ch)
		add += f["additions"].(int)
		del += f["deletions"].(int)
		files = append(files, f)
	}
	m["files"] = files
	m["stats"] = map[string]any{"additions": add, "deletions": del, "total": add + del}
	c.json(http.StatusOK, m)
}

func (s *Sim) compare(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	baseRev, headRev, found := strings.Cut(c.pathValue("basehead"), "...")
	if !found {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	base, okB := r.git.resolve(baseRev)
	head, okH := r.git.resolve(headRev)
	if !okB || !okH {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	mb, ok := r.git.mergeBase(base, head)
	if !ok {
		c.fail(http.StatusNotFound, "No common ancestor between "+baseRev+" and "+headRev+".")
		return
	}
	ahead, _ := r.git.log(head, mb)
	behind, _ := r.git.log(base, mb)
	status := "diverged"
	switch {
	case len(ahead) == 0 && len(behind) == 0:
		status = "identical"
	case len(behind) == 0:
		status = "ahead"
	case len(ahead) == 0:
		status = "behind"
	}
	// Oldest first. Without page or per_page GitHub answers the first 250
	// commits; with either it pages them (30 by default, at most 100, a
	// Link header), and the last commit of a page is the head only on the
	// last page. The changed files come on the first page only.
	q := c.r.URL.Query()
	paged := q.Has("page") || q.Has("per_page")
	commits := []any{}
	for i := len(ahead) - 1; i >= 0 && (paged || len(commits) < 250); i-- {
		commits = append(commits, s.repoCommitJSON(r, ahead[i]))
	}
	firstPage := true
	if paged {
		commits = c.page(commits)
		if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
			firstPage = false
		}
	}
	mbc, _ := r.git.commit(mb)
	bc, _ := r.git.commit(base)
	hc, _ := r.git.commit(head)
	a, _ := r.git.flatten(mbc.TreeHash)
	b, _ := r.git.flatten(hc.TreeHash)
	files := []any{}
	for i, ch := range diffTrees(a, b) {
		if !firstPage || i == 300 {
			break
		}
		files = append(files, s.fileJSON(r, ch))
	}
	full := r.FullName()
	c.json(http.StatusOK, map[string]any{
		"url":           s.apiURL("/repos/%s/compare/%s...%s", full, baseRev, headRev),
		"html_url":      s.apiURL("/%s/compare/%s...%s", full, baseRev, headRev),
		"permalink_url": s.apiURL("/%s/compare/%s...%s", full, base.String()[:7], head.String()[:7]),
		"status":        status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
		"base_commit": s.repoCommitJSON(r, bc), "merge_base_commit": s.repoCommitJSON(r, mbc),
		"commits": commits, "files": files,
	})
}

// parseTime reads an ISO 8601 date from a request, or returns def.
func parseTime(v string, def time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	return def
}

func (s *Sim) getBranch(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	name := c.pathValue("branch")
	h, found := r.git.ref("refs/heads/" + name)
	if !found {
		c.fail(http.StatusNotFound, "Branch not found")
		return
	}
	cm, err := r.git.commit(h)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	full := r.FullName()
	c.json(http.StatusOK, map[string]any{
		"name": name, "commit": s.repoCommitJSON(r, cm), "protected": false,
		"_links": map[string]any{"self": s.apiURL("/repos/%s/branches/%s", full, name), "html": s.apiURL("/%s/tree/%s", full, name)},
	})
}
