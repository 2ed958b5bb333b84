package ghsim

import (
	"net/http"
	"strconv"
)

func (s *Sim) createRelease(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	f := c.form("Release")
	tag := f.req("tag_name")
	target, _ := f.opt("target_commitish")
	name, _ := f.opt("name")
	body, _ := f.opt("body")
	latest, _ := f.opt("make_latest")
	draft, prerelease := f.flag("draft"), f.flag("prerelease")
	if latest != "" && latest != "true" && latest != "false" && latest != "legacy" {
		f.fail("make_latest", "invalid", "make_latest must be one of true, false, legacy")
	}
	if !f.ok() {
		return
	}
	for _, rel := range r.releases {
		if rel.TagName == tag {
			c.invalid("Release", "tag_name", "already_exists", "")
			return
		}
	}
	if target == "" {
		target = r.DefaultBranch
	}
	if _, exists := r.git.ref("refs/tags/" + tag); !exists {
		h, ok := r.git.resolve(target)
		if !ok {
			c.invalid("Release", "target_commitish", "invalid", "")
			return
		}
		if !draft {
			if err := r.git.setRef("refs/tags/"+tag, h); err != nil {
				c.fail(http.StatusInternalServerError, err.Error())
				return
			}
		}
	}
	rel := &Release{ID: s.id(), TagName: tag, TargetCommitish: target, Name: name, Body: body,
		Draft: draft, Prerelease: prerelease, Author: c.actor(), CreatedAt: s.now()}
	if latest == "true" && !rel.Draft && !rel.Prerelease {
		for _, o := range r.releases {
			o.Latest = false
		}
		rel.Latest = true
	}
	rel.NotLatest = latest == "false"
	r.releases = append(r.releases, rel)
	c.w.Header().Set("Location", s.apiURL("/repos/%s/releases/%d", r.FullName(), rel.ID))
	c.json(http.StatusCreated, s.releaseJSON(r, rel))
}

func (s *Sim) listReleases(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	items := make([]any, 0, len(r.releases))
	for i := len(r.releases) - 1; i >= 0; i-- {
		items = append(items, s.releaseJSON(r, r.releases[i]))
	}
	c.paginate(items)
}

// latest returns the release GitHub marks as latest.
func (s *Sim) latest(r *Repo) *Release {
	for _, rel := range r.releases {
		if rel.Latest {
			return rel
		}
	}
	var best *Release
	for _, rel := range r.releases {
		if rel.Draft || rel.Prerelease || rel.NotLatest {
			continue
		}
		if best == nil || !rel.CreatedAt.Before(best.CreatedAt) {
			best = rel
		}
	}
	return best
}

func (s *Sim) latestRelease(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	rel := s.latest(r)
	if rel == nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.releaseJSON(r, rel))
}

func (s *Sim) releaseByTag(c *call) {
	tag := c.pathValue("tag")
	s.findRelease(c, func(rel *Release) bool { return rel.TagName == tag })
}

func (s *Sim) getRelease(c *call) {
	id, _ := strconv.ParseInt(c.pathValue("id"), 10, 64)
	s.findRelease(c, func(rel *Release) bool { return rel.ID == id })
}

// findRelease answers the request's repository's release that matches.
func (s *Sim) findRelease(c *call, match func(*Release) bool) {
	r, ok := c.repo()
	if !ok {
		return
	}
	for _, rel := range r.releases {
		if match(rel) {
			c.json(http.StatusOK, s.releaseJSON(r, rel))
			return
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
}
