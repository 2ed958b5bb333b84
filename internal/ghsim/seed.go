package ghsim

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"go.yaml.in/yaml/v3"
)

// Seed describes a simulator's starting state, as read by cmd/ghsim from
// a YAML file.
type Seed struct {
	Users []string `yaml:"users"`
	// Tokens maps fixed personal access tokens to logins, so that scripts
	// can use known tokens.
	Tokens map[string]string `yaml:"tokens"`
	Teams  []struct {
		Org     string   `yaml:"org"`
		Slug    string   `yaml:"slug"`
		Members []string `yaml:"members"`
	} `yaml:"teams"`
	Apps []struct {
		Slug string `yaml:"slug"`
		// KeyFile is where the app's generated private key is written.
		KeyFile string `yaml:"key_file"`
	} `yaml:"apps"`
	Repos []struct {
		Name          string            `yaml:"name"`
		Private       bool              `yaml:"private"`
		DefaultBranch string            `yaml:"default_branch"`
		Files         map[string]string `yaml:"files"`
		// FilesFrom is a directory (relative to the seed file) whose files
		// make the initial commit.
		FilesFrom   string            `yaml:"files_from"`
		Permissions map[string]string `yaml:"permissions"`
		Install     []string          `yaml:"install"`
	} `yaml:"repos"`
}

// LoadSeed reads a seed file and applies it. Relative paths in it are
// resolved against dir. It returns a description of what it created, one
// line per app (id, installation).
func (s *Sim) LoadSeed(data []byte, dir string) ([]string, error) {
	var seed Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	for _, u := range seed.Users {
		s.AddUser(u)
	}
	tokens := make([]string, 0, len(seed.Tokens))
	for tok := range seed.Tokens {
		tokens = append(tokens, tok)
	}
	sort.Strings(tokens)
	for _, tok := range tokens {
		s.SetToken(tok, seed.Tokens[tok])
	}
	for _, t := range seed.Teams {
		if t.Org == "" || t.Slug == "" {
			return nil, fmt.Errorf("seed: a team needs org and slug")
		}
		s.AddTeam(t.Org, t.Slug, t.Members...)
	}
	apps := map[string]*App{}
	var notes []string
	for _, a := range seed.Apps {
		app, err := s.AddApp(a.Slug)
		if err != nil {
			return nil, err
		}
		apps[a.Slug] = app
		if a.KeyFile != "" {
			p := a.KeyFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if err := os.WriteFile(p, app.PrivateKeyPEM(), 0o600); err != nil {
				return nil, fmt.Errorf("seed: app %s: %w", a.Slug, err)
			}
		}
		notes = append(notes, fmt.Sprintf("app %s id=%d", a.Slug, app.ID))
	}
	for _, r := range seed.Repos {
		files := map[string]string{}
		if r.FilesFrom != "" {
			root := r.FilesFrom
			if !filepath.IsAbs(root) {
				root = filepath.Join(dir, root)
			}
			fsys := os.DirFS(root)
			err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(fsys, p)
				if err != nil {
					return err
				}
				files[p] = string(b)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("seed: repo %s: %w", r.Name, err)
			}
		}
		for p, c := range r.Files {
			files[p] = c
		}
		if _, err := s.CreateRepo(r.Name, RepoOptions{Private: r.Private, DefaultBranch: r.DefaultBranch, Files: files}); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		for login, role := range r.Permissions {
			if err := s.SetPermission(r.Name, login, role); err != nil {
				return nil, fmt.Errorf("seed: repo %s: %w", r.Name, err)
			}
		}
		for _, slug := range r.Install {
			app, ok := apps[slug]
			if !ok {
				return nil, fmt.Errorf("seed: repo %s installs unknown app %q", r.Name, slug)
			}
			owner, _, _ := strings.Cut(r.Name, "/")
			in := s.Install(app, owner, r.Name)
			notes = append(notes, fmt.Sprintf("app %s installed on %s id=%d", slug, r.Name, in.ID))
		}
	}
	return notes, nil
}

// SetToken makes token a personal access token of login.
func (s *Sim) SetToken(token, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &principal{user: s.user(login, "User")}
}

// AddUser creates a person (or returns the existing one).
func (s *Sim) AddUser(login string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user(login, "User")
}

// AddOrg creates an organization account.
func (s *Sim) AddOrg(login string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user(login, "Organization")
}

// Token returns a new personal access token for a user (created if needed).
func (s *Sim) Token(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newToken("ghp_", &principal{user: s.user(login, "User")})
}

