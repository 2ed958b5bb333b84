package command

import (
	"time"

	"github.com/baton-dev/baton/internal/image"
)

// TagOptions are the inputs of "baton tag".
type TagOptions struct {
	Image    string // repository, optionally with a tag
	Tag      string // an explicit tag, or the base version of the semver strategy
	Strategy string // sha, semver, timestamp, or a Go template
	Build    Build
	Now      time.Time
	// Names names the inputs in errors (nil: the Action's input names).
	Names Names
}

// TagResult is what "baton tag" computed.
type TagResult struct {
	Tag   string
	Image string // repository:tag, when an image was given
}

// Tag computes the image tag before the build, so the workflow can tag
// and push with it.
func Tag(opts TagOptions) (*TagResult, error) {
	tag := opts.Tag
	strategy := opts.Strategy
	if strategy == "semver" || tag == "" {
		base := ""
		if strategy == "semver" {
			base = tag
		}
		if (strategy == "" || strategy == "sha") && opts.Build.SHA == "" {
			return nil, inputErr("%s sha needs the build's commit id: set %s, or give the tag with %s", opts.Names.Of("tag-strategy"), opts.Names.Of("sha"), opts.Names.Of("tag"))
		}
		var err error
		tag, err = image.ComputeTag(strategy, image.TagInput{SHA: opts.Build.SHA, Ref: opts.Build.Ref, RunNumber: opts.Build.RunNumber, Now: opts.Now, BaseVersion: base})
		if err != nil {
			return nil, inputErr("%s: %v", opts.Names.Of("tag-strategy"), err)
		}
	} else if err := image.ValidTag(tag); err != nil {
		return nil, inputErr("%s: %v", opts.Names.Of("tag"), err)
	}
	res := &TagResult{Tag: tag}
	if opts.Image != "" {
		r, err := image.Parse(opts.Image)
		if err != nil {
			return nil, inputErr("%s: %v", opts.Names.Of("image"), err)
		}
		if r.Tag != "" && r.Tag != tag {
			// Never drop a tag the person wrote: the two disagree.
			return nil, inputErr("%s %q already names the tag %q, but the tag computed for this build is %q: give the repository alone (%s), or the tag once", opts.Names.Of("image"), opts.Image, r.Tag, tag, r.Written)
		}
		r.Tag, r.Digest = tag, ""
		res.Image = r.String()
	}
	return res, nil
}
