package ghsim

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

// gitRepo is a bare Git repository: real objects with real ids, kept in
// memory or, with a data directory, on disk where the git CLI can read them.
type gitRepo struct {
	st storage.Storer
}

func newGitRepo(dataDir, fullName, defaultBranch string) (*gitRepo, error) {
	var st storage.Storer
	if dataDir == "" {
		st = memory.NewStorage()
	} else {
		dir := filepath.Join(dataDir, filepath.FromSlash(fullName)+".git")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		fs := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
		if err := fs.Init(); err != nil {
			return nil, err
		}
		st = fs
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[core]\n\trepositoryformatversion = 0\n\tbare = true\n"), 0o600); err != nil {
			return nil, err
		}
	}
	head := plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(defaultBranch))
	if err := st.SetReference(head); err != nil {
		return nil, err
	}
	return &gitRepo{st: st}, nil
}

// entry is one file of a flattened tree.
type entry struct {
	Mode filemode.FileMode
	Hash plumbing.Hash
}

func (g *gitRepo) putObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := g.st.NewEncodedObject()
	obj.SetType(t)
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.st.SetEncodedObject(obj)
}

func (g *gitRepo) putBlob(data []byte) (plumbing.Hash, error) {
	return g.putObject(plumbing.BlobObject, data)
}

func (g *gitRepo) blob(h plumbing.Hash) ([]byte, error) {
	obj, err := g.st.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close() //nolint:errcheck // read-only
	return io.ReadAll(r)
}

func (g *gitRepo) objectType(h plumbing.Hash) (plumbing.ObjectType, bool) {
	obj, err := g.st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, false
	}
	return obj.Type(), true
}

func (g *gitRepo) commit(h plumbing.Hash) (*object.Commit, error) {
	return object.GetCommit(g.st, h)
}

func (g *gitRepo) tree(h plumbing.Hash) (*object.Tree, error) {
	return object.GetTree(g.st, h)
}

func (g *gitRepo) tag(h plumbing.Hash) (*object.Tag, error) {
	return object.GetTag(g.st, h)
}

// flatten lists every file below a tree by its full path.
func (g *gitRepo) flatten(h plumbing.Hash) (map[string]entry, error) {
	out := map[string]entry{}
	if h.IsZero() {
		return out, nil
	}
	var walk func(h plumbing.Hash, prefix string) error
	walk = func(h plumbing.Hash, prefix string) error {
		t, err := g.tree(h)
		if err != nil {
			return err
		}
		for _, e := range t.Entries {
			p := prefix + e.Name
			if e.Mode == filemode.Dir {
				if err := walk(e.Hash, p+"/"); err != nil {
					return err
				}
				continue
			}
			out[p] = entry{Mode: e.Mode, Hash: e.Hash}
		}
		return nil
	}
	return out, walk(h, "")
}

