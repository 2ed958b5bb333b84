// Package ghsim simulates the parts of GitHub's REST API that Baton uses,
// faithfully enough that Baton cannot pass against it and fail against
// github.com: real Git object ids, GitHub's status codes and error bodies,
// pagination, rate-limit headers, App JWTs and installation tokens,
// permissions and teams, and fault injection per route.
//
// A Sim is an http.Handler. Tests seed it through its Go API, serve it on
// loopback (httptest or cmd/ghsim), drive it with any GitHub client, then
// read its state and its request log.
package ghsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Options configure a simulator.
type Options struct {
	// DataDir keeps bare repositories on disk (DIR/owner/name.git) so that
	// the git CLI can read them; empty keeps everything in memory.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RateLimit is the primary rate limit per identity and hour; 0 means 5000.
	RateLimit int
	// MergeableDelay is how many GETs of a pull request answer
	// "mergeable": null after its head or base changes, as GitHub does while
	// it computes the merge in the background. Negative means none.
	MergeableDelay int
}

// Sim is the simulated GitHub. Its methods are safe for concurrent use.
type Sim struct {
	mu   sync.Mutex
	opts Options
	mux  *http.ServeMux

	nextID  int64
	users   map[string]*User // by login
	tokens  map[string]*principal
	repos   map[string]*Repo // by lower-case full name
	teams   map[string]*Team // by org/slug
	apps    map[int64]*App
	insts   map[int64]*Installation
	rates   map[string]*rateState
	faults  []*Fault
	log     []Request
	baseURL string
}

// User is a GitHub account: a person, an organization or a bot.
type User struct {
	Login string
	ID    int64
	Type  string // User, Organization or Bot
	Name  string
	Email string
}

// principal is who a token speaks for.
type principal struct {
	user    *User
	inst    *Installation // set for installation tokens
	expires time.Time     // zero for personal tokens
}

// Team is an organization team.
type Team struct {
	ID      int64
	Org     string
	Slug    string
	Name    string
	Members map[string]TeamMember
}

// TeamMember is one membership of a team.
type TeamMember struct {
	Role  string // member or maintainer
	State string // active or pending
}

// App is a GitHub App.
type App struct {
	ID         int64
	Slug       string
	Name       string
	Owner      *User
	Bot        *User
	PrivateKey *rsa.PrivateKey
}

// PrivateKeyPEM returns the app's private key as GitHub hands it out.
func (a *App) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a.PrivateKey)})
}

// Installation is an app installed on an account for some repositories.
type Installation struct {
	ID          int64
	App         *App
	Account     *User
	Repos       map[string]bool // lower-case full names; nil means all of the account's
	Permissions map[string]string
}

// Repo is a repository with its Git data and its pull requests, issues,
// comments, statuses and releases.
type Repo struct {
	ID            int64
	Owner         *User
	Name          string
	Private       bool
	DefaultBranch string
	MergeMethods  map[string]bool
	Collaborators map[string]string // login → admin, maintain, write, triage, read
	Created       time.Time

	git        *gitRepo
	nextNumber int
	issues     map[int]*Issue
	comments   []*Comment
	statuses   map[string][]*Status // by commit id
	checkRuns  map[string][]*CheckRun
	releases   []*Release
	verified   map[plumbing.Hash]verification
	labels     map[string]*Label
}

// FullName is owner/name.
func (r *Repo) FullName() string { return r.Owner.Login + "/" + r.Name }

type verification struct {
	Verified bool
	Reason   string
}

// Label is a repository label.
type Label struct {
	ID    int64
	Name  string
	Color string
}

// Issue is an issue or, with a non-nil PR, a pull request.
type Issue struct {
	Number    int
	ID        int64
	Title     string
	Body      string
	User      *User
	State     string // open or closed
	Labels    []string
	CreatedAt time.Time
	UpdatedAt time.Time
	ClosedAt  time.Time
	PR        *PullRequest
}

