package promotion

import (
	"context"
	"errors"
	"fmt"

	"github.com/baton-dev/baton/internal/githost"
)

// This file reads Baton's branch and pull request for the writer
// (supersede.go): the head, the open pull request, and Baton's record of
// a commit on the branch, which counts only when the activity log proves
// Baton pushed it (recordOf, commitProvenance).

// headNow reads the branch's head ("" when the branch is gone).
func (w *writer) headNow(ctx context.Context) (string, error) {
	sha, err := w.gh.Ref(ctx, w.req.ConfigRepo, w.ref)
	if errors.Is(err, githost.ErrNotFound) {
		return "", nil
	}
	return sha, err
}

// observe reads Baton's pull request and the branch afresh.
func (w *writer) observe(ctx context.Context) (state, error) {
	prs, err := w.gh.OpenPRsForHead(ctx, w.req.ConfigRepo, w.res.Branch)
	if err != nil {
		return state{}, err
	}
	if len(prs) > 0 && w.self.User.ID == 0 {
		if w.self, err = w.gh.Self(ctx); err != nil {
			return state{}, fmt.Errorf("tell whether pull request #%d on %s is Baton's: %w", prs[0].Number, w.res.Branch, err)
		}
	}
	pr := ownPR(prs, w.self, w.req.ConfigRepo, w.res.Branch)
	head := ""
	if pr != nil {
		head = pr.HeadSHA
	} else if head, err = w.headNow(ctx); err != nil {
		return state{}, err
	}
	return w.read(ctx, pr, head, nil)
}

// read completes a state from a head: Baton's record of it when it is
// another run's commit.
func (w *writer) read(ctx context.Context, pr *githost.PR, head string, log []githost.Activity) (state, error) {
	st := state{pr: pr, head: head, exists: head != ""}
	if pr != nil {
		pr.HeadSHA = head
	}
	if head == "" || head == w.commit {
		return st, nil
	}
	cmp, err := w.gh.CompareBranch(ctx, w.req.ConfigRepo, w.defaultBranch, head)
	if err != nil {
		return st, err
	}
	if err := w.identify(ctx); err != nil {
		return st, err
	}
	st.held, err = w.record(ctx, cmp.Head, log)
	return st, err
}

// record reads Baton's record of a commit on the branch (recordOf): the
// activity log given (log, may be nil) proves Baton pushed it, or the
// newest part of the log is read for that proof. A commit nobody proves
// Baton's has no record: its trailers are not read, it is never kept
// against a bump and never put back.
func (w *writer) record(ctx context.Context, c *githost.AuthoredCommit, log []githost.Activity) (*heldRecord, error) {
	if c == nil {
		return nil, nil
	}
	if _, ok := batonSet(log, c.SHA, w.self); !ok {
		var err error
		if log, err = proofLog(ctx, w.gh, w.req.ConfigRepo, w.res.Branch, c.SHA, w.self); err != nil {
			return nil, err
		}
	}
	return recordOf(c, w.self, w.res.Branch, log), nil
}

// identify learns who Baton is when this run has not needed it yet: a
// commit on the branch counts as Baton's record only by that.
func (w *writer) identify(ctx context.Context) error {
	if w.self.User.ID != 0 {
		return nil
	}
	self, err := w.gh.Self(ctx)
	if err != nil {
		return fmt.Errorf("tell whether the head of %s is Baton's: %w", w.res.Branch, err)
	}
	w.self = self
	return nil
}

// recordAt reads Baton's record of a commit that was on the branch: nil
// when the commit is not provably Baton's or records another app or
// environment.
func (w *writer) recordAt(ctx context.Context, sha string, log []githost.Activity) (*heldRecord, error) {
	cmp, err := w.gh.CompareBranch(ctx, w.req.ConfigRepo, w.defaultBranch, sha)
	if errors.Is(err, githost.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := w.identify(ctx); err != nil {
		return nil, err
	}
	held, err := w.record(ctx, cmp.Head, log)
	if err != nil || held == nil || held.trailers[TrailerApp] != w.app.Name || held.trailers[TrailerEnv] != w.env.Name {
		return nil, err
	}
	return held, nil
}
