package promotion_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/forge"
)

// rewrite replaces the promotion branch with commits by author, each on
// top of the last, starting from the pull request's base; each commit
// writes its files and carries Baton's own commit message (trailers and
// all), so that only what the test changes differs from Baton's commit.
func (s *stage) rewrite(t *testing.T, author string, commits ...map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := s.sim.SetPermission("acme/config", author, "write"); err != nil {
		t.Fatal(err)
	}
	gh, err := forge.New(ctx, forge.Options{Token: s.sim.Token(author), APIURL: s.url, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	pr := s.sim.PullRequests("acme/config")[0].PR
	own, err := s.gh.Commit(ctx, "acme/config", pr.HeadSHA)
	if err != nil {
		t.Fatal(err)
	}
	tip, err := gh.Branch(ctx, "acme/config", "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, files := range commits {
		content := map[string][]byte{}
		for p, c := range files {
			content[p] = []byte(c)
		}
		tree, err := gh.CreateTree(ctx, "acme/config", tip.Tree, content)
		if err != nil {
			t.Fatal(err)
		}
		if tip, err = gh.CreateCommit(ctx, "acme/config", own.Message, tree, []string{tip.SHA}); err != nil {
			t.Fatal(err)
		}
	}
	if err := gh.UpdateRef(ctx, "acme/config", "heads/baton/production/web", tip.SHA, true); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyRefusals builds, for each of verify's rules, a branch that
// passes every earlier rule and breaks only that one, and shows that an
// authorised approval does not merge it and the reply names the rule.
func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	const file = "environments/production/web-deployment.yaml"
	// good is Baton's own edit of the production file: 1.3.0 → 1.5.0.
	good := strings.ReplaceAll(stagingYAML, "1.4.0", "1.5.0")
	tampered := strings.ReplaceAll(good, "name: web\n", "name: pwned\n")
	for _, tc := range []struct {
		name    string
		author  string
		commits []map[string]string
		want    string
	}{{
		name:    "more than one commit",
		author:  "baton",
		commits: []map[string]string{{file: good}, {file: good, "README.md": "x\n"}},
		want:    "Not merging: the branch has 2 commits; Baton makes exactly one (someone pushed to baton/production/web)",
	}, {
		name:    "pushed by someone other than Baton",
		author:  "mallory",
		commits: []map[string]string{{file: good}},
		want:    "was put on `baton/production/web` by `@mallory` (force push at ",
	}, {
		name:    "undeclared file",
		author:  "baton",
		commits: []map[string]string{{file: good, "shared/extra.yaml": "evil: true\n"}},
		want:    "Not merging: it changes shared/extra.yaml (added), which is not one of this environment's files (" + file + ")",
	}, {
		name:    "content differs",
		author:  "baton",
		commits: []map[string]string{{file: tampered}},
		want:    "Not merging: " + file + " differs from Baton's edit (only the ghcr.io/acme/web image values may change)",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStage(t, reviewPolicy)
			s.rewrite(t, tc.author, tc.commits...)
			res := s.handle(t, s.comment(t, "bob", "/approve"))
			if res.Merged || s.merged(t) || res.Waiting != "verification" || !strings.Contains(res.Reply, tc.want) {
				t.Fatalf("got merged=%v waiting=%q reply %q; want a refusal containing %q", res.Merged, res.Waiting, res.Reply, tc.want)
			}
		})
	}
}

// TestVerifyAcceptsTheRewrittenEdit is the control of TestVerifyRefusals:
// the same rewrite with Baton's identity and Baton's own edit merges, so
// each refusal above comes from the one thing its case changes.
func TestVerifyAcceptsTheRewrittenEdit(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	s.rewrite(t, "baton", map[string]string{"environments/production/web-deployment.yaml": strings.ReplaceAll(stagingYAML, "1.4.0", "1.5.0")})
	if res := s.handle(t, s.comment(t, "bob", "/approve")); !res.Merged {
		t.Fatalf("Baton's own edit, rewritten by Baton, was not merged: %+v", res)
	}
}

// TestTamperedContentIsRefused reaches the content check: the branch holds
// one commit, made by Baton's identity, with Baton's record, changing only
// the declared file — but another value in it than the image.
func TestTamperedContentIsRefused(t *testing.T) {
	t.Parallel()
	s := newStage(t, reviewPolicy)
	bad := strings.ReplaceAll(strings.ReplaceAll(stagingYAML, "1.4.0", "1.5.0"), "name: web\n", "name: pwned\n")
	s.rewrite(t, "baton", map[string]string{"environments/production/web-deployment.yaml": bad})
	res := s.handle(t, s.comment(t, "bob", "/approve"))
	if res.Merged || !strings.Contains(res.Reply, "environments/production/web-deployment.yaml differs from Baton's edit") {
		t.Fatalf("tampered content: %+v", res)
	}
}
