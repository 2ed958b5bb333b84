package promotion

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/policy"
)

// maxRounds bounds how often one bump re-reads the branch after another
// run moved it, before it gives up.
const maxRounds = 8

// writer puts a bump's commit on Baton's branch and makes the one pull
// request describe what the branch holds, against other runs bumping the
// same app and environment at the same time.
//
// GitHub offers no compare-and-swap on a ref, so the rules are: before
// moving the branch, the version on it (Baton's record of its head commit,
// never the pull request's body) is compared with ours and never lowered.
// After each update of the branch, the repository's activity log — GitHub's
// record of what the update replaced and of what came after it — is read
// back: a newer run's commit that another run put there between our read
// and our write is put back, and a newer version that came after ours
// wins. Then the pull request is written, and only an edit whose answer
// shows our commit as the head ends the bump; otherwise it starts over
// from what is there. A run that yields to a newer version after writing
// makes the pull request describe that version (its late edit may have
// overwritten the newer run's) and keeps the newest version it has seen on
// the branch.
type writer struct {
	gh            BumpGitHub
	req           BumpRequest
	res           *BumpResult
	self          githost.Identity
	app           *policy.App
	env           *policy.Env
	files         []string
	defaultBranch string
	ref           string      // heads/baton/<env>/<app>
	commit        string      // our commit
	title, body   string      // our pull request
	prev          *heldRecord // Baton's proven record of the head replaced
	// claim is what the replaced head's trailers claimed when the bump
	// did not need to prove it: the "superseded" note names its version
	// only if the log read back after the write proves it Baton's.
	claim *heldRecord
	// log is the branch's activity as last read back after a write.
	log     []githost.Activity
	depth   int  // how often yield handed back to run
	touched bool // this run wrote the branch or the pull request
	// since bounds the activity log read back after a write: a little
	// before GitHub created our commit (its server time).
	since time.Time
	// made is GitHub's server time of our commit's creation.
	made time.Time
	// seen is the id of the last activity entry this run has read.
	seen int64
}

// state is one reading of Baton's branch and pull request.
type state struct {
	pr     *githost.PR // Baton's open pull request; nil when none
	head   string      // the branch's head; "" when the branch does not exist
	held   *heldRecord // Baton's record of head; nil when head is not Baton's or ours
	exists bool        // whether head was read (false: not read yet)
}

// run writes the bump, starting from Baton's open pull request pr (nil:
// none was found before the commit was made).
func (w *writer) run(ctx context.Context, pr *githost.PR) (*BumpResult, error) {
	st := state{pr: pr}
	if pr != nil {
		st.head, st.exists = pr.HeadSHA, true
		st.held = w.prev
	}
	opened := false // this run opened it
	mayBeOurs := false
	for round := 0; round < maxRounds; round++ {
		if st.exists && st.head != w.commit && st.head != "" {
			// Another version is on the branch: ours replaces it only when
			// it is not newer.
			why, err := w.keeps(ctx, st.held)
			if err != nil {
				return nil, err
			}
			if why != "" {
				return w.yield(ctx, st, why)
			}
		}
		if st.pr == nil {
			res, next, lost, err := w.open(ctx, st)
			if err != nil || res != nil {
				return res, err
			}
			st, mayBeOurs = next, lost
			continue
		}
		if w.res.Outcome == Created || mayBeOurs && !st.pr.CreatedAt.Truncate(time.Second).Before(w.made.Truncate(time.Second)) {
			// This run opened it, or GitHub says it exists and opened it
			// (server time) no earlier than our commit was made: our
			// creation's answer was lost, or a run racing ours opened it
			// in the same moment. The body, which any writer can edit,
			// decides nothing.
			opened = true
		}
		mayBeOurs = false
		if st.head != w.commit {
			next, err := w.write(ctx, w.commit, st.head, nil, st.pr)
			if err != nil {
				return nil, err
			}
			if next.head != w.commit {
				st = next
				continue
			}
		}
		// Always written, even when the last read showed our text: another
		// run's late edit may land after any read, and only an edit whose
		// answer shows our head on the branch ends the bump.
		w.touched = true
		updated, err := w.gh.UpdatePR(ctx, w.req.ConfigRepo, st.pr.Number, w.title, w.body)
		if err != nil {
			return nil, err
		}
		updated.Labels = st.pr.Labels
		// The answer names the head as it was when the edit landed.
		if updated.HeadSHA == w.commit {
			return w.done(ctx, updated, opened)
		}
		if st, err = w.read(ctx, updated, updated.HeadSHA, nil); err != nil {
			return nil, err
		}
	}
	return nil, &githost.Error{Op: "update " + w.res.Branch + " in " + w.req.ConfigRepo, Kind: githost.ErrConflict,
		Message: fmt.Sprintf("gave up after %d rounds: other runs keep changing the branch", maxRounds)}
}

