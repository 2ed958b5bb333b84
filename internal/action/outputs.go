package action

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/baton-dev/baton/internal/command"
	"github.com/baton-dev/baton/internal/promotion"
)

// outputs writes step outputs when the runner provides the file; outside a
// runner they are printed instead of failing.
type outputs struct {
	a      *githubactions.Action
	getenv func(string) string
	w      io.Writer // the log, for untrusted text
}

// set writes one step output. go-githubactions writes every output
// between copies of one fixed delimiter, so a value holding it would end
// early and set other outputs after it: each output here gets a random
// delimiter the value does not contain, as the runner's own toolkit does.
// Outside a runner the value is printed as untrusted text.
func (o *outputs) set(k, v string) {
	path := o.getenv("GITHUB_OUTPUT")
	if path == "" {
		if err := printUntrusted(o.w, "output "+k+"="+v); err != nil {
			o.a.Warningf("%s", "printing output "+k+" failed: "+err.Error())
		}
		return
	}
	delim := "ghadelimiter_" + stopToken()
	for strings.Contains(v, delim) {
		delim = "ghadelimiter_" + stopToken()
	}
	if err := appendFile(path, k+"<<"+delim+"\n"+v+"\n"+delim+"\n"); err != nil {
		o.a.Warningf("%s", "setting output "+k+" failed: "+err.Error())
	}
}

// appendFile appends text to a runner file (GITHUB_OUTPUT).
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

func (o *outputs) summary(md string) {
	if o.getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	o.a.AddStepSummary(md)
}

func reportBump(a *githubactions.Action, out *outputs, res *command.BumpOutcome) {
	out.set("tag", res.Tag)
	out.set("image", res.Image.String())
	out.set("env", res.Env)
	out.set("changed", strconv.FormatBool(res.Changed()))
	prNumber, prURL := "", ""
	if res.PR != nil {
		prNumber, prURL = strconv.Itoa(res.PR.Number), res.PR.URL
	}
	out.set("pr-number", prNumber)
	out.set("pr-url", prURL)
	if m := res.Merge; m != nil {
		switch {
		case m.Release != nil:
			out.set("merged", "true")
			out.set("release-tag", m.Release.Tag)
			out.set("release-url", m.Release.URL)
			a.Noticef("%s", fmt.Sprintf("merged and released %s (%s)", m.Release.Tag, m.Release.URL))
		case m.Waiting != "":
			a.Noticef("%s", "not merged yet: waiting for "+m.Waiting)
		}
	}

	switch res.Outcome {
	case promotion.Created, promotion.Updated:
		a.Noticef("%s", fmt.Sprintf("%s %s → %s in %s: pull request #%d %s (%s)", res.App, strings.Join(res.From, ", "), res.To, res.Env, res.PR.Number, res.Outcome, res.PR.URL))
	case promotion.Planned:
		if err := printUntrusted(out.w, res.Diff); err != nil {
			a.Warningf("%s", "printing the diff failed: "+err.Error())
		}
		a.Noticef("%s", fmt.Sprintf("dry run: %s %s → %s in %s; nothing was changed", res.App, strings.Join(res.From, ", "), res.To, res.Env))
	default:
		a.Noticef("%s", res.Notice)
	}
	from := strings.Join(res.From, ", ")
	if from == "" {
		from = "—"
	}
	pr := "—"
	if res.PR != nil {
		pr = fmt.Sprintf("[#%d](%s)", res.PR.Number, res.PR.URL)
	}
	var b strings.Builder
	b.WriteString("### Baton\n\n| App | Environment | From | To | Pull request | Result |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", code(res.App), code(dash(res.Env)), code(from), code(res.To), pr, res.Outcome)
	if res.Notice != "" {
		fmt.Fprintf(&b, "\n%s\n", mdText(res.Notice))
	}
	out.summary(b.String())
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// placeRe finds "file:line: " at the start of an error line.
var placeRe = regexp.MustCompile(`^([^\s:]+\.ya?ml):(\d+): `)

// annotate reports an error as ::error annotations: one per line of a
// joined error, with file and line where the line names a file of the
// repository the workflow runs in. A file of another repository (the
// config repository seen from an app repository's run) is not in the
// workspace, so an annotation would point at nothing or at the wrong
// file: the line names it as owner/name/path:line with its URL instead.
func annotate(a *githubactions.Action, getenv func(string) string, err error) {
	var cfe *command.ConfigFileError
	elsewhere := errors.As(err, &cfe) && !strings.EqualFold(cfe.Repo, getenv("GITHUB_REPOSITORY"))
	server := strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/")
	if server == "" {
		server = "https://github.com"
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := placeRe.FindStringSubmatch(line)
		switch {
		case m != nil && elsewhere:
			url := fmt.Sprintf("%s/%s/blob/%s/%s#L%s", server, cfe.Repo, cfe.Ref, m[1], m[2])
			a.WithFieldsMap(map[string]string{"title": "Baton"}).Errorf("%s", cfe.Repo+"/"+line+" ("+url+")")
		case m != nil:
			a.WithFieldsMap(map[string]string{"file": m[1], "line": m[2], "title": "Baton"}).Errorf("%s", line)
		default:
			a.WithFieldsMap(map[string]string{"title": "Baton"}).Errorf("%s", line)
		}
	}
}

// failureSummary is the step summary of a failed run: what failed, and
// the exit status.
func failureSummary(err error) string {
	status := command.ExitCode(err)
	why := map[int]string{
		command.ExitInput:  "an input is wrong: fix the workflow's inputs",
		command.ExitConfig: "the config repository's policy or files are wrong: fix them",
		command.ExitFailed: "GitHub or the network failed: a re-run may pass",
	}[status]
	var b strings.Builder
	fmt.Fprintf(&b, "### Baton failed\n\nExit status %d: %s.\n\n", status, why)
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(&b, "- %s\n", code(line))
		}
	}
	return b.String()
}

// code puts untrusted text in a markdown code span (backticks and line
// breaks dropped), so that markdown, HTML and mentions in it do not render.
func code(s string) string {
	return "`" + strings.NewReplacer("`", "", "\n", " ", "\r", " ", "|", "\\|").Replace(s) + "`"
}

// mdText keeps untrusted text in a sentence from rendering as markup or
// mentioning anyone.
func mdText(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "@", "@\u200b", "\n", " ", "|", "\\|").Replace(s)
}

func reportReview(a *githubactions.Action, out *outputs, results []*promotion.Result) {
	merged, tag, url, number := false, "", "", ""
	var b strings.Builder
	b.WriteString("### Baton\n\n| Pull request | Result |\n|---|---|\n")
	for _, r := range results {
		status := r.Reply
		switch {
		case r.Ignored != "":
			a.Noticef("%s", "ignored: "+r.Ignored)
			status = "ignored: " + r.Ignored
		case r.Release != nil:
			merged, tag, url = true, r.Release.Tag, r.Release.URL
			a.Noticef("%s", fmt.Sprintf("released %s (%s)", r.Release.Tag, r.Release.URL))
		case r.Waiting != "":
			a.Noticef("%s", "not merged: waiting for "+r.Waiting)
		}
		if r.PR != nil {
			number = strconv.Itoa(r.PR.Number)
			fmt.Fprintf(&b, "| [#%d](%s) | %s |\n", r.PR.Number, r.PR.URL, oneLine(status))
		}
	}
	out.set("merged", strconv.FormatBool(merged))
	out.set("release-tag", tag)
	out.set("release-url", url)
	out.set("pr-number", number)
	if number != "" {
		out.summary(b.String())
	}
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", "\\|")
}
