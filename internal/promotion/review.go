package promotion

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/yamledit"
)

// ReviewGitHub is what the config-repository side (commands, merge,
// release) needs from the hosting service.
type ReviewGitHub interface {
	GitHub
	Commit(ctx context.Context, repo, sha string) (*githost.Commit, error)
	PR(ctx context.Context, repo string, number int) (*githost.PR, error)
	MergeablePR(ctx context.Context, repo string, number int) (*githost.PR, error)
	React(ctx context.Context, repo string, commentID int64, content string) error
	Permission(ctx context.Context, repo, user string) (string, error)
	TeamMember(ctx context.Context, org, team, user string) (bool, error)
	Comments(ctx context.Context, repo string, number int) ([]githost.Comment, error)
	Reviews(ctx context.Context, repo string, number int) ([]githost.Review, error)
	Diff(ctx context.Context, repo, base, head string) (*githost.Diff, error)
	Checks(ctx context.Context, repo, sha string) (*githost.CheckState, error)
	Merge(ctx context.Context, repo string, number int, sha, method, title, message string) (string, error)
	ClosePR(ctx context.Context, repo string, number int) error
	RemoveLabel(ctx context.Context, repo string, number int, label string) error
	CreateTag(ctx context.Context, repo, tag, message, sha string) error
	TagCommit(ctx context.Context, repo, tag string) (string, error)
	CreateRelease(ctx context.Context, repo string, n githost.NewRelease) (*githost.Release, error)
	ReleaseByTag(ctx context.Context, repo, tag string) (*githost.Release, error)
	OpenPRsForSHA(ctx context.Context, repo, sha string) ([]*githost.PR, error)
}

// Labels Baton keeps state in, visible on the pull request.
const (
	LabelHold    = "baton:hold"
	LabelChanges = "baton:changes-requested"
)

// Promotion is a Baton pull request read from GitHub and checked.
type Promotion struct {
	Repo   string
	PR     *githost.PR
	Env    *policy.Env
	App    string
	Policy *policy.Policy
	// Record is read from the head commit Baton made (trusted), not from
	// the pull request body (which anyone with write access can edit).
	Record Trailers
	Head   githost.CommitInfo
	diff   *githost.Diff
	// base holds the declared files at the merge base, as verify read them.
	base map[string][]byte
	app  *policy.App
}

// Trailers are the Baton-* trailers of a commit message.
type Trailers map[string]string

// ParseTrailers reads the Baton-* trailers of a commit message.
func ParseTrailers(msg string) Trailers {
	t := Trailers{}
	for _, line := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && strings.HasPrefix(k, "Baton-") && !strings.ContainsAny(k, " \t") {
			t[k] = strings.TrimSpace(v)
		}
	}
	return t
}

// ParseBranch splits baton/<env>/<app>.
func ParseBranch(branch string) (env, app string, ok bool) {
	rest, found := strings.CutPrefix(branch, "baton/")
	if !found {
		return "", "", false
	}
	env, app, ok = strings.Cut(rest, "/")
	return env, app, ok && env != "" && app != "" && !strings.Contains(app, "/")
}

// IsBatonPR reports whether a pull request is one of Baton's: its head is
// baton/<env>/<app> and it carries the baton label.
func IsBatonPR(pr *githost.PR) bool {
	if _, _, ok := ParseBranch(pr.Head); !ok {
		return false
	}
	for _, l := range pr.Labels {
		if l == "baton" {
			return true
		}
	}
	return false
}

func hasLabel(pr *githost.PR, label string) bool {
	for _, l := range pr.Labels {
		if l == label {
			return true
		}
	}
	return false
}

// Result is the outcome of a command or merge attempt.
type Result struct {
	// Reply is the comment Baton posts (or posted) on the pull request.
	Reply string
	// Ignored says why an event was not acted on ("" when it was).
	Ignored  string
	Merged   bool
	MergeSHA string
	Release  *githost.Release
	// Waiting says what the merge waits for.
	Waiting string
	PR      *githost.PR
}

// CommentEvent is an issue_comment event.
type CommentEvent struct {
	Repo       string
	Number     int
	IsPR       bool
	CommentID  int64
	Author     string
	AuthorType string // User or Bot
	Body       string
	Action     string // created, edited, deleted
	CreatedAt  time.Time
	// Self is Baton's own login, when known, so it never acts on its own
	// comments.
	Self string
}