// keeps says why the version held on the branch must stay ("" when ours
// may replace it): it is ours already, or newer.
func (w *writer) keeps(ctx context.Context, held *heldRecord) (string, error) {
	switch {
	case held == nil:
		return "", nil // not Baton's record: nothing to keep
	case held.image.String() == w.req.Image.String():
		return fmt.Sprintf("another run put %s on %s meanwhile", w.req.Image.Version(), w.res.Branch), nil
	case w.req.AllowDowngrade:
		return "", nil
	}
	return held.newerThan(ctx, w.gh, w.app, w.req)
}

// open creates the branch (optimistically: a branch that exists answers
// 422) and the pull request. It returns a result when done, or the state
// to go on from when another run got there first; lost says GitHub
// answered that the pull request exists, which may be our own creation
// whose answer was lost.
func (w *writer) open(ctx context.Context, st state) (res *BumpResult, next state, lost bool, err error) {
	createdRef := false
	if !st.exists {
		err := w.gh.CreateRef(ctx, w.req.ConfigRepo, w.ref, w.commit)
		switch {
		case err == nil:
			createdRef = true
		case errors.Is(err, githost.ErrExists):
			next, err := w.observe(ctx)
			return nil, next, false, err
		default:
			return nil, st, false, err
		}
	} else if st.head != w.commit {
		// The branch exists without Baton's pull request: left by a run
		// that failed, or a racing run's that has not opened it yet.
		next, err := w.write(ctx, w.commit, st.head, nil, nil)
		if err != nil || next.head != w.commit {
			return nil, next, false, err
		}
	}
	pr, err := w.gh.CreatePR(ctx, w.req.ConfigRepo, githost.NewPR{Title: w.title, Head: w.res.Branch, Base: w.defaultBranch, Body: w.body})
	if errors.Is(err, githost.ErrExists) {
		// A racing run opened it, or ours did and the answer was lost.
		next, err := w.observe(ctx)
		if err == nil && next.pr == nil {
			err = fmt.Errorf("open a pull request for %s in %s: GitHub says one exists, but none from Baton is open on %s", w.res.Branch, w.req.ConfigRepo, w.defaultBranch)
		}
		return nil, next, true, err
	}
	if err != nil {
		if createdRef {
			// No pull request points at the branch we made: remove it
			// rather than leave an orphan.
			if derr := w.gh.DeleteRef(ctx, w.req.ConfigRepo, w.ref); derr != nil {
				err = errors.Join(err, fmt.Errorf("remove the branch %s again: %w", w.res.Branch, derr))
			}
		}
		return nil, st, false, err
	}
	if err := w.gh.AddLabels(ctx, w.req.ConfigRepo, pr.Number, []string{"baton", "env:" + w.env.Name}); err != nil {
		return nil, st, false, fmt.Errorf("pull request #%d was opened, but labeling it failed: %w", pr.Number, err)
	}
	pr.HeadSHA = w.commit
	pr.Labels = []string{"baton", "env:" + w.env.Name}
	w.res.Outcome, w.res.PR = Created, pr
	if createdRef {
		// Nobody had the branch: no run can have read an older state of it
		// and be about to overwrite ours.
		return w.res, st, false, nil
	}
	// We replaced a branch another run may be writing too: read it back.
	head, err := w.headNow(ctx)
	if err != nil || head == w.commit {
		return w.res, st, false, err
	}
	next, err = w.read(ctx, pr, head, nil)
	return nil, next, false, err
}

// done ends a bump whose commit the branch holds after its pull request
// was written: it says what was superseded and restores the labels.
func (w *writer) done(ctx context.Context, pr *githost.PR, opened bool) (*BumpResult, error) {
	pr.HeadSHA = w.commit
	w.res.PR, w.res.Notice = pr, ""
	if opened {
		w.res.Outcome = Created
		return w.res, restoreLabels(ctx, w.gh, w.req.ConfigRepo, pr, w.env)
	}
	w.res.Outcome = Updated
	prev := "the previous version"
	if w.prev != nil {
		prev = code(w.prev.image.Version())
	} else if w.claim != nil && recordOf(w.claim.commit, w.self, w.res.Branch, w.log) != nil {
		prev = code(w.claim.image.Version())
	}
	// The marker says, in a comment of Baton's own, that the head was set
	// before every comment with a greater id (evidence.go orders
	// approvals made in the same second by it).
	note := fmt.Sprintf("Superseded %s by %s: the branch was rebuilt on the current %s. Approvals given before this update no longer count.\n\n%s",
		prev, code(w.req.Image.Version()), code(w.defaultBranch), HeadMarker(w.commit))
	if _, err := w.gh.Comment(ctx, w.req.ConfigRepo, pr.Number, note); err != nil {
		return nil, fmt.Errorf("pull request #%d was updated, but commenting failed: %w", pr.Number, err)
	}
	return w.res, restoreLabels(ctx, w.gh, w.req.ConfigRepo, pr, w.env)
}