// BotToken returns a token for a bot account, like the Actions GITHUB_TOKEN
// (github-actions[bot]) or another integration's.
func (s *Sim) BotToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newToken("ghs_", &principal{user: s.user(login, "Bot")})
}

// RepoOptions describe a repository to create.
type RepoOptions struct {
	Private       bool
	DefaultBranch string            // "main" when empty
	Files         map[string]string // the initial commit's files; none means an empty repository
	Message       string            // the initial commit's message
	Author        string            // login of the initial commit's author; the owner when empty
	MergeMethods  []string          // allowed merge methods; all when empty
	// Archived makes the repository read-only: every write is refused with
	// GitHub's 403 "Repository was archived so is read-only.".
	Archived bool
}

// SetArchived archives (or unarchives) a repository, as its admin can in
// Settings: an archived repository refuses every write.
func (s *Sim) SetArchived(fullName string, archived bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	r.Archived = archived
	return nil
}

// CreateRepo creates owner/name. The owner account is created as an
// organization when it does not exist.
func (s *Sim) CreateRepo(fullName string, o RepoOptions) (*Repo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("repository name %q is not owner/name", fullName)
	}
	if _, exists := s.repos[strings.ToLower(fullName)]; exists {
		return nil, fmt.Errorf("repository %s exists", fullName)
	}
	ou, ok := s.users[strings.ToLower(owner)]
	if !ok {
		ou = s.user(owner, "Organization")
	}
	if o.DefaultBranch == "" {
		o.DefaultBranch = "main"
	}
	g, err := newGitRepo(s.opts.DataDir, ou.Login+"/"+name, o.DefaultBranch)
	if err != nil {
		return nil, err
	}
	r := &Repo{
		ID: s.id(), Owner: ou, Name: name, Private: o.Private, DefaultBranch: o.DefaultBranch, Created: s.now(),
		MergeMethods:  map[string]bool{"merge": true, "squash": true, "rebase": true},
		Collaborators: map[string]string{},
		CustomRoles:   map[string]string{},
		git:           g, nextNumber: 1,
		issues:    map[int]*Issue{},
		statuses:  map[string][]*Status{},
		checkRuns: map[string][]*CheckRun{},
		verified:  map[plumbing.Hash]verification{},
		labels:    map[string]*Label{},
	}
	if len(o.MergeMethods) > 0 {
		r.MergeMethods = map[string]bool{}
		for _, m := range o.MergeMethods {
			r.MergeMethods[m] = true
		}
	}
	if ou.Type == "User" {
		r.Collaborators[strings.ToLower(ou.Login)] = "admin"
	}
	s.repos[strings.ToLower(fullName)] = r
	if len(o.Files) > 0 {
		author := ou
		if o.Author != "" {
			author = s.user(o.Author, "User")
		}
		msg := o.Message
		if msg == "" {
			msg = "Initial commit"
		}
		files := map[string]*string{}
		for p, c := range o.Files {
			files[p] = &c
		}
		if _, err := s.commitFiles(r, o.DefaultBranch, author, CommitOptions{Files: files, Message: msg}); err != nil {
			return nil, err
		}
	}
	r.Archived = o.Archived // after the seed commit: archiving comes last
	return r, nil
}

// SetPermission gives a user a role on a repository: admin, maintain,
// write, triage or read; "" removes the user.
func (s *Sim) SetPermission(fullName, login, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	delete(r.CustomRoles, strings.ToLower(login))
	switch role {
	case "":
		delete(r.Collaborators, strings.ToLower(login))
		return nil
	case "admin", "maintain", "write", "triage", "read":
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	s.user(login, "User")
	r.Collaborators[strings.ToLower(login)] = role
	return nil
}

// SetCustomRole gives a user a custom repository role named name that
// inherits base (read, triage, write or maintain, as GitHub allows): the
// user may do what base allows, and the permission route answers
// role_name name with the legacy permission of base.
func (s *Sim) SetCustomRole(fullName, login, name, base string) error {
	switch base {
	case "read", "triage", "write", "maintain":
	default:
		return fmt.Errorf("a custom role inherits read, triage, write or maintain, not %q", base)
	}
	switch name {
	case "", "admin", "maintain", "write", "triage", "read":
		return fmt.Errorf("custom role name %q is empty or a base role's", name)
	}
	if err := s.SetPermission(fullName, login, base); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	r.CustomRoles[strings.ToLower(login)] = name
	return nil
}

// AddTeam creates or updates team org/slug with active members.
func (s *Sim) AddTeam(org, slug string, members ...string) *Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(org + "/" + slug)
	t, ok := s.teams[key]
	if !ok {
		s.user(org, "Organization")
		t = &Team{ID: s.id(), Org: org, Slug: slug, Name: slug, Members: map[string]TeamMember{}}
		s.teams[key] = t
	}
	for _, m := range members {
		s.user(m, "User")
		t.Members[strings.ToLower(m)] = TeamMember{Role: "member", State: "active"}
	}
	return t
}

