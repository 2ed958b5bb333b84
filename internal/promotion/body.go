package promotion

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
)

// Meta is the machine-readable record of a promotion, kept in the PR body
// as <!-- baton:v1 {...} --> and, as trailers, in the commit message. The
// PR body is convenience, not truth: before merging Baton recomputes the
// edit and compares trees.
type Meta struct {
	App    string   `json:"app"`
	Env    string   `json:"env"`
	Image  string   `json:"image"`
	From   []string `json:"from,omitempty"`
	Base   string   `json:"base"`
	Commit string   `json:"commit,omitempty"`
	Files  []string `json:"files"`
	Source string   `json:"source,omitempty"`
	Run    string   `json:"run,omitempty"`
	Actor  string   `json:"actor,omitempty"`
}

const metaPrefix = "<!-- baton:v1 "

var metaRe = regexp.MustCompile(`(?s)<!-- baton:v1 (\{.*?\}) -->\s*$`)

// ParseMeta reads the record at the very end of a PR body.
func ParseMeta(body string) (*Meta, error) {
	m := metaRe.FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("no baton record in the pull request body")
	}
	var meta Meta
	if err := json.Unmarshal([]byte(m[1]), &meta); err != nil {
		return nil, fmt.Errorf("baton record: %w", err)
	}
	return &meta, nil
}

func (m Meta) record() string {
	// The caller's texts are bounded, as in the visible table: the body
	// must stay under GitHub's limit whatever a build names itself.
	m.Run, m.Actor, m.Source = truncate(m.Run, maxLinkLen), truncate(m.Actor, 200), truncate(m.Source, 200)
	b, _ := json.Marshal(m)
	// JSON never contains "-->" once > is escaped, so the comment cannot
	// be closed early by any value.
	s := strings.ReplaceAll(string(b), ">", `\u003e`)
	return metaPrefix + s + " -->"
}

// sanitize makes untrusted text (commit messages of the app repository)
// safe inside the PR body: no HTML comments (which could forge the baton
// record), no mentions, no links or images, no markup that spans lines.
func sanitize(s string) string {
	s = truncate(oneLine(s), 120)
	r := strings.NewReplacer("<!--", "&lt;!--", "-->", "--&gt;", "<", "&lt;", ">", "&gt;", "@", "@\u200b", "`", "'", "|", "\\|",
		// No links or images: [text](url) and ![alt](url) render only
		// with unescaped brackets.
		"\\", "\\\\", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}

// PRBody renders the promotion pull request's body. places counts the
// edited places per file of m.Files (a missing count is left out). Every
// text that does not come from Baton itself (file names, versions, the
// actor, commit messages) is in a code span or sanitized, so that markdown,
// HTML and mentions in it do not render.
func PRBody(m Meta, want image.Ref, places map[string]int, log *githost.Comparison, env *policy.Env) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Promote %s %s to %s\n\n", code(m.App), code(want.Version()), code(m.Env))
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| App | %s |\n", code(m.App))
	fmt.Fprintf(&b, "| Environment | %s |\n", code(m.Env))
	from := "—"
	if len(m.From) > 0 {
		from = code(strings.Join(m.From, ", "))
	}
	fmt.Fprintf(&b, "| From | %s |\n", from)
	fmt.Fprintf(&b, "| To | %s |\n", code(want.Version()))
	fmt.Fprintf(&b, "| Image | %s |\n", code(want.String()))
	if want.Digest != "" {
		fmt.Fprintf(&b, "| Digest | %s |\n", code(want.Digest))
	}
	var fl []string
	for _, f := range m.Files {
		if n := places[f]; n > 0 {
			fl = append(fl, fmt.Sprintf("%s (%d)", code(f), n))
		} else {
			fl = append(fl, code(f))
		}
	}
	fmt.Fprintf(&b, "| Files | %s |\n", strings.Join(fl, "<br>"))
	if m.Source != "" {
		fmt.Fprintf(&b, "| Source | %s |\n", code(truncate(m.Source, 200)))
	}
	if m.Actor != "" || m.Run != "" {
		who := sanitize(m.Actor)
		switch {
		case linkable(m.Run):
			who = fmt.Sprintf("%s in [this run](%s)", who, m.Run)
		case m.Run != "":
			// The run URL is the caller's text (--run-url): what is not a
			// plain https URL is shown, not linked.
			who = fmt.Sprintf("%s in run %s", who, code(truncate(m.Run, 200)))
		}
		fmt.Fprintf(&b, "| Triggered by | %s |\n", who)
	}
	b.WriteString("\n")
	if log != nil && len(log.Commits) > 0 {
		fmt.Fprintf(&b, "### Source changes (%d)\n\n", log.Total)
		for _, c := range log.Commits {
			fmt.Fprintf(&b, "- [%s](%s) %s (%s)\n", short(c.SHA), c.URL, sanitize(c.Message), sanitize(c.Author))
		}
		if log.Total > len(log.Commits) {
			fmt.Fprintf(&b, "- … and %d more: [compare](%s)\n", log.Total-len(log.Commits), log.URL)
		}
		b.WriteString("\n")
	}
	b.WriteString("### Commands\n\n")
	if env.Merge == policy.MergeAuto {
		b.WriteString("This environment merges automatically once the required checks pass.\n")
	} else {
		n := env.Approvals
		who := "anyone with write access"
		if len(env.Approvers) > 0 {
			who = strings.Join(env.Approvers, ", ")
		}
		fmt.Fprintf(&b, "Needs %d approval(s) from %s: comment `/approve` or approve the review.\n", n, who)
	}
	b.WriteString("`/hold` and `/unhold` pause and resume the merge; `/cancel` closes this pull request; `/baton help` lists the commands.\n\n")
	b.WriteString(m.record())
	b.WriteString("\n")
	return b.String()
}

// diffOf renders the unified diff of a bump's files.
func diffOf(changes []FileChange) string {
	var b strings.Builder
	for _, ch := range changes {
		if string(ch.Old) != string(ch.New) {
			b.WriteString(udiff.Unified("a/"+ch.Path, "b/"+ch.Path, string(ch.Old), string(ch.New)))
		}
	}
	return b.String()
}
