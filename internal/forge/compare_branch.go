package forge

import (
	"context"

	"github.com/baton-dev/baton/internal/githost"
)

// CompareBranch compares head (a branch or commit) with base in one
// request: the base's head commit with its tree, and the head commit with
// the accounts GitHub links its author and committer to and whether it
// verified the commit's signature. A bump reads both at once: the base to
// build on, and Baton's record of what its branch holds.
//
// Route: GET /repos/{owner}/{repo}/compare/{base}...{head}. Unknown
// commits are githost.ErrNotFound.
func (c *Client) CompareBranch(ctx context.Context, repo, base, head string) (*githost.BranchCompare, error) {
	cmp, err := c.compare(ctx, repo, base, head, perPage)
	if err != nil {
		return nil, err
	}
	bc := cmp.GetBaseCommit()
	out := &githost.BranchCompare{
		Base:  githost.Commit{SHA: bc.GetSHA(), Tree: bc.GetCommit().GetTree().GetSHA(), Message: bc.GetCommit().GetMessage()},
		Ahead: cmp.GetAheadBy(),
	}
	for _, p := range bc.Parents {
		out.Base.Parents = append(out.Base.Parents, p.GetSHA())
	}
	if n := len(cmp.Commits); n > 0 && out.Ahead > 0 {
		rc := cmp.Commits[n-1] // oldest first: the last is the head
		out.Head = &githost.AuthoredCommit{
			SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
			Author: user(rc.GetAuthor()), Committer: user(rc.GetCommitter()),
			CommitterEmail: rc.GetCommit().GetCommitter().GetEmail(),
			Verified:       rc.GetCommit().GetVerification().GetVerified(),
		}
		for _, p := range rc.Parents {
			out.Head.Parents = append(out.Head.Parents, p.GetSHA())
		}
	}
	return out, nil
}
