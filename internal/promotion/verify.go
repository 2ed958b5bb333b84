package promotion

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/yamledit"
)

// verifyGitHub is what verification reads: the comparison of base and
// head, and files at a commit.
type verifyGitHub interface {
	// Diff compares two commits of the config repository with their files
	// and patches (GET /repos/{o}/{r}/compare/{base}...{head}).
	Diff(ctx context.Context, repo, base, head string) (*githost.Diff, error)
	// File reads a file at a ref (GET /repos/{o}/{r}/contents/{path}?ref=).
	File(ctx context.Context, repo, ref, path string) ([]byte, error)
}

// rebuildGitHub is what rebuilding a stale branch needs: the base's tip,
// its files, and the Git Data API to write one commit.
type rebuildGitHub interface {
	verifyGitHub
	Branch(ctx context.Context, repo, branch string) (*githost.Commit, error)
	CreateTree(ctx context.Context, repo, baseTree string, files map[string][]byte) (string, error)
	CreateCommit(ctx context.Context, repo, message, tree string, parents []string) (*githost.Commit, error)
	UpdateRef(ctx context.Context, repo, ref, sha string, force bool) error
}

// verified is what verify established about a pull request's head: it is
// Baton's one commit, with this record, putting this image into these
// files of this app. Later steps take it as a parameter; nothing else
// carries it.
type verified struct {
	head   githost.CommitInfo // Baton's one commit, the pull request's head
	record Trailers           // the commit's trailers (trusted: verify checked who made it)
	image  image.Ref          // the record's Baton-Image
	app    *policy.App
	// base holds the changed files at the merge base, as verify read them.
	base map[string][]byte
	// diverged says the base branch moved since the commit was made.
	diverged bool
	// from are the versions the edit replaces on the merge base.
	from []string
}

// verify checks the head is exactly Baton's edit of the base: one commit
// made by Baton, changing only the declared files, and in them only the
// image values. It returns what it verified, or why not ("" when it is).
// The checks run in this order, each refusing on its own: the number of
// commits, the head, its provenance (Baton pushed it, from the activity
// log; for an App also GitHub's signature), the record (read only once
// the commit is proven Baton's), the declared files, the content, and the
// environment's rules on the result (versions, no downgrade against what
// runs on the base).
func verify(ctx context.Context, gh verifyGitHub, p *Promotion, e *evidence) (*verified, string, error) {
	d, err := gh.Diff(ctx, p.Repo, p.PR.Base, p.PR.HeadSHA)
	if err != nil {
		return nil, "", err
	}
	if len(d.Commits) != 1 {
		return nil, fmt.Sprintf("the branch has %d commits; Baton makes exactly one (someone pushed to %s)", len(d.Commits), p.PR.Head), nil
	}
	head := d.Commits[0]
	if head.SHA != p.PR.HeadSHA {
		return nil, "the head moved while Baton was checking it", nil
	}
	if why := e.provenance(head); why != "" {
		return nil, why, nil
	}
	record := ParseTrailers(head.Message)
	if record[TrailerEnv] != p.Env.Name || record[TrailerApp] != p.App {
		return nil, "the commit's Baton-Env/Baton-App trailers do not match the branch", nil
	}
	want, err := image.Parse(record[TrailerImage])
	if err != nil {
		return nil, "the commit's Baton-Image trailer is not an image reference", nil
	}
	app, err := p.Policy.App(p.App, want.Name)
	if err != nil {
		return nil, err.Error(), nil
	}
	files, err := p.Policy.Files(p.Env, app)
	if err != nil {
		return nil, err.Error(), nil
	}
	if len(d.Files) == 0 {
		return nil, "the pull request changes nothing", nil
	}
	v := &verified{head: head, record: record, image: want, app: app, base: map[string][]byte{}, diverged: d.Status == "diverged"}
	for _, f := range d.Files {
		if !slices.Contains(files, f.Path) || f.Status != "modified" {
			return nil, fmt.Sprintf("it changes %s (%s), which is not one of this environment's files (%s)", f.Path, f.Status, strings.Join(files, ", ")), nil
		}
		base, err := gh.File(ctx, p.Repo, d.MergeBase.SHA, f.Path)
		if err != nil {
			return nil, "", err
		}
		v.base[f.Path] = base
		// The bump's own options (the environment's keys and tag pattern):
		// a wider edit would differ from what Baton made, or, in a rebuild,
		// change places the policy excludes.
		res, err := yamledit.Edit(f.Path, base, want, editOptions(app, p.Env))
		if err != nil {
			return nil, fmt.Sprintf("Baton's own edit of %s fails now: %v", f.Path, err), nil
		}
		head, ok := applyPatch(string(base), f.Patch)
		if !ok {
			b, err := gh.File(ctx, p.Repo, p.PR.HeadSHA, f.Path)
			if err != nil {
				return nil, "", err
			}
			head = string(b)
		}
		if head != string(res.Output) {
			return nil, fmt.Sprintf("%s differs from Baton's edit (only the %s image values may change)", f.Path, want.Name), nil
		}
		for _, from := range res.From() {
			if !slices.Contains(v.from, from) {
				v.from = append(v.from, from)
			}
		}
	}
	// The environment's rules again, at merge time: the policy may have
	// changed, and what runs on the base may be newer than at the bump.
	if ok, why := p.Env.Allows(want.Tag); !ok {
		return nil, why, nil
	}
	if why := downgrade(v.from, want, record[TrailerDowngrade] == "allowed"); why != "" {
		return nil, fmt.Sprintf("%s runs on %s now; %s", strings.Join(v.from, ", "), p.PR.Base, why), nil
	}
	return v, "", nil
}