// writeTree stores the nested trees for a flat file map and returns the
// root tree's id.
func (g *gitRepo) writeTree(files map[string]entry) (plumbing.Hash, error) {
	type dir struct {
		files map[string]entry
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]entry{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, e := range files {
		parts := strings.Split(p, "/")
		d := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = e
	}
	var write func(d *dir) (plumbing.Hash, error)
	write = func(d *dir) (plumbing.Hash, error) {
		var entries []object.TreeEntry
		for name, e := range d.files {
			entries = append(entries, object.TreeEntry{Name: name, Mode: e.Mode, Hash: e.Hash})
		}
		for name, sub := range d.dirs {
			h, err := write(sub)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
		sort.Sort(object.TreeEntrySorter(entries))
		obj := g.st.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		return g.st.SetEncodedObject(obj)
	}
	return write(root)
}

func (g *gitRepo) writeCommit(c *object.Commit) (plumbing.Hash, error) {
	obj := g.st.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.st.SetEncodedObject(obj)
}

func (g *gitRepo) writeTag(t *object.Tag) (plumbing.Hash, error) {
	obj := g.st.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return g.st.SetEncodedObject(obj)
}

// ref returns the object a full reference name points at.
func (g *gitRepo) ref(name string) (plumbing.Hash, bool) {
	r, err := g.st.Reference(plumbing.ReferenceName(name))
	if err != nil || r.Type() != plumbing.HashReference {
		return plumbing.ZeroHash, false
	}
	return r.Hash(), true
}

func (g *gitRepo) setRef(name string, h plumbing.Hash) error {
	return g.st.SetReference(plumbing.NewHashReference(plumbing.ReferenceName(name), h))
}

func (g *gitRepo) removeRef(name string) error {
	return g.st.RemoveReference(plumbing.ReferenceName(name))
}

// refs lists the hash references whose names start with prefix, sorted.
func (g *gitRepo) refs(prefix string) ([]*plumbing.Reference, error) {
	it, err := g.st.IterReferences()
	if err != nil {
		return nil, err
	}
	var out []*plumbing.Reference
	err = it.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.HashReference && strings.HasPrefix(r.Name().String(), prefix) {
			out = append(out, r)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, err
}

// peel follows annotated tags to the commit they point at.
func (g *gitRepo) peel(h plumbing.Hash) plumbing.Hash {
	for range 10 {
		t, err := g.tag(h)
		if err != nil {
			return h
		}
		h = t.Target
	}
	return h
}

// resolve turns a branch, tag, full ref or (abbreviated) commit id into a
// commit id.
func (g *gitRepo) resolve(rev string) (plumbing.Hash, bool) {
	if rev == "" {
		return plumbing.ZeroHash, false
	}
	for _, name := range []string{rev, "refs/heads/" + rev, "refs/tags/" + rev} {
		if h, ok := g.ref(name); ok && strings.HasPrefix(name, "refs/") {
			return g.peel(h), true
		}
	}
	if plumbing.IsHash(rev) {
		h := plumbing.NewHash(rev)
		if _, err := g.commit(h); err == nil {
			return h, true
		}
		if t, ok := g.objectType(h); ok && t == plumbing.TagObject {
			return g.peel(h), true
		}
		return plumbing.ZeroHash, false
	}
	if len(rev) >= 4 && len(rev) < 40 && isHex(rev) {
		var found plumbing.Hash
		n := 0
		iter, err := g.st.IterEncodedObjects(plumbing.CommitObject)
		if err != nil {
			return plumbing.ZeroHash, false
		}
		_ = iter.ForEach(func(o plumbing.EncodedObject) error {
			if strings.HasPrefix(o.Hash().String(), rev) {
				found = o.Hash()
				n++
			}
			return nil
		})
		return found, n == 1
	}
	return plumbing.ZeroHash, false
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// isAncestor reports whether a is an ancestor of (or equal to) b.
func (g *gitRepo) isAncestor(a, b plumbing.Hash) bool {
	if a == b {
		return true
	}
	ca, err := g.commit(a)
	if err != nil {
		return false
	}
	cb, err := g.commit(b)
	if err != nil {
		return false
	}
	ok, err := ca.IsAncestor(cb)
	return err == nil && ok
}

// mergeBase returns the best common ancestor of a and b.
func (g *gitRepo) mergeBase(a, b plumbing.Hash) (plumbing.Hash, bool) {
	ca, err := g.commit(a)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	cb, err := g.commit(b)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	bases, err := ca.MergeBase(cb)
	if err != nil || len(bases) == 0 {
		return plumbing.ZeroHash, false
	}
	return bases[0].Hash, true
}

// log lists the commits reachable from head and not from stop (which may
// be zero), newest first by committer date, as the commits API does.
func (g *gitRepo) log(head, stop plumbing.Hash) ([]*object.Commit, error) {
	excluded := map[plumbing.Hash]bool{}
	if !stop.IsZero() {
		c, err := g.commit(stop)
		if err != nil {
			return nil, err
		}
		err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(c *object.Commit) error {
			excluded[c.Hash] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	c, err := g.commit(head)
	if err != nil {
		return nil, err
	}
	var out []*object.Commit
	err = object.NewCommitIterCTime(c, excluded, nil).ForEach(func(c *object.Commit) error {
		if !excluded[c.Hash] {
			out = append(out, c)
		}
		return nil
	})
	if errors.Is(err, storer.ErrStop) {
		err = nil
	}
	return out, err
}

// fileChange is one path that differs between two trees.
type fileChange struct {
	Path     string
	Status   string // added, modified, removed
	Old, New entry
}

// diffTrees lists the files that differ between two flat trees.
func diffTrees(a, b map[string]entry) []fileChange {
	var out []fileChange
	for p, eb := range b {
		ea, ok := a[p]
		switch {
		case !ok:
			out = append(out, fileChange{Path: p, Status: "added", New: eb})
		case ea != eb:
			out = append(out, fileChange{Path: p, Status: "modified", Old: ea, New: eb})
		}
	}
	for p, ea := range a {
		if _, ok := b[p]; !ok {
			out = append(out, fileChange{Path: p, Status: "removed", Old: ea})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// merge3 merges the changes from base to ours and from base to theirs at
// the level of whole files, as a conservative stand-in for GitHub's merge:
// a file changed differently on both sides is a conflict.
func merge3(base, ours, theirs map[string]entry) (map[string]entry, []string) {
	out := map[string]entry{}
	for p, e := range ours {
		out[p] = e
	}
	var conflicts []string
	for _, ch := range diffTrees(base, theirs) {
		o, inOurs := ours[ch.Path]
		b, inBase := base[ch.Path]
		oursChanged := inOurs != inBase || inOurs && o != b
		if oursChanged {
			if ch.Status == "removed" && !inOurs || ch.Status != "removed" && inOurs && o == ch.New {
				continue // both sides made the same change
			}
			conflicts = append(conflicts, ch.Path)
			continue
		}
		if ch.Status == "removed" {
			delete(out, ch.Path)
		} else {
			out[ch.Path] = ch.New
		}
	}
	return out, conflicts
}

// patch returns the added and removed line counts and a unified patch
// body for a file change, as the pulls files API reports them.
func (g *gitRepo) patch(ch fileChange) (added, removed int, patch string) {
	var a, b []byte
	if !ch.Old.Hash.IsZero() {
		a, _ = g.blob(ch.Old.Hash)
	}
	if !ch.New.Hash.IsZero() {
		b, _ = g.blob(ch.New.Hash)
	}
	if bytes.IndexByte(a, 0) >= 0 || bytes.IndexByte(b, 0) >= 0 {
		return 0, 0, ""
	}
	return linePatch(string(a), string(b))
}

// signature builds a Git signature at a time in UTC.
func signature(name, email string, when time.Time) object.Signature {
	return object.Signature{Name: name, Email: email, When: when.UTC()}
}
