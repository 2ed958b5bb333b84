package command_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/command"
)

func cliNames(input string) string {
	if input == "sha" {
		return "--sha or GITHUB_SHA"
	}
	return "--" + input
}

// TestTag reads as the documentation of "baton tag": what each input
// computes, and the mistakes that are input errors (exit 2) naming the
// flag.
func TestTag(t *testing.T) {
	t.Parallel()
	build := command.Build{SHA: "9c8b7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", Ref: "refs/heads/main", RunNumber: "42"}
	now := time.Date(2026, 11, 26, 5, 38, 58, 0, time.UTC)
	tests := []struct {
		name    string
		opts    command.TagOptions
		want    *command.TagResult
		wantErr string
	}{
		{name: "sha strategy", opts: command.TagOptions{Strategy: "sha", Build: build},
			want: &command.TagResult{Tag: "sha-9c8b7a6"}},
		{name: "with the image repository", opts: command.TagOptions{Image: "ghcr.io/acme/web", Strategy: "sha", Build: build},
			want: &command.TagResult{Tag: "sha-9c8b7a6", Image: "ghcr.io/acme/web:sha-9c8b7a6"}},
		{name: "an image whose tag is the computed one", opts: command.TagOptions{Image: "ghcr.io/acme/web:sha-9c8b7a6", Strategy: "sha", Build: build},
			want: &command.TagResult{Tag: "sha-9c8b7a6", Image: "ghcr.io/acme/web:sha-9c8b7a6"}},
		{name: "timestamp", opts: command.TagOptions{Strategy: "timestamp", Build: build, Now: now},
			want: &command.TagResult{Tag: "20261126053858"}},
		{name: "an explicit tag", opts: command.TagOptions{Tag: "1.5.0", Strategy: "sha", Build: build},
			want: &command.TagResult{Tag: "1.5.0"}},
		{name: "sha with no commit id names --sha", opts: command.TagOptions{Strategy: "sha", Names: cliNames},
			wantErr: "--tag-strategy sha needs the build's commit id: set --sha or GITHUB_SHA, or give the tag with --tag"},
		{name: "a tag in --image that differs is never dropped", opts: command.TagOptions{Image: "ghcr.io/acme/web:1.0", Strategy: "sha", Build: build, Names: cliNames},
			wantErr: `--image "ghcr.io/acme/web:1.0" already names the tag "1.0", but the tag computed for this build is "sha-9c8b7a6": give the repository alone (ghcr.io/acme/web), or the tag once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := command.Tag(tt.opts)
			if tt.wantErr != "" {
				var ie *command.InputError
				if err == nil || err.Error() != tt.wantErr || !errors.As(err, &ie) || command.ExitCode(err) != command.ExitInput {
					t.Fatalf("error %v (exit %d), want input error %q", err, command.ExitCode(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Tag (-want +got):\n%s", diff)
			}
		})
	}
}
