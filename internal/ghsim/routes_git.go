package ghsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// refName turns the {ref} wildcard ("heads/main") into a full name.
func refName(ref string) string {
	return "refs/" + strings.TrimPrefix(ref, "refs/")
}

func (s *Sim) getRef(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	name := refName(c.pathValue("ref"))
	h, found := r.git.ref(name)
	if !found {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.refJSON(r, name, h))
}

func (s *Sim) matchingRefs(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	refs, err := r.git.refs(refName(c.pathValue("ref")))
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	out := []any{}
	for _, ref := range refs {
		out = append(out, s.refJSON(r, ref.Name().String(), ref.Hash()))
	}
	c.json(http.StatusOK, out)
}

func validRefName(name string) bool {
	if !strings.HasPrefix(name, "refs/") || strings.Count(name, "/") < 2 {
		return false
	}
	for _, bad := range []string{"..", "//", "@{", "\\", " ", "~", "^", ":", "?", "*", "["} {
		if strings.Contains(name, bad) {
			return false
		}
	}
	return !strings.HasSuffix(name, "/") && !strings.HasSuffix(name, ".lock") && !strings.HasSuffix(name, ".")
}

func (s *Sim) createRef(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	f := c.form("")
	name, sha := f.req("ref"), f.req("sha")
	if !f.ok() {
		return
	}
	if !validRefName(name) {
		c.fail(http.StatusUnprocessableEntity, name+" is not a valid ref name.")
		return
	}
	h := plumbing.NewHash(sha)
	if _, found := r.git.objectType(h); !plumbing.IsHash(sha) || !found {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist")
		return
	}
	if _, exists := r.git.ref(name); exists {
		c.fail(http.StatusUnprocessableEntity, "Reference already exists")
		return
	}
	if err := s.moveRef(r, name, h, c.actor(), ""); err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	c.w.Header().Set("Location", s.apiURL("/repos/%s/git/%s", r.FullName(), name))
	c.json(http.StatusCreated, s.refJSON(r, name, h))
}

func (s *Sim) updateRef(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	var body struct {
		SHA   *string `json:"sha"`
		Force bool    `json:"force"`
	}
	if !c.decode(&body) {
		return
	}
	if body.SHA == nil {
		c.invalid("", "sha", "missing_field", "")
		return
	}
	name := refName(c.pathValue("ref"))
	old, exists := r.git.ref(name)
	if !exists {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist")
		return
	}
	h := plumbing.NewHash(*body.SHA)
	if _, found := r.git.objectType(h); !plumbing.IsHash(*body.SHA) || !found {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist")
		return
	}
	if !body.Force && !r.git.isAncestor(old, h) {
		c.fail(http.StatusUnprocessableEntity, "Update is not a fast forward")
		return
	}
	if err := s.moveRef(r, name, h, c.actor(), ""); err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	c.json(http.StatusOK, s.refJSON(r, name, h))
}

func (s *Sim) deleteRef(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	name := refName(c.pathValue("ref"))
	if _, exists := r.git.ref(name); !exists {
		c.fail(http.StatusUnprocessableEntity, "Reference does not exist")
		return
	}
	if err := s.moveRef(r, name, plumbing.ZeroHash, c.actor(), ""); err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	// A deleted head branch closes its open pull requests, as on GitHub.
	if b, ok := strings.CutPrefix(name, "refs/heads/"); ok {
		for _, is := range r.issues {
			if is.PR != nil && is.State == "open" && is.PR.Head == b {
				is.State, is.ClosedAt, is.UpdatedAt = "closed", s.now(), s.now()
			}
		}
	}
	c.noContent()
}

func (s *Sim) createBlob(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	f := c.form("Blob")
	content := f.req("content")
	enc, _ := f.opt("encoding")
	if !f.ok() {
		return
	}
	data := []byte(content)
	switch enc {
	case "", "utf-8", "utf8":
	case "base64":
		d, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(content, "\n", ""))
		if err != nil {
			c.invalid("Blob", "content", "invalid", "content is not valid Base64")
			return
		}
		data = d
	default:
		c.invalid("Blob", "encoding", "invalid", "encoding must be utf-8 or base64")
		return
	}
	h, err := r.git.putBlob(data)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	c.json(http.StatusCreated, map[string]any{"sha": h.String(), "url": s.apiURL("/repos/%s/git/blobs/%s", r.FullName(), h)})
}