// SetTeamMember sets one membership's role and state (active or pending).
func (s *Sim) SetTeamMember(org, slug, login, role, state string) {
	t := s.AddTeam(org, slug)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user(login, "User")
	t.Members[strings.ToLower(login)] = TeamMember{Role: role, State: state}
}

// AddApp registers a GitHub App with a fresh RSA key.
func (s *Sim) AddApp(slug string) (*App, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &App{ID: s.id(), Slug: slug, Name: slug, PrivateKey: key}
	a.Owner = s.user("github-app-owner", "Organization")
	a.Bot = s.user(slug+"[bot]", "Bot")
	s.apps[a.ID] = a
	return a, nil
}

// Install installs an app on an account, for the given repositories or,
// with none, for all of the account's repositories.
func (s *Sim) Install(app *App, account string, repos ...string) *Installation {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &Installation{ID: s.id(), App: app, Account: s.user(account, "Organization"),
		Permissions: map[string]string{"contents": "write", "pull_requests": "write", "issues": "write",
			"metadata": "read", "checks": "read", "statuses": "read", "members": "read", "actions": "read"}}
	if len(repos) > 0 {
		in.Repos = map[string]bool{}
		for _, r := range repos {
			in.Repos[strings.ToLower(r)] = true
		}
	}
	s.insts[in.ID] = in
	return in
}

// Push commits files (path → content, nil deletes) on a branch as a person,
// creating the branch from the default branch when it does not exist, and
// returns the new commit id. It is how tests play a human pushing.
func (s *Sim) Push(fullName, branch, login string, files map[string]*string, message string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return "", err
	}
	return s.commitFiles(r, branch, s.user(login, "User"), CommitOptions{Files: files, Message: message})
}

// Signature is a Git author or committer line: whatever the pusher writes.
type Signature struct {
	Name  string
	Email string
	When  time.Time
}

// CommitOptions describe a commit pushed with PushCommit. Every field is
// what a person running git can set to anything; only the push itself
// (its time and the account) is recorded by the server.
type CommitOptions struct {
	Files   map[string]*string // path → content; nil content deletes
	Message string
	// Author and Committer default to the pusher at the server's time.
	Author, Committer Signature
	// Parent is the commit to build on; empty means the branch tip (the
	// default branch's tip for a new branch).
	Parent string
	// SignedByPusher signs the commit with a key the pusher registered on
	// their account. GitHub shows any user's own valid signature as
	// Verified when the committer e-mail is the signer's (reason "valid");
	// with another committer e-mail it is not verified ("bad_email").
	SignedByPusher bool
}

// PushCommit creates one commit with any author, committer, dates and
// message and pushes it to branch as login, as `git push` would (a force
// push when Parent is not a descendant of the tip). The activity log
// records the push at the server's time, by login; the commit is unsigned.
func (s *Sim) PushCommit(fullName, branch, login string, o CommitOptions) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return "", err
	}
	return s.commitFiles(r, branch, s.user(login, "User"), o)
}

// ForcePush points branch at an existing commit as login, as
// `git push --force` does, and records it in the activity log (a
// force_push, a push when it fast-forwards, a branch_creation when new).
func (s *Sim) ForcePush(fullName, branch, login, sha string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	h := plumbing.NewHash(sha)
	if _, err := r.git.commit(h); !plumbing.IsHash(sha) || err != nil {
		return fmt.Errorf("no commit %s in %s", sha, fullName)
	}
	return s.moveRef(r, "refs/heads/"+branch, h, s.user(login, "User"), "")
}