// PullRequest is the pull-request part of an issue.
type PullRequest struct {
	ID        int64
	Head      string // branch name in the same repository
	HeadSHA   string
	Base      string
	BaseSHA   string // base branch tip when head or base last changed
	Draft     bool
	Merged    bool
	MergedAt  time.Time
	MergedBy  *User
	MergeSHA  string
	Reviews   []*Review
	pending   int // GETs left that answer mergeable: null
	headMoved time.Time
}

// Review is a pull request review.
type Review struct {
	ID          int64
	User        *User
	Body        string
	State       string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	CommitID    string
	SubmittedAt time.Time
}

// Comment is an issue comment.
type Comment struct {
	ID        int64
	Issue     int
	User      *User
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Reactions []*Reaction
}

// Reaction is a reaction to a comment.
type Reaction struct {
	ID      int64
	User    *User
	Content string
}

// Status is a commit status.
type Status struct {
	ID          int64
	State       string
	Context     string
	Description string
	TargetURL   string
	Creator     *User
	CreatedAt   time.Time
}

// CheckRun is a check run on a commit.
type CheckRun struct {
	ID         int64
	Name       string
	Status     string // queued, in_progress, completed
	Conclusion string // success, failure, neutral, cancelled, skipped, timed_out, action_required
	HeadSHA    string
}

// Release is a GitHub release.
type Release struct {
	ID              int64
	TagName         string
	TargetCommitish string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	Latest          bool // make_latest: true
	NotLatest       bool // make_latest: false
	Author          *User
	CreatedAt       time.Time
}

// New returns an empty simulator.
func New(opts Options) *Sim {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.MergeableDelay == 0 {
		opts.MergeableDelay = 1
	}
	s := &Sim{
		opts:   opts,
		nextID: 1000,
		users:  map[string]*User{},
		tokens: map[string]*principal{},
		repos:  map[string]*Repo{},
		teams:  map[string]*Team{},
		apps:   map[int64]*App{},
		insts:  map[int64]*Installation{},
		rates:  map[string]*rateState{},
	}
	s.routes()
	return s
}

func (s *Sim) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

func (s *Sim) id() int64 {
	s.nextID++
	return s.nextID
}

// SetBaseURL tells the simulator the URL it is served at, for the url
// fields of its answers. Serve and cmd/ghsim call it.
func (s *Sim) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimSuffix(u, "/")
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

func (s *Sim) user(login, typ string) *User {
	key := strings.ToLower(login)
	if u, ok := s.users[key]; ok {
		return u
	}
	u := &User{Login: login, ID: s.id(), Type: typ, Name: login, Email: login + "@users.noreply.github.com"}
	if typ == "User" {
		u.Email = fmt.Sprintf("%d+%s@users.noreply.github.com", u.ID, login)
	}
	s.users[key] = u
	return u
}

// Token returns a new personal access token for a user (created if needed).
func (s *Sim) Token(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(login, "User")
	tok := "ghp_" + randHex(18)
	s.tokens[tok] = &principal{user: u}
	return tok
}

// BotToken returns a token for a bot account, like the Actions GITHUB_TOKEN
// (github-actions[bot]) or another integration's.
func (s *Sim) BotToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(login, "Bot")
	tok := "ghs_" + randHex(18)
	s.tokens[tok] = &principal{user: u}
	return tok
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// RepoOptions describe a repository to create.
type RepoOptions struct {
	Private       bool
	DefaultBranch string            // "main" when empty
	Files         map[string]string // the initial commit's files; none means an empty repository
	Message       string            // the initial commit's message
	Author        string            // login of the initial commit's author; the owner when empty
	MergeMethods  []string          // allowed merge methods; all when empty
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
		if _, err := s.commitFiles(r, o.DefaultBranch, author, files, msg); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// SetPermission gives a user a role on a repository: admin, maintain,
// write, triage or read; "" removes the user.
func (s *Sim) SetPermission(fullName, login, role string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return fmt.Errorf("no repository %s", fullName)
	}
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
			"metadata": "read", "checks": "read", "statuses": "read", "members": "read"}}
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
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return "", fmt.Errorf("no repository %s", fullName)
	}
	return s.commitFiles(r, branch, s.user(login, "User"), files, message)
}

