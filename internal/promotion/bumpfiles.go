package promotion

import (
	"context"
	"errors"
	"fmt"

	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/yamledit"
)

// editFiles reads and edits every file at the base commit; any failure
// fails the whole bump.
func editFiles(ctx context.Context, gh BumpGitHub, repo, sha string, files []string, want image.Ref, opts yamledit.Options) ([]FileChange, error) {
	var out []FileChange
	var errs []error
	for _, f := range files {
		data, err := gh.File(ctx, repo, sha, f)
		if errors.Is(err, githost.ErrNotFound) {
			errs = append(errs, &ConfigError{Err: fmt.Errorf("%s: does not exist in %s at %s (the policy's files: for this environment name it)", f, repo, short(sha))})
			continue
		}
		var big *githost.TooLargeError
		if errors.As(err, &big) {
			// Refused from its size alone, before the download: the same
			// cap and words as the edit engine's.
			errs = append(errs, &ConfigError{Err: fmt.Errorf("%s: %w", f, &yamledit.SizeError{Size: big.Size})})
			continue
		}
		if err != nil {
			return nil, err
		}
		res, err := yamledit.Edit(f, data, want, opts)
		if err != nil {
			errs = append(errs, &ConfigError{Err: err})
			continue
		}
		out = append(out, FileChange{Path: f, Places: res.Count(), From: res.From(), Old: data, New: res.Output})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func placesOf(changes []FileChange) map[string]int {
	out := map[string]int{}
	for _, ch := range changes {
		out[ch.Path] = ch.Places
	}
	return out
}

func fromVersions(changes []FileChange) []string {
	var out []string
	seen := map[string]bool{}
	for _, ch := range changes {
		for _, f := range ch.From {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