func (s *Sim) commitFiles(r *Repo, branch string, pusher *User, o CommitOptions) (string, error) {
	g := r.git
	var parent plumbing.Hash
	if o.Parent != "" {
		parent = plumbing.NewHash(o.Parent)
		if _, err := g.commit(parent); !plumbing.IsHash(o.Parent) || err != nil {
			return "", fmt.Errorf("no commit %s in %s", o.Parent, r.FullName())
		}
	} else if h, ok := g.ref("refs/heads/" + branch); ok {
		parent = h
	} else {
		parent, _ = g.ref("refs/heads/" + r.DefaultBranch)
	}
	flat := map[string]entry{}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		c, err := g.commit(parent)
		if err != nil {
			return "", err
		}
		if flat, err = g.flatten(c.TreeHash); err != nil {
			return "", err
		}
		parents = []plumbing.Hash{parent}
	}
	paths := make([]string, 0, len(o.Files))
	for p := range o.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if o.Files[p] == nil {
			delete(flat, p)
			continue
		}
		h, err := g.putBlob([]byte(*o.Files[p]))
		if err != nil {
			return "", err
		}
		flat[p] = entry{Mode: filemode.Regular, Hash: h}
	}
	tree, err := g.writeTree(flat)
	if err != nil {
		return "", err
	}
	now := s.now()
	sig := func(o Signature) object.Signature {
		if o.Name == "" && o.Email == "" {
			o.Name, o.Email = pusher.Name, pusher.Email
		}
		if o.When.IsZero() {
			o.When = now
		}
		return signature(o.Name, o.Email, o.When)
	}
	author := sig(o.Author)
	committer := author
	if o.Committer != (Signature{}) {
		committer = sig(o.Committer)
	}
	h, err := g.writeCommit(&object.Commit{Author: author, Committer: committer, Message: o.Message, TreeHash: tree, ParentHashes: parents})
	if err != nil {
		return "", err
	}
	if o.SignedByPusher {
		v := verification{Reason: "bad_email"}
		if strings.EqualFold(committer.Email, pusher.Email) {
			v = verification{Verified: true, Reason: "valid"}
		}
		r.verified[h] = v
	}
	if err := s.moveRef(r, "refs/heads/"+branch, h, pusher, ""); err != nil {
		return "", err
	}
	return h.String(), nil
}

// SetCheckRun records a check run result on a commit as GitHub Actions
// does for a workflow job (status queued, in_progress or completed, with
// a conclusion when completed). An existing run of the same name and app
// is updated.
func (s *Sim) SetCheckRun(fullName, sha, name, status, conclusion string) error {
	return s.SetCheckRunBy(fullName, sha, name, status, conclusion, nil)
}

// SetCheckRunBy is SetCheckRun for a run created by app (nil means GitHub
// Actions), for tests where another integration posts a same-named check.
func (s *Sim) SetCheckRunBy(fullName, sha, name, status, conclusion string, app *App) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	if app == nil {
		app = s.actionsApp()
	}
	for _, cr := range r.checkRuns[sha] {
		if cr.Name == name && cr.App == app {
			cr.Status, cr.Conclusion = status, conclusion
			if status == "completed" {
				cr.CompletedAt = s.now()
			}
			return nil
		}
	}
	r.checkRuns[sha] = append(r.checkRuns[sha], s.newCheckRun(app, sha, name, status, conclusion))
	return nil
}

// SetStatus records a commit status as a user (an integration, usually).
func (s *Sim) SetStatus(fullName, sha, contextName, state, login string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	r.statuses[sha] = append(r.statuses[sha], &Status{ID: s.id(), State: state, Context: contextName, Creator: s.user(login, "User"), CreatedAt: s.now()})
	return nil
}

// AddComment posts a comment as a user (created if needed) and returns
// its id, for tests that play people commenting.
func (s *Sim) AddComment(fullName string, number int, login, body string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is, err := s.issueNamed(fullName, number, false)
	if err != nil {
		return 0, err
	}
	now := s.now()
	u, ok := s.users[strings.ToLower(login)]
	if !ok {
		u = s.user(login, "User")
	}
	cm := &Comment{ID: s.id(), Issue: number, User: u, Body: body, CreatedAt: now, UpdatedAt: now}
	r.comments = append(r.comments, cm)
	is.UpdatedAt = now
	return cm.ID, nil
}

// Merge merges a pull request as a person would in the web interface.
func (s *Sim) Merge(fullName string, number int, login, method string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is, err := s.issueNamed(fullName, number, true)
	if err != nil {
		return "", err
	}
	sha, status, msg := s.merge(r, is, s.user(login, "User"), method, "", "", "")
	if status != http.StatusOK {
		return "", fmt.Errorf("merge %s#%d: %d %s", fullName, number, status, msg)
	}
	return sha, nil
}

