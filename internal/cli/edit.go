package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/spf13/cobra"

	"github.com/baton-dev/baton/internal/image"
	"github.com/baton-dev/baton/internal/yamledit"
)

// EditOptions are the inputs of "baton edit".
type EditOptions struct {
	Image    string   // REPO[:TAG][@DIGEST]
	Tag      string   // the tag, when not in Image; must agree with it
	Digest   string   // the digest, when not in Image; must agree with it
	Paths    []string // files or directories
	DryRun   bool
	Policies []string // Flux image policies whose setter markers apply
	KeyPaths []string // explicit key paths; with any, only they change
	// TagPattern is a regular expression a target's current tag must match.
	TagPattern string

	Stdout io.Writer
	Stderr io.Writer
}

func newEditCmd(env Env, runF func(context.Context, *EditOptions) error) *cobra.Command {
	opts := &EditOptions{Stdout: env.Stdout, Stderr: env.Stderr}
	cmd := &cobra.Command{
		Use:   "edit --image REPO:TAG[@sha256:HEX] [--dry-run] PATH...",
		Short: "Set an image's tag and digest in local YAML files, changing no other byte",
		Long: "Edit sets every reference to the image's repository in the given files (or the\n" +
			"YAML files under the given directories) to its tag and digest. It changes the\n" +
			"bytes of those values and nothing else, and writes nothing when any file fails.",
		Example: "  baton edit --image ghcr.io/acme/web:1.5.0 environments/staging\n" +
			"  baton edit --dry-run --image ghcr.io/acme/web:1.5.0@sha256:… environments/staging/web-deployment.yaml",
		Args: usageArgs(func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("name the files or directories to edit: baton edit --image REPO:TAG PATH")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Image == "" {
				return &UsageError{Err: errors.New("--image is required")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEdit(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Image, "image", "", "the image to set, `REPO:TAG[@sha256:HEX]`")
	f.StringVar(&opts.Tag, "tag", "", "the tag, when --image has none (must agree with it)")
	f.StringVar(&opts.Digest, "digest", "", "the digest `sha256:HEX`, when --image has none (must agree with it)")
	f.StringVar(&opts.TagPattern, "tag-pattern", "", "change only targets whose current tag matches this `REGEXP` (-bookworm$)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print a unified diff and write nothing")
	f.StringArrayVar(&opts.Policies, "policy", nil, "Flux image policy `NAMESPACE:NAME` whose setter markers to update (repeatable)")
	f.StringArrayVar(&opts.KeyPaths, "key", nil, "an explicit key `PATH` (spec.image, images.0.tag) to set; with any, only they change (repeatable)")
	return cmd
}

// fileEdit is the planned edit of one file.
type fileEdit struct {
	path string
	mode fs.FileMode
	old  []byte
	res  *yamledit.Result
}

func runEdit(ctx context.Context, opts *EditOptions) error {
	want, err := image.Resolve(opts.Image, opts.Tag, opts.Digest)
	if err != nil {
		var ce *image.ConflictError
		if errors.As(err, &ce) {
			return &UsageError{Err: fmt.Errorf("--image %s and --%s %s disagree: %w", opts.Image, ce.Part, ce.Given, err)}
		}
		return &UsageError{Err: fmt.Errorf("--image: %w", err)}
	}
	if !want.Pinned() {
		return &UsageError{Err: fmt.Errorf("--image %q: give a tag, a digest or both (REPO:TAG[@sha256:HEX])", opts.Image)}
	}
	files, err := collectYAML(opts.Paths)
	if err != nil {
		return err
	}
	// Every file is held until all succeed (nothing is written otherwise),
	// and the engine's garbage is per document; a lower GC target keeps the
	// peak near the live data instead of twice it, for a few percent of CPU.
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	eo := yamledit.Options{Policies: opts.Policies, Keys: opts.KeyPaths, TagPattern: opts.TagPattern}
	var plans []fileEdit
	var errs []error
	for _, fi := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		tooLarge := func() error {
			return fmt.Errorf("%s: %w", fi.path, &yamledit.SizeError{Size: fi.size})
		}
		if fi.size > yamledit.MaxFileSize && !fi.walked {
			errs = append(errs, tooLarge()) // named: refused unread
			continue
		}
		src, err := os.ReadFile(fi.path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if fi.size > yamledit.MaxFileSize {
			// A large file found under a directory that does not mention
			// the image is passed over like any other such file.
			if !skippable(yamledit.ErrTooLarge, src, want) {
				errs = append(errs, tooLarge())
			}
			continue
		}
		res, err := yamledit.Edit(fi.path, src, want, eo)
		if err != nil {
			if fi.walked && skippable(err, src, want) {
				continue
			}
			errs = append(errs, err)
			continue
		}
		plans = append(plans, fileEdit{path: fi.path, mode: fi.mode, old: src, res: res})
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if len(plans) == 0 {
		return fmt.Errorf("no reference to %s in %s", want.Name, strings.Join(opts.Paths, ", "))
	}
	summary := opts.Stdout
	if opts.DryRun {
		summary = opts.Stderr
		for _, p := range plans {
			if p.res.Changed {
				name := filepath.ToSlash(p.path)
				fmt.Fprint(opts.Stdout, udiff.Unified("a/"+name, "b/"+name, string(p.old), string(p.res.Output)))
			}
		}
	} else {
		for _, p := range plans {
			if p.res.Changed {
				if err := writeFileAtomic(p.path, p.res.Output, p.mode); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range plans {
		fmt.Fprintln(summary, describe(p.path, want, p.res))
	}
	return nil
}

// describe renders the one-line report of a file's edit.
func describe(path string, want image.Ref, res *yamledit.Result) string {
	places := "1 place"
	if n := res.Count(); n != 1 {
		places = fmt.Sprintf("%d places", n)
	}
	if !res.Changed {
		return fmt.Sprintf("%s: %s already at %s (%s)", filepath.ToSlash(path), want.Written, want.Version(), places)
	}
	return fmt.Sprintf("%s: %s %s → %s (%s)", filepath.ToSlash(path), want.Written, strings.Join(res.From(), ", "), want.Version(), places)
}

// skippable reports whether a file found by walking a directory may be
// passed over: it does not mention the image at all.
func skippable(err error, src []byte, want image.Ref) bool {
	if errors.Is(err, yamledit.ErrNoTarget) {
		return true
	}
	// Any spelling counts: a short Docker Hub name (nginx:1.25) never
	// contains the normalised path library/nginx.
	return !yamledit.Mentions(src, want)
}

type yamlFile struct {
	path   string
	mode   fs.FileMode
	size   int64
	walked bool // found under a directory rather than named
}

// collectYAML expands directories into the YAML files below them.
func collectYAML(paths []string) ([]yamlFile, error) {
	var out []yamlFile
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, yamlFile{path: p, mode: st.Mode().Perm(), size: st.Size()})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(path))
			if ext != ".yaml" && ext != ".yml" || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, yamlFile{path: path, mode: info.Mode().Perm(), size: info.Size(), walked: true})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// writeFileAtomic replaces a file through a rename, so that a reader never
// sees half a file.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".baton-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close() //nolint:errcheck,gosec // the write error is the one to report
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close() //nolint:errcheck,gosec // the chmod error is the one to report
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
