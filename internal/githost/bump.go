package githost

// AuthoredCommit is a commit with what GitHub says about who made it: the
// accounts it links the author and committer to, and whether it verified
// the commit's signature.
type AuthoredCommit struct {
	SHA     string
	Tree    string
	Parents []string
	Message string
	// Author and Committer are the GitHub accounts GitHub links the
	// commit's author and committer to (zero when it links none).
	Author, Committer User
	// CommitterEmail is the committer's e-mail as the commit records it
	// (noreply@github.com when GitHub committed and signed it).
	CommitterEmail string
	Verified       bool
}

// BranchCompare is a branch compared with the default branch in one
// request (GET /repos/{o}/{r}/compare/{base}...{head}): the default
// branch's head and the other branch's head commit.
type BranchCompare struct {
	Base Commit // the base's head commit, with its tree
	// Head is the head commit when it is ahead of the base; nil when the
	// head has no commit of its own (identical or behind).
	Head *AuthoredCommit
	// Ahead is how many commits the head has that the base lacks.
	Ahead int
}
