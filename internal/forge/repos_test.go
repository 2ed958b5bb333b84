package forge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/githost"
)

func TestCommitVerification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	app := installApp(t, sim, "acme/config")
	asApp, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: app.PrivateKeyPEM(), Repo: "acme/config", APIURL: url})
	if err != nil {
		t.Fatal(err)
	}
	asUser := client(t, url, tok, &sleeps{})
	type verdict struct {
		Verified bool
		Reason   string
	}
	tests := []struct {
		name string
		c    *forge.Client
		want verdict
	}{
		{"App commit is signed", asApp, verdict{true, "valid"}},
		{"token commit is unsigned", asUser, verdict{false, "unsigned"}},
	}
	for _, tt := range tests {
		main, err := tt.c.Branch(ctx, "acme/config", "main")
		if err != nil {
			t.Fatal(err)
		}
		tree, err := tt.c.CreateTree(ctx, "acme/config", main.Tree, map[string][]byte{"a.yaml": []byte("image: x:2\n")})
		if err != nil {
			t.Fatal(err)
		}
		made, err := tt.c.CreateCommit(ctx, "acme/config", "bump", tree, []string{main.SHA})
		if err != nil {
			t.Fatal(err)
		}
		read, err := asUser.Commit(ctx, "acme/config", made.SHA)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []verdict{{made.Verified, made.VerificationReason}, {read.Verified, read.VerificationReason}} {
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}
		if err := tt.c.CreateRef(ctx, "acme/config", "heads/"+strings.ReplaceAll(tt.name, " ", "-"), made.SHA); err != nil {
			t.Fatal(err)
		}
		d, err := asUser.Diff(ctx, "acme/config", main.SHA, made.SHA)
		if err != nil || len(d.Commits) != 1 || d.Commits[0].VerificationReason != tt.want.Reason {
			t.Errorf("%s: compare shows %+v, %v", tt.name, d, err)
		}
	}
}

func TestCompareAndDiffAreOneRequestEach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	base := sim.Ref("acme/config", "refs/heads/main")
	for _, v := range []string{"2", "3", "4"} {
		content := "image: x:" + v + "\n"
		if _, err := sim.Push("acme/config", "main", "alice", map[string]*string{"a.yaml": &content}, "bump to "+v+"\n\nbody"); err != nil {
			t.Fatal(err)
		}
	}
	head := sim.Ref("acme/config", "refs/heads/main")
	sim.ResetLog()
	cmpr, err := c.Compare(ctx, "acme/config", base, head, 2)
	if err != nil {
		t.Fatal(err)
	}
	if cmpr.Status != "ahead" || cmpr.Total != 3 || len(cmpr.Commits) != 2 || cmpr.Commits[0].Message != "bump to 2" {
		t.Errorf("Compare = %+v", cmpr)
	}
	d, err := c.Diff(ctx, "acme/config", base, head)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "ahead" || len(d.Commits) != 3 || d.MergeBase.SHA != base || len(d.Files) != 1 || d.Files[0].Path != "a.yaml" || d.Files[0].Patch == "" {
		t.Errorf("Diff = %+v", d)
	}
	if n := len(sim.Requests()); n != 2 {
		t.Errorf("%d requests, want one each", n)
	}
	last, err := c.LastCommit(ctx, "acme/config", "main", "a.yaml")
	if err != nil || last.SHA != head || !strings.HasPrefix(last.Message, "bump to 4") {
		t.Errorf("LastCommit = %+v, %v", last, err)
	}
}