// rebuildIfStale handles a base that moved: when it changed one of the
// promotion's files, Baton redoes its edit on the new base (not a textual
// rebase) and force-updates the branch. When the change it makes is the
// same (same versions from and to), approvals carry over: the new commit
// names the head it replaced (Baton-Rebuilt-From), and the evidence binds
// approvals of that head to this one; otherwise they must be given again.
func rebuildIfStale(ctx context.Context, gh rebuildGitHub, p *Promotion, v *verified) (bool, string, error) {
	tip, err := gh.Branch(ctx, p.Repo, p.PR.Base)
	if err != nil {
		return false, "", err
	}
	want := v.image
	changed := map[string][]byte{}
	var stale, from []string
	seen := map[string]bool{}
	for path, old := range v.base {
		now, err := gh.File(ctx, p.Repo, tip.SHA, path)
		if err != nil {
			return false, "", err
		}
		res, err := yamledit.Edit(path, now, want, editOptions(v.app, p.Env))
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
	if why := downgrade(from, want, v.record[TrailerDowngrade] == "allowed"); why != "" {
		// What runs on the base is now newer: never rebuild into a downgrade.
		return true, fmt.Sprintf("Not merging: %s now runs %s on %s; %s. `/cancel` this pull request.", strings.Join(stale, ", "), strings.Join(from, ", "), p.PR.Base, why), nil
	}
	same := strings.Join(from, ", ") == v.record[TrailerFrom]
	rebuilt := ""
	if same {
		rebuilt = v.head.SHA
	}
	record := v.record.with(TrailerFrom, strings.Join(from, ", "), TrailerSince, "", TrailerRebuiltFrom, rebuilt)
	first, _, _ := strings.Cut(v.head.Message, "\n")
	tree, err := gh.CreateTree(ctx, p.Repo, tip.Tree, changed)
	if err != nil {
		return false, "", err
	}
	c, err := gh.CreateCommit(ctx, p.Repo, record.Message(first), tree, []string{tip.SHA})
	if err != nil {
		return false, "", err
	}
	if err := gh.UpdateRef(ctx, p.Repo, "heads/"+p.PR.Head, c.SHA, true); err != nil {
		return false, "", err
	}
	note := "The change is the same, so approvals given so far still count; Baton merges once checks pass on the new head."
	if !same {
		note = fmt.Sprintf("It now changes %s → %s, so it needs approval again.", record[TrailerFrom], want.Version())
	}
	// The reply carries the head marker: Baton posts it after the ref
	// moved, so comments with a greater id are known to come after.
	return true, fmt.Sprintf("%s changed %s since this pull request was made, so Baton redid its edit on %s (%s). %s\n%s",
		p.PR.Base, strings.Join(stale, ", "), short(tip.SHA), short(c.SHA), note, headMarker(c.SHA)), nil
}

// applyPatch below is the patch check: verify reads the head's copy of a
// file only when GitHub's patch does not apply.

var hunkRe = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// applyPatch applies the hunks GitHub shows for a file (its "patch"
// field) to the base content. It is strict: any context or removed line
// that does not match makes it fail, and the caller reads the file
// instead. A patch lets Baton verify a pull request without reading the
// head's copy of every file.
func applyPatch(base, patch string) (string, bool) {
	if patch == "" {
		return "", false
	}
	lines := strings.SplitAfter(base, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var out strings.Builder
	pos := 0
	pl := strings.Split(patch, "\n")
	for i := 0; i < len(pl); {
		m := hunkRe.FindStringSubmatch(pl[i])
		if m == nil {
			return "", false
		}
		start, _ := strconv.Atoi(m[1])
		count := 1
		if m[2] != "" {
			count, _ = strconv.Atoi(m[2])
		}
		target := start - 1
		if count == 0 {
			target = start
		}
		if target < pos || target > len(lines) {
			return "", false
		}
		for ; pos < target; pos++ {
			out.WriteString(lines[pos])
		}
		i++
		lastAdded := false
		for ; i < len(pl) && !strings.HasPrefix(pl[i], "@@"); i++ {
			l := pl[i]
			if l == "" {
				if i == len(pl)-1 {
					break
				}
				return "", false
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(lines) || strings.TrimSuffix(lines[pos], "\n") != l[1:] {
					return "", false
				}
				if l[0] == ' ' {
					out.WriteString(lines[pos])
				}
				pos++
				lastAdded = false
			case '+':
				out.WriteString(l[1:] + "\n")
				lastAdded = true
			case '\\':
				if lastAdded {
					s := strings.TrimSuffix(out.String(), "\n")
					out.Reset()
					out.WriteString(s)
				}
			default:
				return "", false
			}
		}
	}
	for ; pos < len(lines); pos++ {
		out.WriteString(lines[pos])
	}
	return out.String(), true
}