// yield ends a bump that found a version on the branch it must not
// replace. When this run wrote the branch or the pull request, its writes
// may have lowered or misdescribed a newer run's: until a read shows the
// branch holding the newest version this run has seen, that version is
// put back on the branch and the pull request rewritten from Baton's
// record of it.
func (w *writer) yield(ctx context.Context, st state, why string) (*BumpResult, error) {
	w.res.Outcome, w.res.PR = Skipped, st.pr
	if st.held != nil && st.held.image.String() == w.req.Image.String() {
		w.res.Outcome = Unchanged
	}
	w.res.Notice = why
	if st.pr != nil {
		w.res.Notice += fmt.Sprintf(" (pull request #%d carries it)", st.pr.Number)
	}
	if !w.touched || st.pr == nil {
		return w.res, nil
	}
	best := st.held
	for round := 0; round < maxRounds && best != nil; round++ {
		if st.head != best.sha {
			next, err := w.write(ctx, best.sha, st.head, best, st.pr)
			if err != nil {
				return nil, err
			}
			if next.head != best.sha {
				st = next
				if st.held != nil && newerRecord(st.held, best) {
					best = st.held
				}
				continue
			}
		}
		title, body := renderRecord(best, w.files, w.env)
		updated, err := w.gh.UpdatePR(ctx, w.req.ConfigRepo, st.pr.Number, title, body)
		if err != nil {
			return nil, err
		}
		head := updated.HeadSHA // the head when the edit landed
		if head == best.sha {
			return w.res, nil
		}
		if st, err = w.read(ctx, st.pr, head, nil); err != nil {
			return nil, err
		}
		if head == w.commit && w.depth < 2 {
			w.depth++
			return w.run(ctx, st.pr) // ours came back: finish it
		}
		if st.held != nil && newerRecord(st.held, best) {
			best = st.held
		}
	}
	return w.res, nil
}

// write force-updates the branch to sha — our commit (cur nil), or the
// newer run's commit cur that we put back — over checked, the head we
// judged, and reads the repository's activity log back. The log is
// GitHub's record of what the update replaced and of what came after it:
// when it replaced a commit we never judged (a run moved the branch
// between our read and our write) that holds a newer version, the commit
// is put back, and the log read again. It returns the branch as the log
// leaves it.
func (w *writer) write(ctx context.Context, sha, checked string, cur *heldRecord, pr *githost.PR) (state, error) {
	for round := 0; round < maxRounds; round++ {
		w.touched = true
		if err := w.gh.UpdateRef(ctx, w.req.ConfigRepo, w.ref, sha, true); err != nil {
			return state{}, err
		}
		// The newest page of the log, back to a little before our commit:
		// our update and what came after it, and usually the entry that
		// set what it replaced (the proof that Baton pushed that).
		log, err := w.gh.RecentActivity(ctx, w.req.ConfigRepo, "refs/heads/"+w.res.Branch, func(newestFirst []githost.Activity) bool {
			return len(newestFirst) > 0 && newestFirst[len(newestFirst)-1].Timestamp.Before(w.since)
		})
		if errors.Is(err, githost.ErrNotFound) {
			log, err = nil, nil // no activity API (an older GitHub Enterprise Server): judge by the head
		}
		if err != nil {
			return state{}, err
		}
		w.log = log
		// Our update is the first entry setting sha, since our commit was
		// made, after the last entry this run has read (another run may
		// set the same commit later).
		mine := -1
		for i := range log {
			if log[i].After == sha && log[i].ID > w.seen && !log[i].Timestamp.Before(w.since) {
				mine = i
				break
			}
		}
		if n := len(log); n > 0 && log[n-1].ID > w.seen {
			w.seen = log[n-1].ID
		}
		if mine < 0 {
			// The log does not show the update (yet): judge by the head.
			head, err := w.headNow(ctx)
			if err != nil {
				return state{}, err
			}
			return w.read(ctx, pr, head, nil)
		}
		head := log[len(log)-1].After
		next, err := w.read(ctx, pr, head, log)
		if err != nil {
			return state{}, err
		}
		if head == sha && cur != nil {
			next.held = cur
		}
		gone := log[mine].Before
		if gone == checked || gone == sha || strings.Trim(gone, "0") == "" {
			return next, nil
		}
		lost, err := w.recordAt(ctx, gone, log)
		if err != nil || lost == nil {
			return next, err
		}
		newer := false
		if cur == nil {
			why, err := w.keeps(ctx, lost)
			if err != nil {
				return state{}, err
			}
			newer = why != "" && lost.image.String() != w.req.Image.String()
		} else {
			newer = newerRecord(lost, cur)
		}
		if !newer || head != sha && next.held != nil && !newerRecord(lost, next.held) {
			return next, nil // what we replaced was not newer, or a newer one came after
		}
		// We lowered a newer run's commit: put it back, and check that
		// write the same way.
		sha, checked, cur = lost.sha, head, lost
	}
	return state{}, &githost.Error{Op: "update " + w.res.Branch + " in " + w.req.ConfigRepo, Kind: githost.ErrConflict,
		Message: fmt.Sprintf("gave up after %d rounds: other runs keep changing the branch", maxRounds)}
}
