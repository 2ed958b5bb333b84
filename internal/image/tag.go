package image

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/semver/v3"
)

// TagInput is what a tag strategy may use: the build's commit, ref and run.
type TagInput struct {
	SHA       string    // full commit id (GITHUB_SHA)
	Ref       string    // refs/heads/develop or refs/tags/v1.2.3 (GITHUB_REF)
	RunNumber string    // GITHUB_RUN_NUMBER
	Now       time.Time // the clock, for the timestamp strategy
	// BaseVersion is the version a branch build of the semver strategy
	// pre-releases (1.3.0 → 1.3.0-dev.<run>); "" makes branch builds fail.
	BaseVersion string
}

// Strategies lists the named tag strategies; anything containing "{{" is a
// Go template instead.
var Strategies = []string{"sha", "semver", "timestamp"}

var tagRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// ValidTag reports whether s is a valid image tag.
func ValidTag(s string) error {
	if !tagRe.MatchString(s) {
		return fmt.Errorf("%q is not a valid image tag (letters, digits, _ . -; at most 128; not starting with . or -)", s)
	}
	return nil
}

// ComputeTag computes an image tag with a strategy: sha (sha-<7>), semver
// (1.2.3 from a v1.2.3 tag ref; a branch build with a base version gets
// <base>-dev.<run>), timestamp (20261126053858, UTC) or a Go template over
// .SHA .ShortSHA .Ref .Branch .Tag .RunNumber .Timestamp.
func ComputeTag(strategy string, in TagInput) (string, error) {
	branch, _ := strings.CutPrefix(in.Ref, "refs/heads/")
	gitTag, isTag := strings.CutPrefix(in.Ref, "refs/tags/")
	var tag string
	switch {
	case strategy == "" || strategy == "sha":
		if len(in.SHA) < 7 || !isHexString(in.SHA) {
			return "", fmt.Errorf("tag strategy sha: commit id %q is not a hex commit id (GITHUB_SHA)", in.SHA)
		}
		tag = "sha-" + in.SHA[:7]
	case strategy == "semver":
		switch {
		case isTag:
			v, err := semver.StrictNewVersion(strings.TrimPrefix(gitTag, "v"))
			if err != nil {
				return "", fmt.Errorf("tag strategy semver: git tag %q is not a semantic version such as v1.2.3", gitTag)
			}
			tag = v.String()
		case in.BaseVersion != "":
			v, err := semver.StrictNewVersion(strings.TrimPrefix(in.BaseVersion, "v"))
			if err != nil {
				return "", fmt.Errorf("tag strategy semver: base version %q is not a semantic version such as 1.3.0", in.BaseVersion)
			}
			if in.RunNumber == "" {
				return "", errors.New("tag strategy semver: a branch build needs the run number (GITHUB_RUN_NUMBER)")
			}
			pre, err := v.SetPrerelease("dev." + in.RunNumber)
			if err != nil {
				return "", fmt.Errorf("tag strategy semver: %w", err)
			}
			tag = pre.String()
		default:
			return "", fmt.Errorf("tag strategy semver: %s is not a v1.2.3 tag; set tag to a base version (e.g. 1.3.0) to build pre-releases from branches", in.Ref)
		}
	case strategy == "timestamp":
		tag = in.Now.UTC().Format("20060102150405")
	case strings.Contains(strategy, "{{"):
		t, err := template.New("tag").Option("missingkey=error").Parse(strategy)
		if err != nil {
			return "", fmt.Errorf("tag strategy template: %w", err)
		}
		short := in.SHA
		if len(short) > 7 {
			short = short[:7]
		}
		var b bytes.Buffer
		err = t.Execute(&b, map[string]string{
			"SHA": in.SHA, "ShortSHA": short, "Ref": in.Ref, "Branch": sanitizeTag(branch), "Tag": sanitizeTag(gitTag),
			"RunNumber": in.RunNumber, "Timestamp": in.Now.UTC().Format("20060102150405"),
		})
		if err != nil {
			return "", fmt.Errorf("tag strategy template: %w (fields: .SHA .ShortSHA .Ref .Branch .Tag .RunNumber .Timestamp)", err)
		}
		tag = b.String()
	default:
		return "", fmt.Errorf("unknown tag strategy %q (one of: %s, or a Go template such as \"{{ .Branch }}-{{ .ShortSHA }}\")", strategy, strings.Join(Strategies, ", "))
	}
	if err := ValidTag(tag); err != nil {
		return "", fmt.Errorf("tag strategy %s: %w", strategy, err)
	}
	return tag, nil
}

// sanitizeTag turns a branch or tag name into tag characters
// (feature/x → feature-x).
func sanitizeTag(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

func isHexString(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// WithTag returns repo:tag[@digest] for a repository as written. It is
// Resolve under its former name: a conflicting tag or digest is a
// *ConflictError.
func WithTag(repo, tag, digest string) (Ref, error) {
	return Resolve(repo, tag, digest)
}