// base64Lines encodes data as GitHub does in contents and blobs: Base64
// with a line break every 60 characters.
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

func (s *Sim) getBlob(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	h := plumbing.NewHash(c.pathValue("sha"))
	data, err := r.git.blob(h)
	if err != nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	if strings.Contains(c.r.Header.Get("Accept"), ".raw") {
		c.raw(data)
		return
	}
	c.json(http.StatusOK, map[string]any{
		"sha": h.String(), "node_id": gcNode(h), "size": len(data), "encoding": "base64",
		"content": base64Lines(data), "url": s.apiURL("/repos/%s/git/blobs/%s", r.FullName(), h),
	})
}

var validModes = map[string]filemode.FileMode{
	"100644": filemode.Regular, "100755": filemode.Executable, "040000": filemode.Dir,
	"160000": filemode.Submodule, "120000": filemode.Symlink,
}

func (s *Sim) createTree(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	var body struct {
		BaseTree *string `json:"base_tree"`
		Tree     []struct {
			Path    *string         `json:"path"`
			Mode    *string         `json:"mode"`
			Type    *string         `json:"type"`
			SHA     json.RawMessage `json:"sha"`
			Content *string         `json:"content"`
		} `json:"tree"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Tree == nil {
		c.invalid("Tree", "tree", "missing_field", "")
		return
	}
	flat := map[string]entry{}
	if body.BaseTree != nil && *body.BaseTree != "" {
		// GitHub wants a tree here; a commit id is refused.
		base := plumbing.NewHash(*body.BaseTree)
		if t, found := r.git.objectType(base); !plumbing.IsHash(*body.BaseTree) || !found || t != plumbing.TreeObject {
			c.fail(http.StatusUnprocessableEntity, "base_tree is not a valid tree oid")
			return
		}
		var err error
		if flat, err = r.git.flatten(base); err != nil {
			c.fail(http.StatusInternalServerError, err.Error())
			return
		}
	}
	for i, e := range body.Tree {
		field := "tree[" + strconv.Itoa(i) + "]"
		if e.Path == nil || *e.Path == "" {
			c.invalid("Tree", field+".path", "missing_field", "")
			return
		}
		p := strings.Trim(*e.Path, "/")
		if p != *e.Path || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." || p == ".git" || strings.HasPrefix(p, ".git/") {
			c.invalid("Tree", field+".path", "invalid", "tree.path contains a malformed path component")
			return
		}
		mode := filemode.Regular
		if e.Mode != nil {
			m, known := validModes[*e.Mode]
			if !known {
				c.invalid("Tree", field+".mode", "invalid", "Must be one of: 100644, 100755, 040000, 160000, 120000")
				return
			}
			mode = m
		}
		if mode == filemode.Dir {
			c.invalid("Tree", field+".mode", "invalid", "Baton's simulator does not take whole sub-trees")
			return
		}
		if e.Content != nil && len(e.SHA) > 0 && string(e.SHA) != "null" {
			c.invalid("Tree", field, "invalid", "Must supply either tree.sha or tree.content. Request will be rejected if both are present.")
			return
		}
		switch {
		case e.Content != nil:
			h, err := r.git.putBlob([]byte(*e.Content))
			if err != nil {
				c.fail(http.StatusInternalServerError, err.Error())
				return
			}
			flat[p] = entry{Mode: mode, Hash: h}
		case string(e.SHA) == "null":
			if !hasPath(flat, p) {
				// GitHub refuses to delete what is not there.
				c.fail(http.StatusUnprocessableEntity, "GitRPC::BadObjectState")
				return
			}
			delete(flat, p)
			for k := range flat {
				if strings.HasPrefix(k, p+"/") {
					delete(flat, k)
				}
			}
		case len(e.SHA) > 0:
			var sha string
			if err := json.Unmarshal(e.SHA, &sha); err != nil || !plumbing.IsHash(sha) {
				c.invalid("Tree", field+".sha", "invalid", "")
				return
			}
			h := plumbing.NewHash(sha)
			if t, found := r.git.objectType(h); !found || t != plumbing.BlobObject {
				c.invalid("Tree", field+".sha", "invalid", "tree.sha "+sha+" is not a valid blob")
				return
			}
			flat[p] = entry{Mode: mode, Hash: h}
		default:
			c.invalid("Tree", field, "missing_field", "Must supply either tree.sha or tree.content")
			return
		}
	}
	h, err := r.git.writeTree(flat)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	c.json(http.StatusCreated, s.treeJSON(r, h, false))
}

func hasPath(flat map[string]entry, p string) bool {
	if _, ok := flat[p]; ok {
		return true
	}
	for k := range flat {
		if strings.HasPrefix(k, p+"/") {
			return true
		}
	}
	return false
}

func (s *Sim) treeJSON(r *Repo, h plumbing.Hash, recursive bool) map[string]any {
	full := r.FullName()
	entries := []any{}
	var walk func(h plumbing.Hash, prefix string)
	walk = func(h plumbing.Hash, prefix string) {
		t, err := r.git.tree(h)
		if err != nil {
			return
		}
		for _, e := range t.Entries {
			typ := "blob"
			switch e.Mode {
			case filemode.Dir:
				typ = "tree"
			case filemode.Submodule:
				typ = "commit"
			}
			je := map[string]any{
				"path": prefix + e.Name, "mode": strings.TrimPrefix(e.Mode.String(), "0"), "type": typ, "sha": e.Hash.String(),
				"url": s.apiURL("/repos/%s/git/%ss/%s", full, typ, e.Hash),
			}
			if typ == "tree" {
				je["mode"] = "040000"
			}
			if typ == "blob" {
				if b, err := r.git.blob(e.Hash); err == nil {
					je["size"] = len(b)
				}
			}
			entries = append(entries, je)
			if recursive && typ == "tree" {
				walk(e.Hash, prefix+e.Name+"/")
			}
		}
	}
	walk(h, "")
	return map[string]any{"sha": h.String(), "url": s.apiURL("/repos/%s/git/trees/%s", full, h), "tree": entries, "truncated": false}
}

func (s *Sim) getTree(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	sha := c.pathValue("sha")
	h := plumbing.NewHash(sha)
	if t, found := r.git.objectType(h); !plumbing.IsHash(sha) || !found || t != plumbing.TreeObject {
		if rh, ok := r.git.resolve(sha); ok {
			cm, _ := r.git.commit(rh)
			h = cm.TreeHash
		} else if found && t == plumbing.CommitObject {
			cm, _ := r.git.commit(h)
			h = cm.TreeHash
		} else {
			c.fail(http.StatusNotFound, "Not Found")
			return
		}
	}
	rec := c.query("recursive")
	c.json(http.StatusOK, s.treeJSON(r, h, rec != "" && rec != "0" && rec != "false"))
}

type sigBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Date  string `json:"date"`
}

func (s *Sim) createCommit(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	var body struct {
		Message   *string  `json:"message"`
		Tree      *string  `json:"tree"`
		Parents   []string `json:"parents"`
		Author    *sigBody `json:"author"`
		Committer *sigBody `json:"committer"`
		Signature *string  `json:"signature"`
	}
	if !c.decode(&body) {
		return
	}
	if body.Message == nil {
		c.invalid("Commit", "message", "missing_field", "")
		return
	}
	if body.Tree == nil {
		c.invalid("Commit", "tree", "missing_field", "")
		return
	}
	tree := plumbing.NewHash(*body.Tree)
	if t, found := r.git.objectType(tree); !plumbing.IsHash(*body.Tree) || !found || t != plumbing.TreeObject {
		c.fail(http.StatusUnprocessableEntity, "Tree SHA does not exist")
		return
	}
	var parents []plumbing.Hash
	for _, p := range body.Parents {
		h := plumbing.NewHash(p)
		if _, err := r.git.commit(h); !plumbing.IsHash(p) || err != nil {
			c.fail(http.StatusUnprocessableEntity, "Parent SHA does not exist or is not a commit object")
			return
		}
		parents = append(parents, h)
	}
	now := s.now()
	me := c.actor()
	author := signature(me.Name, me.Email, now)
	committer := author
	v := verification{Reason: "unsigned"}
	if c.who.inst != nil {
		// GitHub signs API commits of an App that sets no identity.
		committer = signature("GitHub", "noreply@github.com", now)
		if body.Author == nil && body.Committer == nil && body.Signature == nil {
			v = verification{Verified: true, Reason: "valid"}
		}
	}
	if body.Author != nil {
		author = signature(body.Author.Name, body.Author.Email, parseTime(body.Author.Date, now))
		if body.Committer == nil {
			committer = author
		}
	}
	if body.Committer != nil {
		committer = signature(body.Committer.Name, body.Committer.Email, parseTime(body.Committer.Date, now))
	}
	cm := &object.Commit{Author: author, Committer: committer, Message: *body.Message, TreeHash: tree, ParentHashes: parents}
	h, err := r.git.writeCommit(cm)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	r.verified[h] = v
	cm.Hash = h
	c.w.Header().Set("Location", s.apiURL("/repos/%s/git/commits/%s", r.FullName(), h))
	c.json(http.StatusCreated, s.gitCommitJSON(r, cm))
}

func (s *Sim) getGitCommit(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	cm, err := r.git.commit(plumbing.NewHash(c.pathValue("sha")))
	if err != nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.gitCommitJSON(r, cm))
}

func (s *Sim) createTag(c *call) {
	r, ok := c.writableRepo("contents")
	if !ok {
		return
	}
	var body struct {
		Tag     *string  `json:"tag"`
		Message *string  `json:"message"`
		Object  *string  `json:"object"`
		Type    *string  `json:"type"`
		Tagger  *sigBody `json:"tagger"`
	}
	if !c.decode(&body) {
		return
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"tag", body.Tag}, {"message", body.Message}, {"object", body.Object}, {"type", body.Type}} {
		if f.v == nil {
			c.invalid("Tag", f.name, "missing_field", "")
			return
		}
	}
	target := plumbing.NewHash(*body.Object)
	t, found := r.git.objectType(target)
	if !plumbing.IsHash(*body.Object) || !found || t.String() != *body.Type {
		c.fail(http.StatusUnprocessableEntity, "Object does not exist")
		return
	}
	now := s.now()
	me := c.actor()
	tagger := signature(me.Name, me.Email, now)
	v := verification{Reason: "unsigned"}
	if body.Tagger != nil {
		tagger = signature(body.Tagger.Name, body.Tagger.Email, parseTime(body.Tagger.Date, now))
	} else if c.who.inst != nil {
		v = verification{Verified: true, Reason: "valid"}
	}
	tag := &object.Tag{Name: *body.Tag, Tagger: tagger, Message: *body.Message, TargetType: t, Target: target}
	h, err := r.git.writeTag(tag)
	if err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	r.verified[h] = v
	tag.Hash = h
	c.json(http.StatusCreated, s.tagJSON(r, tag))
}

func (s *Sim) tagJSON(r *Repo, t *object.Tag) map[string]any {
	full := r.FullName()
	return map[string]any{
		"node_id": gcNode(t.Hash), "tag": t.Name, "sha": t.Hash.String(),
		"url": s.apiURL("/repos/%s/git/tags/%s", full, t.Hash), "message": t.Message,
		"tagger": sigJSON(t.Tagger),
		"object": map[string]any{"type": t.TargetType.String(), "sha": t.Target.String(),
			"url": s.apiURL("/repos/%s/git/%ss/%s", full, t.TargetType, t.Target)},
		"verification": s.verificationJSON(r, t.Hash),
	}
}

func (s *Sim) getTag(c *call) {
	r, ok := c.repo()
	if !ok {
		return
	}
	t, err := r.git.tag(plumbing.NewHash(c.pathValue("sha")))
	if err != nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.json(http.StatusOK, s.tagJSON(r, t))
}