func (s *Sim) commitFiles(r *Repo, branch string, author *User, files map[string]*string, message string) (string, error) {
	g := r.git
	parent, ok := g.ref("refs/heads/" + branch)
	if !ok {
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
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if files[p] == nil {
			delete(flat, p)
			continue
		}
		h, err := g.putBlob([]byte(*files[p]))
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
	sig := signature(author.Name, author.Email, now)
	h, err := g.writeCommit(&object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: tree, ParentHashes: parents})
	if err != nil {
		return "", err
	}
	if err := g.setRef("refs/heads/"+branch, h); err != nil {
		return "", err
	}
	s.branchMoved(r, branch)
	return h.String(), nil
}

// branchMoved updates the pull requests whose head or base is branch.
func (s *Sim) branchMoved(r *Repo, branch string) {
	tip, _ := r.git.ref("refs/heads/" + branch)
	for _, is := range r.issues {
		pr := is.PR
		if pr == nil || is.State != "open" {
			continue
		}
		if pr.Head == branch && !tip.IsZero() && pr.HeadSHA != tip.String() {
			pr.HeadSHA = tip.String()
			pr.headMoved = s.now()
			pr.pending = s.opts.MergeableDelay
			is.UpdatedAt = s.now()
		}
		if pr.Base == branch {
			pr.pending = s.opts.MergeableDelay
		}
	}
}

// FileAt returns a file's content at a branch, tag or commit.
func (s *Sim) FileAt(fullName, rev, path string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return "", fmt.Errorf("no repository %s", fullName)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return ""
	}
	h, ok := r.git.ref(ref)
	if !ok {
		return ""
	}
	return h.String()
}

// Refs lists the references of a repository whose names start with prefix.
func (s *Sim) Refs(fullName, prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil
	}
	refs, _ := r.git.refs(prefix)
	out := make([]string, len(refs))
	for i, ref := range refs {
		out[i] = ref.Name().String()
	}
	return out
}

// PullRequests returns copies of a repository's pull requests, by number.
func (s *Sim) PullRequests(fullName string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil
	}
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
}

// Comments returns copies of the comments on an issue or pull request.
func (s *Sim) Comments(fullName string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil
	}
	var out []Comment
	for _, c := range r.comments {
		if c.Issue == number {
			out = append(out, *c)
		}
	}
	return out
}

// Releases returns copies of a repository's releases, oldest first.
func (s *Sim) Releases(fullName string) []Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil
	}
	out := make([]Release, len(r.releases))
	for i, rel := range r.releases {
		out[i] = *rel
	}
	return out
}

// SetCheckRun records a check run result on a commit (status queued,
// in_progress or completed, with a conclusion when completed).
func (s *Sim) SetCheckRun(fullName, sha, name, status, conclusion string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return fmt.Errorf("no repository %s", fullName)
	}
	for _, cr := range r.checkRuns[sha] {
		if cr.Name == name {
			cr.Status, cr.Conclusion = status, conclusion
			return nil
		}
	}
	r.checkRuns[sha] = append(r.checkRuns[sha], &CheckRun{ID: s.id(), Name: name, Status: status, Conclusion: conclusion, HeadSHA: sha})
	return nil
}

// SetStatus records a commit status as a user (an integration, usually).
func (s *Sim) SetStatus(fullName, sha, contextName, state, login string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return fmt.Errorf("no repository %s", fullName)
	}
	r.statuses[sha] = append(r.statuses[sha], &Status{ID: s.id(), State: state, Context: contextName, Creator: s.user(login, "User"), CreatedAt: s.now()})
	return nil
}

// GitDir returns the on-disk bare repository of fullName when the
// simulator keeps its data on disk, for tests that run the git CLI.
func (s *Sim) GitDir(fullName string) string {
	if s.opts.DataDir == "" {
		return ""
	}
	return s.opts.DataDir + "/" + fullName + ".git"
}

// Serve starts the simulator on a loopback port and returns the server;
// the caller closes it. The simulator's URLs point at it.
func (s *Sim) Serve() *httptest.Server {
	srv := httptest.NewServer(s)
	s.SetBaseURL(srv.URL)
	return srv
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
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		return nil, fmt.Errorf("no repository %s", fullName)
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
