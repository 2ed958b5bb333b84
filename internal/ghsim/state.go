package ghsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// FileAt returns a file's content at a branch, tag or commit.
func (s *Sim) FileAt(fullName, rev, path string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return "", err
	}
	h, ok := r.git.resolve(rev)
	if !ok {
		return "", fmt.Errorf("no revision %s", rev)
	}
	c, err := r.git.commit(h)
	if err != nil {
		return "", err
	}
	flat, err := r.git.flatten(c.TreeHash)
	if err != nil {
		return "", err
	}
	e, ok := flat[path]
	if !ok {
		return "", fmt.Errorf("no file %s at %s", path, rev)
	}
	b, err := r.git.blob(e.Hash)
	return string(b), err
}

// Ref returns the commit id a branch or tag points at ("" when missing).
func (s *Sim) Ref(fullName, ref string) string {
	return withRepo(s, fullName, func(r *Repo) string {
		h, ok := r.git.ref(ref)
		if !ok {
			return ""
		}
		return h.String()
	})
}

// Refs lists the references of a repository whose names start with prefix.
func (s *Sim) Refs(fullName, prefix string) []string {
	return withRepo(s, fullName, func(r *Repo) []string {
		refs, _ := r.git.refs(prefix)
		out := make([]string, len(refs))
		for i, ref := range refs {
			out[i] = ref.Name().String()
		}
		return out
	})
}

// PullRequests returns copies of a repository's pull requests, by number.
func (s *Sim) PullRequests(fullName string) []Issue {
	return withRepo(s, fullName, func(r *Repo) []Issue {
		var out []Issue
		for _, is := range r.issues {
			if is.PR != nil {
				c := *is
				pr := *is.PR
				c.PR = &pr
				out = append(out, c)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
		return out
	})
}

// Comments returns copies of the comments on an issue or pull request.
func (s *Sim) Comments(fullName string, number int) []Comment {
	return withRepo(s, fullName, func(r *Repo) []Comment {
		var out []Comment
		for _, c := range r.comments {
			if c.Issue == number {
				out = append(out, *c)
			}
		}
		return out
	})
}

// Releases returns copies of a repository's releases, oldest first.
func (s *Sim) Releases(fullName string) []Release {
	return withRepo(s, fullName, func(r *Repo) []Release {
		out := make([]Release, len(r.releases))
		for i, rel := range r.releases {
			out[i] = *rel
		}
		return out
	})
}

// LogEntry is one commit of a repository's history.
type LogEntry struct {
	SHA     string
	Author  string
	When    time.Time
	Message string
	Refs    []string
}

// Log lists the commits reachable from the given refs (all branches when
// none), newest first, as git log --all does.
func (s *Sim) Log(fullName string, refs ...string) ([]LogEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return nil, err
	}
	all, err := r.git.refs("refs/")
	if err != nil {
		return nil, err
	}
	names := map[plumbing.Hash][]string{}
	var heads []plumbing.Hash
	for _, ref := range all {
		h := r.git.peel(ref.Hash())
		names[h] = append(names[h], strings.TrimPrefix(strings.TrimPrefix(ref.Name().String(), "refs/heads/"), "refs/"))
		if len(refs) == 0 && strings.HasPrefix(ref.Name().String(), "refs/heads/") {
			heads = append(heads, h)
		}
	}
	for _, name := range refs {
		if h, ok := r.git.resolve(name); ok {
			heads = append(heads, h)
		}
	}
	seen := map[plumbing.Hash]bool{}
	var out []LogEntry
	gen := map[string]int{} // generation: a child sorts before its parents at equal times
	for _, h := range heads {
		commits, err := r.git.log(h, plumbing.ZeroHash)
		if err != nil {
			return nil, err
		}
		for i := len(commits) - 1; i >= 0; i-- {
			c := commits[i]
			g := 0
			for _, p := range c.ParentHashes {
				g = max(g, gen[p.String()]+1)
			}
			gen[c.Hash.String()] = g
		}
		for _, c := range commits {
			if seen[c.Hash] {
				continue
			}
			seen[c.Hash] = true
			out = append(out, LogEntry{SHA: c.Hash.String(), Author: c.Author.Name, When: c.Committer.When, Message: c.Message, Refs: names[c.Hash]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].When.Equal(out[j].When) {
			return out[i].When.After(out[j].When)
		}
		return gen[out[i].SHA] > gen[out[j].SHA]
	})
	return out, nil
}

// repoNamed finds a repository by full name, for the seeding and state
// API (the caller holds s.mu).
func (s *Sim) repoNamed(fullName string) (*Repo, error) {
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil, fmt.Errorf("no repository %s", fullName)
	}
	return r, nil
}

// withRepo runs f on a repository under the lock, for the state API; a
// missing repository gives T's zero value.
func withRepo[T any](s *Sim, fullName string, f func(*Repo) T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		var zero T
		return zero
	}
	return f(r)
}
