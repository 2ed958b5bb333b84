package forge

import (
	"context"
	"fmt"

	"github.com/baton-dev/baton/internal/githost"
)

// CompareBranch compares head (a branch or commit) with base in one
// request: the base's head commit with its tree, and the head commit with
// the accounts GitHub links its author and committer to and whether it
// verified the commit's signature. A bump reads both at once: the base to
// build on, and Baton's record of what its branch holds.
//
// Route: GET /repos/{owner}/{repo}/compare/{base}...{head}, and when
// head is more than 100 commits ahead the page that holds the head
// (GitHub pages the commits oldest first). Unknown commits are
// githost.ErrNotFound; a base or head that moved between the two pages
// is githost.ErrConflict.
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
	commits := cmp.Commits
	if out.Ahead > len(commits) && len(commits) > 0 {
		// The first page ends at the 100th commit, not at the head: read
		// the last page, and only if the comparison is still the same.
		last, err := c.comparePage(ctx, repo, base, head, perPage, (out.Ahead+perPage-1)/perPage)
		if err != nil {
			return nil, err
		}
		if last.GetAheadBy() != out.Ahead || last.GetBaseCommit().GetSHA() != out.Base.SHA || len(last.Commits) != out.Ahead-(out.Ahead-1)/perPage*perPage {
			return nil, &githost.Error{Op: fmt.Sprintf("compare %s...%s in %s", short(base), short(head), repo), Kind: githost.ErrConflict,
				Message: fmt.Sprintf("the comparison changed between its pages (%d commits ahead, then %d)", out.Ahead, last.GetAheadBy())}
		}
		commits = last.Commits
	}
	if n := len(commits); n > 0 && out.Ahead > 0 {
		rc := commits[n-1] // oldest first: the last of the last page is the head
		out.Head = &githost.AuthoredCommit{
			SHA: rc.GetSHA(), Tree: rc.GetCommit().GetTree().GetSHA(), Message: rc.GetCommit().GetMessage(),
			Author: user(rc.GetAuthor()), Committer: user(rc.GetCommitter()),
			Verified:           rc.GetCommit().GetVerification().GetVerified(),
			VerificationReason: rc.GetCommit().GetVerification().GetReason(),
			CommitterEmail:     rc.GetCommit().GetCommitter().GetEmail(),
		}
		for _, p := range rc.Parents {
			out.Head.Parents = append(out.Head.Parents, p.GetSHA())
		}
	}
	return out, nil
}
