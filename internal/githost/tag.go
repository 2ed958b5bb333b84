package githost

// Tag is a tag as its ref and (for an annotated tag) its tag object show
// it. Anyone with write access can create a tag, so a tag of the right
// name on the right commit proves nothing about who made it.
type Tag struct {
	Name string
	// Commit is the commit the tag points at, peeled through an
	// annotated tag object.
	Commit string
	// Annotated says the ref points at a tag object; Message is that
	// object's message ("" for a lightweight tag).
	Annotated bool
	Message   string
}

// Reaction is a reaction Baton added to a comment. User is the account
// that reacted: Baton's own identity, in every auth mode, since GitHub
// names the token's account in the answer. New is false when that
// account had already reacted so to the comment (GitHub answers 200
// instead of 201), which tells a run that another run saw the comment.
type Reaction struct {
	ID      int64
	Content string
	User    User
	New     bool
}
