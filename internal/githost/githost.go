// Package githost holds the domain model Baton's use cases and its GitHub
// adapter share: commits, pull requests, comments, and errors typed by what
// the caller must do. It imports no GitHub client, so the use cases in
// internal/promotion depend only on it and on interfaces they define.
package githost

import "time"

// Repo is a repository's settings that Baton reads.
type Repo struct {
	FullName      string
	DefaultBranch string
	HTMLURL       string
	Archived      bool // read-only: GitHub refuses every write
}

// User is a GitHub account as the API shows it. ID is the stable
// identity: logins can be renamed and reused, ids cannot.
type User struct {
	ID    int64
	Login string
	Type  string // User, Bot or Organization
}

// Identity is who Baton acts as. For a GitHub App, User is the App's bot
// user ("<slug>[bot]") and AppID and AppSlug name the App; for a user
// token, AppID is 0.
type Identity struct {
	User    User
	AppID   int64
	AppSlug string
}

// Commit is a Git commit.
type Commit struct {
	SHA      string
	Tree     string
	Parents  []string
	Message  string
	Verified bool
	// VerificationReason is GitHub's verification.reason: valid,
	// unsigned, unknown_key, bad_email, ... ("" when GitHub gave none).
	VerificationReason string
	// Committed is the committer date. For a commit Baton creates without
	// a committer it is GitHub's server time of the creation.
	Committed time.Time
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
	// User is the account that opened the pull request (Author is its
	// login); compare ids, not logins.
	User User
	// MergedByUser is the account that merged it (MergedBy is its login).
	MergedByUser User
	// HeadRef and BaseRef are the head and base branch names, the same
	// as Head and Base (kept for the callers that use those names).
	HeadRef, BaseRef string
	// HeadRepo and BaseRepo are the full names of the repositories of the
	// head and base branches; a head in another repository is a fork.
	HeadRepo, BaseRepo string
	// DefaultBranch is the base repository's default branch, as the pull
	// request's base.repo shows it ("" when the answer did not say).
	DefaultBranch string
	// BaseSHA is the base branch's commit GitHub compared against.
	BaseSHA string
	// CreatedAt and UpdatedAt are GitHub's server times.
	CreatedAt, UpdatedAt time.Time
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
	// UpdatedAt is GitHub's server time of the last edit; it differs from
	// CreatedAt when anyone (any writer can) edited the comment.
	UpdatedAt time.Time
	// User is the comment's author (Author is its login).
	User User
}

// Review is a pull request review.
type Review struct {
	ID       int64
	Author   string
	State    string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	CommitID string // the head the review was given for
	// SubmittedAt is GitHub's server time of the submission.
	SubmittedAt time.Time
	// User is the reviewer (Author is its login).
	User User
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
	// VerificationReason is GitHub's verification.reason (valid,
	// unsigned, ...).
	VerificationReason string
	// AuthorID is the id of the GitHub account the author e-mail belongs
	// to (author.id; 0 when none), and CommitterEmail is the committer's
	// e-mail as the commit records it.
	AuthorID       int64
	CommitterEmail string
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

// Status is one commit status (POST /repos/{o}/{r}/statuses/{sha}).
// Creator is who posted it: anyone with write access can post any
// context, so a required status is trusted only from a known creator.
type Status struct {
	ID          int64
	Context     string
	State       string // error, failure, pending, success
	Description string
	TargetURL   string
	Creator     User
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// App is a GitHub App as a check run names it.
type App struct {
	ID   int64
	Slug string
}

// CheckRun is one check run of a commit. App is the GitHub App that
// created it (GitHub Actions is id 15368, slug github-actions on
// github.com); a check run's name alone proves nothing.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string // queued, in_progress, completed, ...
	Conclusion  string // success, failure, neutral, ... ("" until completed)
	App         App
	StartedAt   time.Time
	CompletedAt time.Time
}

// Activity is one entry of a repository's activity log
// (GET /repos/{o}/{r}/activity): a push, force push, branch creation or
// deletion, or merge, with the server's time and who did it.
type Activity struct {
	ID        int64
	Before    string // the ref's commit before the activity
	After     string // the ref's commit after it
	Ref       string // refs/heads/<branch>
	Timestamp time.Time
	// Type is GitHub's activity_type: push, force_push, branch_creation,
	// branch_deletion, pr_merge or merge_queue_merge.
	Type  string
	Actor User
}

// Release is a GitHub release.
type Release struct {
	ID      int64
	Tag     string
	URL     string
	Name    string
	Target  string
	Created time.Time
	// Author is the account that created the release: anyone with write
	// access can release any tag, so only a release by Baton's identity
	// is Baton's.
	Author User
}

// NewRelease is a release to create.
type NewRelease struct {
	Tag, Target, Name, Body string
	Latest                  bool
}
