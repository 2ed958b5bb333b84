// Package githost holds the domain model Baton's use cases and its GitHub
// adapter share: commits, pull requests, comments, and errors typed by what
// the caller must do. It imports no GitHub client, so the use cases in
// internal/promotion depend only on it and on interfaces they define.
package githost

import (
	"errors"
	"fmt"
	"time"
)

// Errors are typed by what the caller must do. An *Error matches exactly
// one of these with errors.Is.
var (
	// ErrNotFound: the object does not exist or the token cannot see it.
	ErrNotFound = errors.New("not found")
	// ErrExists: the object to create already exists (a ref, a pull
	// request, a release).
	ErrExists = errors.New("already exists")
	// ErrConflict: someone changed the object meanwhile (non-fast-forward
	// ref update, head moved before a merge); rebuild and retry.
	ErrConflict = errors.New("conflict")
	// ErrRetryable: a transient failure (5xx, rate limit, reset) that
	// outlived the retries.
	ErrRetryable = errors.New("temporary failure")
	// ErrPermanent: a failure that retrying cannot fix (bad credentials,
	// missing permission, validation).
	ErrPermanent = errors.New("failed")
)

// Error is a failed call to the hosting service.
type Error struct {
	Op         string        // what Baton was doing, e.g. "create ref refs/heads/x in acme/config"
	Status     int           // HTTP status, 0 for transport failures
	Message    string        // the service's message
	Kind       error         // one of the Err* values above
	RetryAfter time.Duration // for rate limits
	Err        error         // the underlying error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status > 0 {
		return fmt.Sprintf("%s: %d %s", e.Op, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s", e.Op, msg)
}

// Is matches the error's kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Repo is a repository's settings that Baton reads.
type Repo struct {
	FullName      string
	DefaultBranch string
	HTMLURL       string
}

// Commit is a Git commit.
type Commit struct {
	SHA      string
	Tree     string
	Parents  []string
	Message  string
	Verified bool
}

// PR is a pull request.
type PR struct {
	Number    int
	URL       string // html_url
	Title     string
	Body      string
	Head      string // branch name
	HeadSHA   string
	Base      string
	State     string // open or closed
	Merged    bool
	MergedAt  time.Time
	MergedBy  string
	MergeSHA  string
	Mergeable *bool
	// MergeableState is GitHub's mergeable_state: clean, unstable,
	// blocked, behind, dirty, draft, has_hooks or unknown.
	MergeableState string
	Labels         []string
	Author         string
	AuthorID       int64 // the author's account id; 0 when not read
}

// NewPR is a pull request to open.
type NewPR struct {
	Title, Head, Base, Body string
}

// SourceCommit is one commit of an app repository's history, for the
// pull request's changelog.
type SourceCommit struct {
	SHA     string
	Message string // first line
	Author  string
	URL     string
}

// Comparison is the result of comparing two app-repository commits.
type Comparison struct {
	Status  string // ahead, behind, identical, diverged
	Commits []SourceCommit
	URL     string
	Total   int
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID        int64
	Author    string
	AuthorBot bool
	Body      string
	CreatedAt time.Time
}

// Review is a pull request review.
type Review struct {
	ID       int64
	Author   string
	State    string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	CommitID string
}

// ChangedFile is one file of a comparison.
type ChangedFile struct {
	Path   string
	Status string // added, modified, removed, renamed
	Patch  string // hunks, or "" when GitHub omits them
}

// CommitInfo is a commit as the commits and compare APIs show it.
type CommitInfo struct {
	SHA       string
	Tree      string
	Message   string
	Author    string // GitHub login, "" when unknown
	Verified  bool
	Committed time.Time
}

// Diff is a comparison of two commits of one repository.
type Diff struct {
	Status    string // ahead, behind, identical, diverged
	MergeBase CommitInfo
	Commits   []CommitInfo // oldest first
	Files     []ChangedFile
}

// CheckState is the state of a commit's checks.
type CheckState struct {
	// Pending and Failing list the checks (statuses by context, check runs
	// by name) that are not done, or done but not successful.
	Pending, Failing []string
	// Passed lists the successful ones.
	Passed []string
}

// Release is a GitHub release.
type Release struct {
	ID      int64
	Tag     string
	URL     string
	Name    string
	Target  string
	Created time.Time
}

// NewRelease is a release to create.
type NewRelease struct {
	Tag, Target, Name, Body string
	Latest                  bool
}
