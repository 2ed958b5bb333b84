package action

import (
	"fmt"
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
}

func (o *outputs) set(k, v string) {
	if o.getenv("GITHUB_OUTPUT") == "" {
		o.a.Infof("%s", "output "+k+"="+v)
		return
	}
	o.a.SetOutput(k, v)
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
		a.Infof("%s", res.Diff)
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
	fmt.Fprintf(&b, "| %s | %s | `%s` | `%s` | %s | %s |\n", res.App, dash(res.Env), from, res.To, pr, res.Outcome)
	if res.Notice != "" {
		fmt.Fprintf(&b, "\n%s\n", res.Notice)
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
// joined error, with file and line where the line names them.
func annotate(a *githubactions.Action, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := placeRe.FindStringSubmatch(line); m != nil {
			a.WithFieldsMap(map[string]string{"file": m[1], "line": m[2], "title": "Baton"}).Errorf("%s", line)
			continue
		}
		a.WithFieldsMap(map[string]string{"title": "Baton"}).Errorf("%s", line)
	}
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
