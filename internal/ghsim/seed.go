package ghsim

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Seed describes a simulator's starting state, as read by cmd/ghsim from
// a YAML file.
type Seed struct {
	Users []string `yaml:"users"`
	// Tokens maps fixed personal access tokens to logins, so that scripts
	// can use known tokens.
	Tokens map[string]string `yaml:"tokens"`
	Teams  []struct {
		Org     string   `yaml:"org"`
		Slug    string   `yaml:"slug"`
		Members []string `yaml:"members"`
	} `yaml:"teams"`
	Apps []struct {
		Slug string `yaml:"slug"`
		// KeyFile is where the app's generated private key is written.
		KeyFile string `yaml:"key_file"`
	} `yaml:"apps"`
	Repos []struct {
		Name          string            `yaml:"name"`
		Private       bool              `yaml:"private"`
		DefaultBranch string            `yaml:"default_branch"`
		Files         map[string]string `yaml:"files"`
		// FilesFrom is a directory (relative to the seed file) whose files
		// make the initial commit.
		FilesFrom   string            `yaml:"files_from"`
		Permissions map[string]string `yaml:"permissions"`
		Install     []string          `yaml:"install"`
	} `yaml:"repos"`
}

// LoadSeed reads a seed file and applies it. Relative paths in it are
// resolved against dir. It returns a description of what it created, one
// line per app (id, installation).
func (s *Sim) LoadSeed(data []byte, dir string) ([]string, error) {
	var seed Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	for _, u := range seed.Users {
		s.AddUser(u)
	}
	tokens := make([]string, 0, len(seed.Tokens))
	for tok := range seed.Tokens {
		tokens = append(tokens, tok)
	}
	sort.Strings(tokens)
	for _, tok := range tokens {
		s.SetToken(tok, seed.Tokens[tok])
	}
	for _, t := range seed.Teams {
		if t.Org == "" || t.Slug == "" {
			return nil, fmt.Errorf("seed: a team needs org and slug")
		}
		s.AddTeam(t.Org, t.Slug, t.Members...)
	}
	apps := map[string]*App{}
	var notes []string
	for _, a := range seed.Apps {
		app, err := s.AddApp(a.Slug)
		if err != nil {
			return nil, err
		}
		apps[a.Slug] = app
		if a.KeyFile != "" {
			p := a.KeyFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if err := os.WriteFile(p, app.PrivateKeyPEM(), 0o600); err != nil {
				return nil, fmt.Errorf("seed: app %s: %w", a.Slug, err)
			}
		}
		notes = append(notes, fmt.Sprintf("app %s id=%d", a.Slug, app.ID))
	}
	for _, r := range seed.Repos {
		files := map[string]string{}
		if r.FilesFrom != "" {
			root := r.FilesFrom
			if !filepath.IsAbs(root) {
				root = filepath.Join(dir, root)
			}
			fsys := os.DirFS(root)
			err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(fsys, p)
				if err != nil {
					return err
				}
				files[p] = string(b)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("seed: repo %s: %w", r.Name, err)
			}
		}
		for p, c := range r.Files {
			files[p] = c
		}
		if _, err := s.CreateRepo(r.Name, RepoOptions{Private: r.Private, DefaultBranch: r.DefaultBranch, Files: files}); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		for login, role := range r.Permissions {
			if err := s.SetPermission(r.Name, login, role); err != nil {
				return nil, fmt.Errorf("seed: repo %s: %w", r.Name, err)
			}
		}
		for _, slug := range r.Install {
			app, ok := apps[slug]
			if !ok {
				return nil, fmt.Errorf("seed: repo %s installs unknown app %q", r.Name, slug)
			}
			owner, _, _ := strings.Cut(r.Name, "/")
			in := s.Install(app, owner, r.Name)
			notes = append(notes, fmt.Sprintf("app %s installed on %s id=%d", slug, r.Name, in.ID))
		}
	}
	return notes, nil
}

// SetToken makes token a personal access token of login.
func (s *Sim) SetToken(token, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &principal{user: s.user(login, "User")}
}
