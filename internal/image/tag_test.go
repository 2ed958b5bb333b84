package image

import (
	"strings"
	"testing"
	"time"
)

func TestComputeTag(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 5, 38, 58, 0, time.FixedZone("CET", 3600))
	sha := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		strategy string
		in       TagInput
		want     string
		wantErr  string
	}{
		{"sha", TagInput{SHA: sha}, "sha-0123456", ""},
		{"", TagInput{SHA: sha}, "sha-0123456", ""},
		{"sha", TagInput{SHA: "xyz"}, "", "not a hex commit id"},
		{"semver", TagInput{Ref: "refs/tags/v1.2.3"}, "1.2.3", ""},
		{"semver", TagInput{Ref: "refs/tags/1.2.3-rc.1"}, "1.2.3-rc.1", ""},
		{"semver", TagInput{Ref: "refs/tags/release-1"}, "", `git tag "release-1" is not a semantic version`},
		{"semver", TagInput{Ref: "refs/heads/develop", BaseVersion: "1.3.0", RunNumber: "42"}, "1.3.0-dev.42", ""},
		{"semver", TagInput{Ref: "refs/heads/develop"}, "", "set tag to a base version"},
		{"timestamp", TagInput{Now: now}, "20261126043858", ""},
		{"{{ .Branch }}-{{ .ShortSHA }}", TagInput{SHA: sha, Ref: "refs/heads/feature/x"}, "feature-x-0123456", ""},
		{"{{ .Nope }}", TagInput{}, "", "fields: .SHA"},
		{"{{ .Ref }}", TagInput{Ref: "refs/heads/x"}, "", "is not a valid image tag"},
		{"latest-ish", TagInput{}, "", "unknown tag strategy"},
	}
	for _, tt := range tests {
		got, err := ComputeTag(tt.strategy, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s %+v: err = %v, want %q", tt.strategy, tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %+v = %q, %v; want %q", tt.strategy, tt.in, got, err, tt.want)
		}
	}
}

func TestWithTag(t *testing.T) {
	t.Parallel()
	d := "sha256:" + strings.Repeat("a", 64)
	r, err := WithTag("ghcr.io/acme/web", "1.5.0", strings.Repeat("a", 64))
	if err != nil || r.String() != "ghcr.io/acme/web:1.5.0@"+d {
		t.Fatalf("WithTag = %q, %v", r.String(), err)
	}
	if _, err := WithTag("ghcr.io/acme/web:1.4.0", "1.5.0", ""); err == nil {
		t.Error("conflicting tags accepted")
	}
	if _, err := WithTag("ghcr.io/acme/web", "1.5.0", "sha256:abc"); err == nil || !strings.Contains(err.Error(), "ghcr.io/acme/web:1.5.0@sha256:abc") {
		t.Errorf("bad digest: %v", err)
	}
	if _, err := WithTag("ghcr.io/acme/web", "-bad", ""); err == nil {
		t.Error("bad tag accepted")
	}
}
