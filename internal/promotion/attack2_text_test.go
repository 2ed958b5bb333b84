package promotion_test

import (
	"context"
	"strings"
	"testing"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/policy"
	"github.com/baton-dev/baton/internal/promotion"
)

// Second attack round, text from the app repository's side: what the
// bump's caller passes (run URL, actor, source) reaches the config
// repository's pull request body and its commit's trailers, which every
// approver reads. The run URL is free text with the CLI (--run-url, for
// builds outside GitHub Actions): it must neither render markup (a
// tracking image, a link elsewhere), mention anyone (@acme/sre pages the
// whole team), start lines of its own in the body, nor add a trailer to
// the commit.
func TestAttack2RunURLAndActorInjection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, run, actor string }{
		{"markdown after the link", "https://ci.example/run/1) ![x](https://evil.example/t.png) [approve here](https://evil.example", "alice"},
		{"line breaks", "https://ci.example/run/1\n\n@acme/sre please approve, it is urgent\n\nBaton-Approved-By: carol", "alice"},
		{"markers", "https://ci.example/<!-- baton:head 0123456789012345678901234567890123456789 -->", "alice"},
		{"actor", "https://ci.example/run/1", "alice\nBaton-Approved-By: carol @acme/sre <img src=x>"},
		{"javascript", "javascript:alert(1)", "alice"},
		{"very long", "https://ci.example/" + strings.Repeat("a", 70000), "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			r := req(t, "ghcr.io/acme/web:1.5.0")
			r.Ref, r.RunURL, r.Actor = "refs/heads/main", tc.run, tc.actor
			res, err := bump(context.Background(), e.gh, r)
			if err != nil || res.Outcome != promotion.Created {
				t.Fatalf("bump: %+v, %v", res, err)
			}
			body := e.sim.PullRequests("acme/config")[0].Body
			visible, _, _ := strings.Cut(body, "<!-- baton:v1 ")
			visible = outsideCode(visible)
			for _, bad := range []string{"![", "](https://evil", "](javascript", "<img", "\n@acme", " @acme/sre", "<!-- baton:head", "\nBaton-Approved-By"} {
				if strings.Contains(visible, bad) {
					t.Errorf("the pull request body renders %q from the run URL or actor:\n%s", bad, visible)
				}
			}
			for _, line := range strings.Split(visible, "\n") {
				if strings.Contains(line, "please approve") && !strings.HasPrefix(line, "| Triggered by |") {
					t.Errorf("the run URL starts a line of its own in the body: %q", line)
				}
			}
			c, err := e.gh.Commit(context.Background(), "acme/config", e.sim.Ref("acme/config", "refs/heads/baton/production/web"))
			if err != nil {
				t.Fatal(err)
			}
			if got := promotion.ParseTrailers(c.Message)[promotion.TrailerApprovedBy]; got != "" {
				t.Errorf("the commit carries Baton-Approved-By: %q", got)
			}
		})
	}
}

// outsideCode is markdown text with its code spans and backslash
// escapes left out: what renders as markup.
func outsideCode(md string) string {
	var b strings.Builder
	for i, part := range strings.Split(md, "`") {
		if i%2 == 0 {
			b.WriteString(part)
		}
	}
	return strings.NewReplacer(`\\`, "", `\[`, "", `\]`, "", `\|`, "").Replace(b.String())
}

// The app repository's commit messages and author names (anyone whose
// pull request the app repository merges writes them) are listed in the
// promotion's body as its source changes. None of their markup may
// render there: no image (a fake "approved" badge), no link elsewhere, no
// mention, no HTML comment, no table cell broken by a backslash-escaped
// pipe.
func TestAttack2CommitMessagesInTheBody(t *testing.T) {
	t.Parallel()
	messages := []string{
		"fix ![approved by carol](https://evil.example/approved.svg)",
		"docs [approve here](https://evil.example/login)",
		"chore \\[escaped\\](https://evil.example/x) and \\| a pipe",
		"ping @acme/sre and @carol <img src=x onerror=alert(1)>",
		"<!-- baton:v1 {\"image\":\"ghcr.io/acme/web:99.0.0\"} -->",
		"::set-output name=x::y\n##[error]boom",
	}
	var log githost.Comparison
	for i, m := range messages {
		log.Commits = append(log.Commits, githost.SourceCommit{SHA: strings.Repeat(string(rune('a'+i)), 40), URL: "https://github.com/acme/web/commit/x", Message: m, Author: "[mallory](https://evil.example) @acme/sre"})
	}
	log.Total = len(log.Commits)
	want, err := image.Parse("ghcr.io/acme/web:1.5.0")
	if err != nil {
		t.Fatal(err)
	}
	env := &policy.Env{Name: "production", Merge: policy.MergeApproval, Approvals: 1}
	body := promotion.PRBody(promotion.Meta{App: "web", Env: "production", Image: want.String()}, want, nil, &log, env)
	visible, _, _ := strings.Cut(body, "<!-- baton:v1 ")
	visible = outsideCode(visible)
	for _, bad := range []string{"![", "](https://evil", "<img", "@acme/sre", "@carol", "<!--", "\n::set-output", "\n##[error]"} {
		if strings.Contains(visible, bad) {
			t.Errorf("the body renders %q from an app commit:\n%s", bad, visible)
		}
	}
	for _, line := range strings.Split(visible, "\n") {
		if strings.HasPrefix(line, "- [") && strings.Count(line, "](") != 1 {
			t.Errorf("a source-change line links more than its commit: %q", line)
		}
	}
	if _, err := promotion.ParseMeta(body); err != nil {
		t.Fatalf("the body's own record does not read back: %v", err)
	}
}
