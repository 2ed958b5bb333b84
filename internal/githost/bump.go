package githost

// Identity is the account Baton acts as: a user for a token, the App's bot
// account ("<slug>[bot]") for an App installation. GitHub vouches for it:
// it is what the API answers for the credentials, not a name Baton was
// told.
type Identity struct {
	Login string
	ID    int64 // the account's id; 0 when GitHub did not say
	// App is true when Baton authenticates as a GitHub App: then GitHub
	// signs the commits Baton creates, and they show as Verified.
	App bool
}

// Known reports whether the identity was established.
func (i Identity) Known() bool { return i.Login != "" || i.ID != 0 }

// Is reports whether a user (login, id) is this identity: by id when both
// ids are known (logins can be renamed), else by login.
func (i Identity) Is(login string, id int64) bool {
	if i.ID != 0 && id != 0 {
		return i.ID == id
	}
	return i.Login != "" && login == i.Login
}

// AuthoredCommit is a commit with what GitHub says about who made it: the
// accounts it links the author and committer to, and whether it verified
// the commit's signature.
type AuthoredCommit struct {
	SHA     string
	Tree    string
	Parents []string
	Message string
	// AuthorLogin/AuthorID and CommitterLogin/CommitterID are the GitHub
	// accounts GitHub links the commit's author and committer to ("" and 0
	// when it links none).
	AuthorLogin, CommitterLogin string
	AuthorID, CommitterID       int64
	Verified                    bool
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