func TestFilesOverOneMegabyte(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	big := "# big\n" + strings.Repeat("x: padding padding padding padding padding padding\n", 30000) + "image: ghcr.io/acme/web:1.0\n"
	if _, err := sim.Push("acme/config", "main", "alice", map[string]*string{"big.yaml": &big}, "big"); err != nil {
		t.Fatal(err)
	}
	c, _ := forge.New(ctx, forge.Options{Token: tok, APIURL: url})
	got, err := c.File(ctx, "acme/config", "main", "big.yaml")
	if err != nil || string(got) != big {
		t.Fatalf("File: %d bytes, %v", len(got), err)
	}
	got, branch, err := c.DefaultFile(ctx, "acme/config", "big.yaml")
	if err != nil || string(got) != big || branch != "main" {
		t.Fatalf("DefaultFile: %d bytes, %q, %v", len(got), branch, err)
	}
}

// A file over MaxFileSize is refused from the contents API's size: its
// content (the blobs route, over 1 MB) is never downloaded.
func TestFilesOverTheCapAreNotDownloaded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	big := strings.Repeat("x: padding padding padding padding padding padding\n", 30000)
	if _, err := sim.Push("acme/config", "main", "alice", map[string]*string{"big.yaml": &big}, "big"); err != nil {
		t.Fatal(err)
	}
	c, _ := forge.New(ctx, forge.Options{Token: tok, APIURL: url, MaxFileSize: 1 << 20})
	sim.ResetLog()
	_, err := c.File(ctx, "acme/config", "main", "big.yaml")
	var tl *githost.TooLargeError
	if !errors.As(err, &tl) || tl.Size != int64(len(big)) || tl.Max != 1<<20 || tl.Path != "big.yaml" {
		t.Fatalf("File: %v, want a TooLargeError of %d bytes", err, len(big))
	}
	if n := len(sim.Requests()); n != 1 {
		t.Errorf("%d requests, want 1 (the contents entry, no blob)", n)
	}
}

// TestPermissionRoles reads role_name, and for a custom repository role
// (any name GitHub lets an organization choose) the legacy permission of
// the base role it inherits, never the custom name.
func TestPermissionRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	for login, role := range map[string]string{"mae": "maintain", "tri": "triage"} {
		if err := sim.SetPermission("acme/config", login, role); err != nil {
			t.Fatal(err)
		}
	}
	if err := sim.SetCustomRole("acme/config", "dee", "deployer", "maintain"); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetCustomRole("acme/config", "vic", "viewer-plus", "triage"); err != nil {
		t.Fatal(err)
	}
	c := client(t, url, tok, &sleeps{})
	for _, tc := range []struct{ login, want string }{
		{"alice", "write"}, {"mae", "maintain"}, {"tri", "triage"},
		{"dee", "write"}, {"vic", "read"},
	} {
		got, err := c.Permission(ctx, "acme/config", tc.login)
		if err != nil {
			t.Fatalf("Permission(%s): %v", tc.login, err)
		}
		if got != tc.want {
			t.Errorf("Permission(%s) = %q, want %q", tc.login, got, tc.want)
		}
	}
}

// TestCompareBranchFarAhead: GitHub pages a comparison's commits oldest
// first once per_page is given, so with more commits than a page the
// last commit of the first page is not the head. CompareBranch must still
// describe the head commit, not the hundredth.
func TestCompareBranchFarAhead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	for _, n := range []int{1, 100, 101, 205} {
		branch := fmt.Sprintf("far/%d", n)
		head := ""
		for i := range n {
			body := fmt.Sprintf("image: x:%d\n", i)
			sha, err := sim.Push("acme/config", branch, "alice", map[string]*string{"a.yaml": &body}, fmt.Sprintf("step %d", i))
			if err != nil {
				t.Fatal(err)
			}
			head = sha
		}
		c := client(t, url, tok, &sleeps{})
		got, err := c.CompareBranch(ctx, "acme/config", "main", branch)
		if err != nil {
			t.Fatalf("%d ahead: %v", n, err)
		}
		if got.Ahead != n || got.Head == nil || got.Head.SHA != head || got.Head.Message != fmt.Sprintf("step %d", n-1) {
			t.Errorf("%d ahead: Ahead %d, Head %+v; want the head %s", n, got.Ahead, got.Head, head)
		}
	}
}
