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
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// NoRateLimit as Options.RateLimit turns the primary rate limit off.
const NoRateLimit = -1

// Options configure a simulator.
type Options struct {
	// DataDir keeps bare repositories on disk (DIR/owner/name.git) so that
	// the git CLI can read them; empty keeps everything in memory.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RateLimit is the primary rate limit per identity and hour; 0 means
	// GitHub's 5,000. NoRateLimit turns it off for authenticated requests
	// (benchmarks that must not depend on the machine's speed); anonymous
	// requests keep GitHub's 60.
	RateLimit int
	// Sleep waits out injected latency; nil means time.Sleep. Tests pass a
	// fake clock's Sleep so latency advances simulated time, not wall time.
	Sleep func(time.Duration)
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
	random  *randomFaults
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
	Archived      bool // read-only: writes answer 403
	MergeMethods  map[string]bool
	Collaborators map[string]string // login → admin, maintain, write, triage, read
	// CustomRoles names the custom repository role of a collaborator
	// (login → role name); Collaborators holds the base role it
	// inherits, which decides what the user may do.
	CustomRoles map[string]string
	Created     time.Time

	git        *gitRepo
	nextNumber int
	issues     map[int]*Issue
	comments   []*Comment
	statuses   map[string][]*Status // by commit id
	checkRuns  map[string][]*CheckRun
	releases   []*Release
	verified   map[plumbing.Hash]verification
	labels     map[string]*Label
	activity   []*Activity
	runs       map[int64]*WorkflowRun
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
	CommitID    string // the pull request's head when it was submitted
	SubmittedAt time.Time
	// DismissedBy and DismissMessage are set when the review was dismissed.
	DismissedBy    *User
	DismissMessage string
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
	ID        int64
	User      *User
	Content   string
	CreatedAt time.Time
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
	App        *App // the App that created it; GitHub Actions for seeded runs
	Name       string
	Status     string // queued, in_progress, completed
	Conclusion string // success, failure, neutral, cancelled, skipped, timed_out, action_required
	HeadSHA    string
	StartedAt  time.Time
	// CompletedAt is set when Status becomes completed.
	CompletedAt time.Time
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
	if opts.Sleep == nil {
		opts.Sleep = time.Sleep
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

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
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