// command returns the command on the first line of a comment. Words after
// the command ("/approve looks good") are a remark, not arguments; ok is
// false only for "/baton" followed by something other than help.
func command(body string) (name string, ok bool) {
	first, _, _ := strings.Cut(strings.TrimLeft(body, " \t\r\n"), "\n")
	f := strings.Fields(first)
	if len(f) == 0 {
		return "", false
	}
	switch f[0] {
	case "/approve", "/lgtm":
		return "approve", true
	case "/hold":
		return "hold", true
	case "/unhold":
		return "unhold", true
	case "/cancel":
		return "cancel", true
	case "/baton":
		return "help", len(f) == 2 && f[1] == "help"
	}
	return "", false
}

// HandleComment runs a PR comment command. Comment text is untrusted: it is
// parsed for a command word and never echoed into replies, outputs or
// workflow commands.
func HandleComment(ctx context.Context, gh ReviewGitHub, ev CommentEvent) (*Result, error) {
	switch {
	case ev.Action != "created":
		return &Result{Ignored: fmt.Sprintf("comment %s, not created: only new comments are commands", ev.Action)}, nil
	case ev.AuthorType == "Bot" || strings.HasSuffix(ev.Author, "[bot]") || ev.Self != "" && strings.EqualFold(ev.Author, ev.Self):
		return &Result{Ignored: "comment by a bot: bots cannot run commands"}, nil
	case !ev.IsPR:
		return &Result{Ignored: "comment on an issue, not a pull request"}, nil
	}
	cmd, ok := command(ev.Body)
	if cmd == "" {
		return &Result{Ignored: "no command on the comment's first line"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if !IsBatonPR(pr) {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not a Baton promotion", pr.Number)}, nil
	}
	if strings.EqualFold(ev.Author, pr.Author) {
		return &Result{Ignored: "comment by Baton itself"}, nil
	}
	if err := gh.React(ctx, ev.Repo, ev.CommentID, "eyes"); err != nil {
		return nil, err
	}
	res := &Result{PR: pr}
	reply := func(format string, args ...any) (*Result, error) {
		res.Reply = fmt.Sprintf(format, args...)
		_, err := gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
		return res, err
	}
	if !ok {
		return reply("@%s I did not understand that command. %s", ev.Author, helpText)
	}
	if pr.State != "open" {
		return reply("@%s this pull request is %s; there is nothing to do.", ev.Author, pr.State)
	}
	if cmd == "help" {
		return reply("%s", helpText)
	}
	p, err := loadPromotion(ctx, gh, ev.Repo, pr)
	if err != nil {
		if errors.As(err, new(*ConfigError)) {
			return reply("@%s I cannot act on this pull request: %v", ev.Author, err)
		}
		return nil, err
	}
	switch cmd {
	case "hold", "unhold", "cancel":
		if ok, why, err := authorizeWriter(ctx, gh, p, ev.Author); err != nil {
			return nil, err
		} else if !ok {
			return reply("@%s `/%s` refused: %s.", ev.Author, cmd, why)
		}
		switch cmd {
		case "hold":
			if err := gh.AddLabels(ctx, ev.Repo, pr.Number, []string{LabelHold}); err != nil {
				return nil, err
			}
			return reply("Held by @%s: Baton will not merge this pull request until someone with write access comments `/unhold`.", ev.Author)
		case "cancel":
			if err := gh.ClosePR(ctx, ev.Repo, pr.Number); err != nil {
				return nil, err
			}
			return reply("Cancelled by @%s: closed without merging. The next bump of %s to %s opens a new pull request.", ev.Author, p.App, p.Env.Name)
		}
		if err := gh.RemoveLabel(ctx, ev.Repo, pr.Number, LabelHold); err != nil {
			return nil, err
		}
		p.PR.Labels = without(p.PR.Labels, LabelHold)
		m, err := tryMerge(ctx, gh, p, nil)
		if err != nil {
			return nil, err
		}
		*res = *m
		return reply("Released by @%s. %s", ev.Author, m.Reply)
	}
	// approve
	if ok, why, err := authorizeApprover(ctx, gh, p, ev.Author); err != nil {
		return nil, err
	} else if !ok {
		return reply("@%s your approval does not count: %s.", ev.Author, why)
	}
	m, err := tryMerge(ctx, gh, p, &approval{user: ev.Author, at: ev.CreatedAt})
	if err != nil {
		return nil, err
	}
	*res = *m
	res.PR = pr
	_, err = gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
	return res, err
}

const helpText = "Baton commands (first line of a comment): `/approve` approves this promotion; " +
	"`/hold` stops Baton from merging it and `/unhold` lets it merge again; `/cancel` closes it; `/baton help` shows this. " +
	"Approvals count only for the content they saw: a newer image needs a new approval."

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// ReviewEvent is a pull_request_review event.
type ReviewEvent struct {
	Repo      string
	Number    int
	Author    string
	State     string // approved, changes_requested, commented, dismissed
	CommitID  string
	Action    string // submitted, edited, dismissed
	Submitted time.Time
}

// HandleReview counts a native review: an authorized APPROVED review of the
// current head counts like /approve; CHANGES_REQUESTED blocks the merge
// until the same reviewer approves.
func HandleReview(ctx context.Context, gh ReviewGitHub, ev ReviewEvent) (*Result, error) {
	if ev.Action != "submitted" {
		return &Result{Ignored: "review " + ev.Action + ", not submitted"}, nil
	}
	state := strings.ToUpper(ev.State)
	if state != "APPROVED" && state != "CHANGES_REQUESTED" {
		return &Result{Ignored: "review is a comment"}, nil
	}
	if strings.HasSuffix(ev.Author, "[bot]") {
		return &Result{Ignored: "review by a bot"}, nil
	}
	pr, err := gh.PR(ctx, ev.Repo, ev.Number)
	if err != nil {
		return nil, err
	}
	if !IsBatonPR(pr) || pr.State != "open" {
		return &Result{Ignored: fmt.Sprintf("pull request #%d is not an open Baton promotion", pr.Number)}, nil
	}
	p, err := loadPromotion(ctx, gh, ev.Repo, pr)
	if err != nil {
		return nil, err
	}
	reply := func(res *Result) (*Result, error) {
		res.PR = pr
		_, err := gh.Comment(ctx, ev.Repo, ev.Number, res.Reply)
		return res, err
	}
	ok, why, err := authorizeApprover(ctx, gh, p, ev.Author)
	if err != nil {
		return nil, err
	}
	if !ok {
		return reply(&Result{Reply: fmt.Sprintf("@%s your review does not count: %s.", ev.Author, why)})
	}
	if ev.CommitID != pr.HeadSHA {
		return reply(&Result{Reply: fmt.Sprintf("@%s your review is of %s, not of the current head %s: it does not count.", ev.Author, short(ev.CommitID), short(pr.HeadSHA))})
	}
	if state == "CHANGES_REQUESTED" {
		if err := gh.AddLabels(ctx, ev.Repo, pr.Number, []string{LabelChanges}); err != nil {
			return nil, err
		}
		return reply(&Result{Reply: fmt.Sprintf("@%s requested changes: Baton will not merge until they approve.", ev.Author)})
	}
	if hasLabel(pr, LabelChanges) {
		if err := gh.RemoveLabel(ctx, ev.Repo, pr.Number, LabelChanges); err != nil {
			return nil, err
		}
		p.PR.Labels = without(p.PR.Labels, LabelChanges)
	}
	res, err := tryMerge(ctx, gh, p, &approval{user: ev.Author, at: ev.Submitted, review: true})
	if err != nil {
		return nil, err
	}
	return reply(res)
}

// loadPromotion reads the policy and the trusted record of a Baton PR.
func loadPromotion(ctx context.Context, gh ReviewGitHub, repo string, pr *githost.PR) (*Promotion, error) {
	envName, app, _ := ParseBranch(pr.Head)
	pol, _, err := loadDefaultPolicy(ctx, gh, repo, policy.FileName)
	if err != nil {
		return nil, err
	}
	env, ok := pol.Env(envName)
	if !ok {
		return nil, &ConfigError{Err: fmt.Errorf("environment %q is no longer in %s", envName, pol.Source)}
	}
	return &Promotion{Repo: repo, PR: pr, Env: env, App: app, Policy: pol}, nil
}

// approval is one counted approval.
type approval struct {
	user   string
	at     time.Time
	review bool
}

// authorizeApprover checks a user against the environment's approvers
// (logins and @org/team with an active membership) or, with none listed,
// against write access. author_association is never consulted.
func authorizeApprover(ctx context.Context, gh ReviewGitHub, p *Promotion, user string) (bool, string, error) {
	if len(p.Env.Approvers) == 0 {
		return authorizeWriter(ctx, gh, p, user)
	}
	for _, a := range p.Env.Approvers {
		if !strings.HasPrefix(a, "@") && strings.EqualFold(a, user) {
			return true, "", nil
		}
	}
	for _, a := range p.Env.Approvers {
		org, team, ok := strings.Cut(strings.TrimPrefix(a, "@"), "/")
		if !strings.HasPrefix(a, "@") || !ok {
			continue
		}
		member, err := gh.TeamMember(ctx, org, team, user)
		var he *githost.Error
		if errors.As(err, &he) && (he.Status == 403 || he.Status == 401) {
			return false, fmt.Sprintf("Baton cannot read the membership of %s (%s): give its GitHub App the Members (read) organization permission", a, he.Message), nil
		}
		if err != nil {
			return false, "", err
		}
		if member {
			return true, "", nil
		}
	}
	return false, fmt.Sprintf("environment %s takes approvals from %s only", p.Env.Name, strings.Join(p.Env.Approvers, ", ")), nil
}

// authorizeWriter checks a user has write access or above (role_name).
func authorizeWriter(ctx context.Context, gh ReviewGitHub, p *Promotion, user string) (bool, string, error) {
	role, err := gh.Permission(ctx, p.Repo, user)
	if errors.Is(err, githost.ErrNotFound) {
		return false, "not a collaborator of " + p.Repo, nil
	}
	if err != nil {
		return false, "", err
	}
	switch role {
	case "admin", "maintain", "write":
		return true, "", nil
	}
	return false, fmt.Sprintf("it needs write access to %s, and @%s has %s", p.Repo, user, role), nil
}

// verify checks the head is exactly Baton's edit of the base: one commit
// made by Baton, changing only the declared files, and in them only the
// image values. It returns why not ("" when it is).
func verify(ctx context.Context, gh ReviewGitHub, p *Promotion) (string, error) {
	d, err := gh.Diff(ctx, p.Repo, p.PR.Base, p.PR.HeadSHA)
	if err != nil {
		return "", err
	}
	p.diff = d
	if len(d.Commits) != 1 {
		return fmt.Sprintf("the branch has %d commits; Baton makes exactly one (someone pushed to %s)", len(d.Commits), p.PR.Head), nil
	}
	head := d.Commits[0]
	p.Head = head
	if head.SHA != p.PR.HeadSHA {
		return "the head moved while Baton was checking it", nil
	}
	if !strings.EqualFold(head.Author, p.PR.Author) {
		return fmt.Sprintf("the commit %s was made by @%s, not by Baton (@%s)", short(head.SHA), dashIfEmpty(head.Author), p.PR.Author), nil
	}
	if strings.HasSuffix(p.PR.Author, "[bot]") && !head.Verified {
		return fmt.Sprintf("the commit %s is not signed by GitHub, so it was not made by Baton's App", short(head.SHA)), nil
	}
	p.Record = ParseTrailers(head.Message)
	if p.Record["Baton-Env"] != p.Env.Name || p.Record["Baton-App"] != p.App {
		return "the commit's Baton-Env/Baton-App trailers do not match the branch", nil
	}
	want, err := image.Parse(p.Record["Baton-Image"])
	if err != nil {
		return "the commit's Baton-Image trailer is not an image reference", nil
	}
	app, err := p.Policy.App(p.App, want.Name)
	if err != nil {
		return err.Error(), nil
	}
	files, err := p.Policy.Files(p.Env, app)
	if err != nil {
		return err.Error(), nil
	}
	declared := map[string]bool{}
	for _, f := range files {
		declared[f] = true
	}
	p.app = app
	p.base = map[string][]byte{}
	if len(d.Files) == 0 {
		return "the pull request changes nothing", nil
	}
	for _, f := range d.Files {
		if !declared[f.Path] || f.Status != "modified" {
			return fmt.Sprintf("it changes %s (%s), which is not one of this environment's files (%s)", f.Path, f.Status, strings.Join(files, ", ")), nil
		}
		base, err := gh.File(ctx, p.Repo, d.MergeBase.SHA, f.Path)
		if err != nil {
			return "", err
		}
		p.base[f.Path] = base
		res, err := yamledit.Edit(f.Path, base, want, yamledit.Options{Policies: app.FluxPolicies, Paths: app.Keys})
		if err != nil {
			return fmt.Sprintf("Baton's own edit of %s fails now: %v", f.Path, err), nil
		}
		head, ok := applyPatch(string(base), f.Patch)
		if !ok {
			b, err := gh.File(ctx, p.Repo, p.PR.HeadSHA, f.Path)
			if err != nil {
				return "", err
			}
			head = string(b)
		}
		if head != string(res.Output) {
			return fmt.Sprintf("%s differs from Baton's edit (only the %s image values may change)", f.Path, want.Name), nil
		}
	}
	return "", nil
}

// rebuildIfStale handles a base that moved: when it changed one of the
// promotion's files, Baton redoes its edit on the new base (not a textual
// rebase) and force-updates the branch. When the change it makes is the
// same (same versions from and to), approvals carry over through the
// Baton-Since trailer; otherwise they must be given again.
func rebuildIfStale(ctx context.Context, gh ReviewGitHub, p *Promotion) (bool, string, error) {
	tip, err := gh.Branch(ctx, p.Repo, p.PR.Base)
	if err != nil {
		return false, "", err
	}
	want, _ := image.Parse(p.Record["Baton-Image"])
	changed := map[string][]byte{}
	var stale, from []string
	seen := map[string]bool{}
	for path, old := range p.base {
		now, err := gh.File(ctx, p.Repo, tip.SHA, path)
		if err != nil {
			return false, "", err
		}
		res, err := yamledit.Edit(path, now, want, yamledit.Options{Policies: p.app.FluxPolicies, Paths: p.app.Keys})
		if err != nil {
			return false, "", &ConfigError{Err: err}
		}
		for _, f := range res.From() {
			if !seen[f] {
				seen[f] = true
				from = append(from, f)
			}
		}
		if string(now) != string(old) {
			stale = append(stale, path)
		}
		if res.Changed {
			changed[path] = res.Output
		}
	}
	if len(stale) == 0 {
		return false, "", nil
	}
	sort.Strings(stale)
	sort.Strings(from)
	if len(changed) == 0 {
		return true, fmt.Sprintf("Not merging: %s already has this image on %s; `/cancel` this pull request.", strings.Join(stale, ", "), p.PR.Base), nil
	}
	same := strings.Join(from, ", ") == p.Record["Baton-From"]
	record := Trailers{}
	for k, v := range p.Record {
		record[k] = v
	}
	record["Baton-From"] = strings.Join(from, ", ")
	delete(record, "Baton-Since")
	if same {
		since := p.Head.Committed
		if s, err := time.Parse(time.RFC3339, p.Record["Baton-Since"]); err == nil && s.Before(since) {
			since = s
		}
		record["Baton-Since"] = since.UTC().Format(time.RFC3339)
	}
	first, _, _ := strings.Cut(p.Head.Message, "\n")
	var msg strings.Builder
	msg.WriteString(first + "\n\n")
	for _, k := range []string{"Baton-App", "Baton-Env", "Baton-Image", "Baton-From", "Baton-Source", "Baton-Run", "Baton-Actor", "Baton-Since"} {
		if v := record[k]; v != "" {
			fmt.Fprintf(&msg, "%s: %s\n", k, v)
		}
	}
	tree, err := gh.CreateTree(ctx, p.Repo, tip.Tree, changed)
	if err != nil {
		return false, "", err
	}
	c, err := gh.CreateCommit(ctx, p.Repo, msg.String(), tree, []string{tip.SHA})
	if err != nil {
		return false, "", err
	}
	if err := gh.UpdateRef(ctx, p.Repo, "heads/"+p.PR.Head, c.SHA, true); err != nil {
		return false, "", err
	}
	note := "The change is the same, so approvals given so far still count; Baton merges once checks pass on the new head."
	if !same {
		note = fmt.Sprintf("It now changes %s → %s, so it needs approval again.", record["Baton-From"], want.Version())
	}
	return true, fmt.Sprintf("%s changed %s since this pull request was made, so Baton redid its edit on %s (%s). %s",
		p.PR.Base, strings.Join(stale, ", "), short(tip.SHA), short(c.SHA), note), nil
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// tryMerge merges a verified, approved, unheld, green pull request and
// releases it. ev is the approval that triggered the attempt, if any.
func tryMerge(ctx context.Context, gh ReviewGitHub, p *Promotion, ev *approval) (*Result, error) {
	res := &Result{PR: p.PR}
	if why, err := verify(ctx, gh, p); err != nil {
		return nil, err
	} else if why != "" {
		res.Waiting = "verification"
		res.Reply = "Not merging: " + why + ". Run the bump again to rebuild the branch, or `/cancel`."
		return res, nil
	}
	if p.diff.Status == "diverged" {
		rebuilt, reply, err := rebuildIfStale(ctx, gh, p)
		if err != nil {
			return nil, err
		}
		if rebuilt {
			res.Waiting = "rebuild"
			res.Reply = approvalNote(ev) + reply
			return res, nil
		}
	}
	if hasLabel(p.PR, LabelHold) {
		res.Waiting = "hold"
		res.Reply = approvalNote(ev) + "Not merging: held (`/unhold` releases it)."
		return res, nil
	}
	if hasLabel(p.PR, LabelChanges) {
		res.Waiting = "changes requested"
		res.Reply = approvalNote(ev) + "Not merging: changes were requested in a review."
		return res, nil
	}
	var approvers []string
	if p.Env.Merge == policy.MergeApproval {
		got, notes, err := countApprovals(ctx, gh, p, ev)
		if err != nil {
			return nil, err
		}
		approvers = got
		if len(got) < p.Env.Approvals {
			res.Waiting = "approvals"
			res.Reply = fmt.Sprintf("%sApprovals: %d of %d%s.%s", approvalNote(ev), len(got), p.Env.Approvals, listed(got), notes)
			return res, nil
		}
	}
	if wait, err := checksWait(ctx, gh, p); err != nil {
		return nil, err
	} else if wait != "" {
		res.Waiting = "checks"
		res.Reply = approvalNote(ev) + "Waiting: " + wait + ". Baton merges when they pass."
		return res, nil
	}
	return mergeAndRelease(ctx, gh, p, approvers, ev)
}

func approvalNote(ev *approval) string {
	if ev == nil {
		return ""
	}
	kind := "Approval"
	if ev.review {
		kind = "Approving review"
	}
	return fmt.Sprintf("%s by @%s counted. ", kind, ev.user)
}

func listed(users []string) string {
	if len(users) == 0 {
		return ""
	}
	return " (" + "@" + strings.Join(users, ", @") + ")"
}

// countApprovals counts distinct authorized approvers of the current
// content: the triggering approval, then (only when more are needed)
// /approve comments made after the content's last change and approving
// reviews of the head. The promotion's own actor does not count unless
// self-approval is on.
func countApprovals(ctx context.Context, gh ReviewGitHub, p *Promotion, ev *approval) ([]string, string, error) {
	actor := p.Record["Baton-Actor"]
	since := p.Head.Committed
	if s, err := time.Parse(time.RFC3339, p.Record["Baton-Since"]); err == nil && s.Before(since) {
		since = s
	}
	seen := map[string]bool{}
	var out []string
	var notes []string
	add := func(user string) {
		if !seen[strings.ToLower(user)] {
			seen[strings.ToLower(user)] = true
			out = append(out, user)
		}
	}
	self := func(user string) bool {
		return !p.Env.SelfApproval && actor != "" && strings.EqualFold(user, actor)
	}
	if ev != nil {
		switch {
		case self(ev.user):
			notes = append(notes, fmt.Sprintf(" @%s triggered this promotion, and environment %s does not take self-approval.", ev.user, p.Env.Name))
		case !ev.review && !ev.at.IsZero() && !ev.at.After(since):
			notes = append(notes, " That approval predates the current content.")
		default:
			add(ev.user)
		}
	}
	if len(out) >= p.Env.Approvals {
		return out, strings.Join(notes, ""), nil
	}
	comments, err := gh.Comments(ctx, p.Repo, p.PR.Number)
	if err != nil {
		return nil, "", err
	}
	candidates := map[string]bool{}
	for _, c := range comments {
		if cmd, ok := command(c.Body); ok && cmd == "approve" && !c.AuthorBot && !strings.HasSuffix(c.Author, "[bot]") &&
			c.CreatedAt.After(since) && !self(c.Author) && !strings.EqualFold(c.Author, p.PR.Author) {
			candidates[c.Author] = true
		}
	}
	reviews, err := gh.Reviews(ctx, p.Repo, p.PR.Number)
	if err != nil {
		return nil, "", err
	}
	latest := map[string]githost.Review{}
	for _, r := range reviews {
		if r.State == "APPROVED" || r.State == "CHANGES_REQUESTED" || r.State == "DISMISSED" {
			latest[strings.ToLower(r.Author)] = r
		}
	}
	for _, r := range latest {
		if r.State == "APPROVED" && r.CommitID == p.PR.HeadSHA && !self(r.Author) {
			candidates[r.Author] = true
		}
	}
	names := make([]string, 0, len(candidates))
	for u := range candidates {
		names = append(names, u)
	}
	sort.Strings(names)
	for _, u := range names {
		if seen[strings.ToLower(u)] {
			continue
		}
		ok, _, err := authorizeApprover(ctx, gh, p, u)
		if err != nil {
			return nil, "", err
		}
		if ok {
			add(u)
		}
	}
	return out, strings.Join(notes, ""), nil
}

// checksWait says what checks the merge waits for ("" when none). With
// checks: listed in the policy those must pass; otherwise GitHub's
// mergeable state must be clean (all checks passed, no conflict).
func checksWait(ctx context.Context, gh ReviewGitHub, p *Promotion) (string, error) {
	if len(p.Env.Checks) > 0 {
		st, err := gh.Checks(ctx, p.Repo, p.PR.HeadSHA)
		if err != nil {
			return "", err
		}
		var waits []string
		for _, name := range p.Env.Checks {
			switch {
			case contains(st.Failing, name):
				waits = append(waits, "check "+name+" failed")
			case !contains(st.Passed, name):
				waits = append(waits, "check "+name+" has not passed yet")
			}
		}
		return strings.Join(waits, ", "), nil
	}
	pr := p.PR
	if pr.Mergeable == nil {
		// GitHub computes mergeability in the background after a change.
		var err error
		if pr, err = gh.MergeablePR(ctx, p.Repo, pr.Number); err != nil {
			return "", err
		}
	}
	switch {
	case pr.Mergeable == nil:
		return "GitHub has not computed whether the pull request can merge", nil
	case !*pr.Mergeable:
		return "the pull request conflicts with " + pr.Base + " (run the bump again to rebuild it)", nil
	case pr.MergeableState == "clean" || pr.MergeableState == "has_hooks":
		return "", nil
	case pr.MergeableState == "blocked":
		return "branch protection blocks the merge (required reviews or checks)", nil
	case pr.MergeableState == "behind":
		return pr.Base + " moved and branch protection wants the branch up to date (run the bump again to rebuild it)", nil
	case pr.MergeableState == "draft":
		return "the pull request is a draft", nil
	}
	// unstable: some check failed or is pending; say which.
	st, err := gh.Checks(ctx, p.Repo, pr.HeadSHA)
	if err != nil {
		return "", err
	}
	var waits []string
	for _, n := range st.Failing {
		waits = append(waits, "check "+n+" failed")
	}
	for _, n := range st.Pending {
		waits = append(waits, "check "+n+" is pending")
	}
	if len(waits) == 0 {
		return "GitHub reports the pull request as " + pr.MergeableState, nil
	}
	return strings.Join(waits, ", "), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mergeAndRelease merges at the verified head and releases.
func mergeAndRelease(ctx context.Context, gh ReviewGitHub, p *Promotion, approvers []string, ev *approval) (*Result, error) {
	res := &Result{PR: p.PR}
	want := p.Record["Baton-Image"]
	ref, _ := image.Parse(want)
	title := fmt.Sprintf("chore(%s): bump %s to %s (#%d)", p.Env.Name, p.App, ref.Version(), p.PR.Number)
	var b strings.Builder
	for _, k := range []string{"Baton-App", "Baton-Env", "Baton-Image", "Baton-From", "Baton-Source", "Baton-Run", "Baton-Actor"} {
		if v := p.Record[k]; v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if len(approvers) > 0 {
		fmt.Fprintf(&b, "Baton-Approved-By: %s\n", strings.Join(approvers, ", "))
	}
	fmt.Fprintf(&b, "Baton-PR: #%d\n", p.PR.Number)
	sha, err := gh.Merge(ctx, p.Repo, p.PR.Number, p.PR.HeadSHA, p.Policy.MergeMethod, title, b.String())
	var merged *githost.PR // read once: merged_at names the release
	if err != nil {
		// A lost answer can hide a merge that happened: ask before saying no.
		if now, rerr := gh.PR(ctx, p.Repo, p.PR.Number); rerr == nil && now.Merged && now.MergeSHA != "" {
			sha, err, merged = now.MergeSHA, nil, now
		}
	}
	var he *githost.Error
	switch {
	case errors.Is(err, githost.ErrConflict):
		res.Waiting = "head moved"
		res.Reply = approvalNote(ev) + "Not merged: the branch changed while Baton was merging; it will be verified again on the next event."
		return res, nil
	case errors.As(err, &he) && he.Status == 405:
		res.Waiting = "not mergeable"
		res.Reply = approvalNote(ev) + "Not merged: GitHub refused the merge (" + he.Message + ")."
		return res, nil
	case err != nil:
		return nil, err
	}
	res.Merged, res.MergeSHA = true, sha
	if merged == nil {
		if merged, err = gh.PR(ctx, p.Repo, p.PR.Number); err != nil {
			return nil, fmt.Errorf("merged as %s, but reading the merge time failed: %w", short(sha), err)
		}
	}
	mergedBy := merged.MergedBy
	rel, err := Release(ctx, gh, ReleaseRequest{Repo: p.Repo, Policy: p.Policy, PR: merged, Record: recordWith(p.Record, approvers), MergedBy: mergedBy})
	if err != nil {
		return nil, fmt.Errorf("merged as %s, but the release failed: %w", short(sha), err)
	}
	res.Release = rel
	res.Reply = fmt.Sprintf("%sMerged as %s and released as [%s](%s).", approvalNote(ev), short(sha), rel.Tag, rel.URL)
	return res, nil
}

func recordWith(t Trailers, approvers []string) Trailers {
	out := Trailers{}
	for k, v := range t {
		out[k] = v
	}
	if len(approvers) > 0 {
		out["Baton-Approved-By"] = strings.Join(approvers, ", ")
	}
	return out
}

// MergeEvent asks Baton to merge the open promotions whose head is sha
// (check_suite, check_run, status events), or one pull request.
type MergeEvent struct {
	Repo   string
	SHA    string
	Number int
}

// HandleChecks tries to merge the Baton pull requests a finished check
// belongs to.
func HandleChecks(ctx context.Context, gh ReviewGitHub, ev MergeEvent) ([]*Result, error) {
	var prs []*githost.PR
	if ev.Number != 0 {
		pr, err := gh.PR(ctx, ev.Repo, ev.Number)
		if err != nil {
			return nil, err
		}
		prs = append(prs, pr)
	} else {
		var err error
		if prs, err = gh.OpenPRsForSHA(ctx, ev.Repo, ev.SHA); err != nil {
			return nil, err
		}
	}
	var out []*Result
	for _, pr := range prs {
		if !IsBatonPR(pr) || pr.State != "open" {
			continue
		}
		p, err := loadPromotion(ctx, gh, ev.Repo, pr)
		if err != nil {
			return nil, err
		}
		res, err := tryMerge(ctx, gh, p, nil)
		if err != nil {
			return nil, err
		}
		if res.Merged {
			if _, err := gh.Comment(ctx, ev.Repo, pr.Number, res.Reply); err != nil {
				return nil, err
			}
		}
		out = append(out, res)
	}
	return out, nil
}