// RenameUser changes a login, as a user renaming their account does: the
// account keeps its id and everything it made (comments, reviews, pushes,
// roles, team memberships), its tokens keep working, and the old login no
// longer resolves (GET /users/{old} answers 404).
func (s *Sim) RenameUser(oldLogin, newLogin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	oldKey, newKey := strings.ToLower(oldLogin), strings.ToLower(newLogin)
	u, ok := s.users[oldKey]
	if !ok {
		return fmt.Errorf("no user %s", oldLogin)
	}
	if _, taken := s.users[newKey]; taken && newKey != oldKey {
		return fmt.Errorf("login %s is taken", newLogin)
	}
	delete(s.users, oldKey)
	u.Login = newLogin
	if u.Name == oldLogin {
		u.Name = newLogin
	}
	if u.Type == "User" {
		u.Email = fmt.Sprintf("%d+%s@users.noreply.github.com", u.ID, newLogin)
	}
	s.users[newKey] = u
	for _, r := range s.repos {
		if role, ok := r.Collaborators[oldKey]; ok {
			delete(r.Collaborators, oldKey)
			r.Collaborators[newKey] = role
		}
		if name, ok := r.CustomRoles[oldKey]; ok {
			delete(r.CustomRoles, oldKey)
			r.CustomRoles[newKey] = name
		}
	}
	for _, t := range s.teams {
		if m, ok := t.Members[oldKey]; ok {
			delete(t.Members, oldKey)
			t.Members[newKey] = m
		}
	}
	return nil
}

// User returns a copy of the account with this login, or false.
func (s *Sim) User(login string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[strings.ToLower(login)]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// InstallationToken mints an installation access token for in, valid for
// an hour of the simulator's clock, as POST
// /app/installations/{id}/access_tokens would; tests that do not exercise
// the JWT exchange use it.
func (s *Sim) InstallationToken(in *Installation) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	scoped := *in
	return s.newToken("ghs_", &principal{user: in.App.Bot, inst: &scoped, expires: s.opts.Now().Add(time.Hour).UTC().Truncate(time.Second)})
}

// EditComment changes a comment's body as login would in the web
// interface (any writer can edit anyone's comment): the body changes,
// updated_at moves to the server's time, the author stays.
func (s *Sim) EditComment(fullName string, id int64, login, body string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	for _, c := range r.comments {
		if c.ID == id {
			c.Body, c.UpdatedAt = body, s.now()
			return nil
		}
	}
	return fmt.Errorf("no comment %d in %s", id, fullName)
}

// DeleteComment deletes an issue comment, as its author or a writer can
// through DELETE …/issues/comments/{id} (which checks those rights; this
// seeding call does not): a writer can remove Baton's own comments.
func (s *Sim) DeleteComment(fullName string, id int64, login string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.repoNamed(fullName)
	if err != nil {
		return err
	}
	if !r.removeComment(id) {
		return fmt.Errorf("no comment %d in %s", id, fullName)
	}
	return nil
}

// AddReview submits a pull request review as login: event APPROVE,
// REQUEST_CHANGES or COMMENT, on the pull request's current head. It
// returns the review id.
func (s *Sim) AddReview(fullName string, number int, login, event, body string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, is, err := s.issueNamed(fullName, number, true)
	if err != nil {
		return 0, err
	}
	state := map[string]string{"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}[event]
	if state == "" {
		return 0, fmt.Errorf("review event %q is not APPROVE, REQUEST_CHANGES or COMMENT", event)
	}
	u := s.user(login, "User")
	if is.User != nil && is.User.ID == u.ID && state != "COMMENTED" {
		return 0, fmt.Errorf("%s cannot %s their own pull request", login, strings.ToLower(event))
	}
	rv := &Review{ID: s.id(), User: u, Body: body, State: state, CommitID: is.PR.HeadSHA, SubmittedAt: s.now()}
	is.PR.Reviews = append(is.PR.Reviews, rv)
	return rv.ID, nil
}

// newToken registers a fresh random token with GitHub's prefix for p.
func (s *Sim) newToken(prefix string, p *principal) string {
	tok := prefix + randHex(18)
	s.tokens[tok] = p
	return tok
}

// issueNamed finds an issue (or, with wantPR, a pull request) by
// repository and number, for the seeding API (the caller holds s.mu).
func (s *Sim) issueNamed(fullName string, number int, wantPR bool) (*Repo, *Issue, error) {
	r, err := s.repoNamed(fullName)
	if err != nil {
		return nil, nil, err
	}
	is, ok := r.issues[number]
	if !ok || wantPR && is.PR == nil {
		return nil, nil, fmt.Errorf("no issue or pull request %s#%d", fullName, number)
	}
	return r, is, nil
}

// SetInstallationPermissions lays perms (e.g. {"checks": "write"}) over an
// installation's permissions; "" removes one. Tokens minted afterwards
// carry them.
func (s *Sim) SetInstallationPermissions(in *Installation, perms map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(in.Permissions)
	for k, v := range perms {
		if v == "" {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	in.Permissions = next
}
