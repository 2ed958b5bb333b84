// Package ghsimtest builds a ready GitHub world on the simulator for
// tests: an organization acme with a config repository in the seed layout,
// an app repository, people with each role, a team, optionally Baton's
// GitHub App, and one fake clock driving it all.
package ghsimtest

import (
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baton-dev/baton/internal/ghsim"
)

// StagingDeployment is the staging manifest of the seed layout: one
// Deployment whose container runs ghcr.io/acme/web:1.4.0. Production holds
// the same manifest at 1.3.0.
const StagingDeployment = `# Staging deployment of the web app.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: staging
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0   # bumped by Baton
          ports:
            - containerPort: 8080
`

// SeedLayout returns the config repository's files of the seed layout:
// environments/{staging,production}/web-deployment.yaml, the image at
// 1.4.0 in staging and 1.3.0 in production. The map is a fresh copy.
func SeedLayout() map[string]string { return seedLayout(StagingDeployment) }

// seedLayout is the seed layout with staging as the staging manifest and
// production the same with 1.4.0 replaced by 1.3.0.
func seedLayout(staging string) map[string]string {
	return map[string]string{
		"environments/staging/web-deployment.yaml":    staging,
		"environments/production/web-deployment.yaml": strings.ReplaceAll(staging, "1.4.0", "1.3.0"),
	}
}

// The people of a World, by role on the config repository. Every login
// is a person (type User) with a personal access token in World.Tokens.
const (
	// Admin administers the config repository.
	Admin = "adam"
	// Approver is a writer in team acme/sre: the approver a policy names.
	Approver = "bob"
	// Approver2 is a second writer in acme/sre.
	Approver2 = "alice"
	// NamedApprover is a writer a policy can name directly (carol).
	NamedApprover = "carol"
	// Writer has write access and no approver rights: the attacker.
	Writer = "erin"
	// Reader can only read.
	Reader = "dave"
	// Triage can label and close, not push.
	Triage = "tess"
	// CI is the pipeline's token user, a writer.
	CI = "ci"
	// BatonUser is the person account standing in for Baton's identity
	// when it runs with a token rather than as an App, a writer.
	BatonUser = "baton"
	// BatonApp is the slug of Baton's GitHub App (bot login baton[bot]).
	BatonApp = "baton"
	// ActionsBot is the account of a workflow's GITHUB_TOKEN.
	ActionsBot = "github-actions[bot]"
)

// DefaultRoles are the config repository's collaborators of a World.
func DefaultRoles() map[string]string {
	return map[string]string{
		Admin: "admin", Approver: "write", Approver2: "write", NamedApprover: "write", Writer: "write",
		Reader: "read", Triage: "triage", CI: "write", BatonUser: "write",
	}
}

// WorldOptions shape a World; the zero value is the common set-up.
type WorldOptions struct {
	// Start is the clock's start; zero means DefaultStart.
	Start time.Time
	// WallClock makes the World's clock a wall clock (NewWallClock; Start
	// is then ignored): for a world whose clients keep real time, as the
	// baton binary run as a subprocess or a client signing App JWTs does.
	WallClock bool
	// ConfigFiles are laid over the seed layout (or replace it with
	// NoSeedLayout); an empty config repository needs NoSeedLayout and
	// no files.
	ConfigFiles  map[string]string
	NoSeedLayout bool
	// StagingManifest, when not empty, stands for StagingDeployment in
	// the seed layout (production gets it with 1.4.0 replaced by 1.3.0).
	StagingManifest string
	// Policy, when not empty, is written to .baton.yaml.
	Policy string
	// PublicConfig makes the config repository public (private by default).
	PublicConfig bool
	// AppFiles are the app repository's files; nil means main.go.
	AppFiles map[string]string
	// PrivateAppRepo makes the app repository private (public by default).
	PrivateAppRepo bool
	// Roles are laid over DefaultRoles (login → admin, maintain, write,
	// triage, read; "" removes a default).
	Roles map[string]string
	// Teams maps "org/slug" to active members, laid over the default
	// acme/sre (Approver, Approver2); a nil member list removes a team.
	Teams map[string][]string
	// NoDefaultPeople drops DefaultRoles and the default team: Roles and
	// Teams are then all the config repository's collaborators and teams.
	NoDefaultPeople bool
	// App creates Baton's GitHub App and installs it on acme for the
	// config and app repositories.
	App bool
	// AppPermissions are laid over the installation's default permissions
	// (contents, pull_requests and issues write; metadata, checks,
	// statuses, members and actions read).
	AppPermissions map[string]string
	// AppInstalledOn are the repositories the App is installed on; nil
	// means the config and the app repository.
	AppInstalledOn []string
	// Sim are the simulator's options; Now and Sleep are the World's
	// clock unless set.
	Sim ghsim.Options
}

// Repository names of a World.
const (
	ConfigRepo = "acme/config"
	AppRepo    = "acme/web"
)

// World is a running simulator with the seed layout.
type World struct {
	Sim    *ghsim.Sim
	Server *httptest.Server
	// URL is the simulator's base URL (the API root).
	URL   string
	Clock *Clock
	// Config and AppRepo are the repositories' full names.
	Config, AppRepo string
	// App and Installation are Baton's App and its installation on acme
	// (nil unless WorldOptions.App).
	App          *ghsim.App
	Installation *ghsim.Installation

	mu     sync.Mutex
	tokens map[string]string
}

// NewWorld starts a World on loopback and closes it when the test ends;
// it fails the test when the world cannot be built.
func NewWorld(t testing.TB, opts WorldOptions) *World {
	t.Helper()
	w, err := Start(opts)
	if err != nil {
		t.Fatalf("ghsimtest: %v", err)
	}
	t.Cleanup(w.Close)
	return w
}

// Start builds and serves a World outside a test (the demo); the caller
// closes it.
func Start(opts WorldOptions) (*World, error) {
	start := opts.Start
	if start.IsZero() {
		start = DefaultStart
	}
	clk := NewClock(start)
	if opts.WallClock {
		clk = NewWallClock()
	}
	so := opts.Sim
	if so.Now == nil {
		so.Now = clk.Now
	}
	if so.Sleep == nil {
		so.Sleep = clk.Sleep
	}
	sim := ghsim.New(so)
	srv := sim.Serve()
	w := &World{Sim: sim, Server: srv, URL: srv.URL, Clock: clk, Config: ConfigRepo, AppRepo: AppRepo, tokens: map[string]string{}}
	if err := w.seed(opts); err != nil {
		srv.Close()
		return nil, err
	}
	return w, nil
}

func (w *World) seed(opts WorldOptions) error {
	files := map[string]string{}
	if !opts.NoSeedLayout {
		staging := opts.StagingManifest
		if staging == "" {
			staging = StagingDeployment
		}
		files = seedLayout(staging)
	}
	maps.Copy(files, opts.ConfigFiles)
	if opts.Policy != "" {
		files[".baton.yaml"] = opts.Policy
	}
	w.Sim.AddOrg("acme")
	w.Sim.AddUser(Approver2)
	if _, err := w.Sim.CreateRepo(ConfigRepo, ghsim.RepoOptions{Private: !opts.PublicConfig, Files: files, Author: Approver2, Message: "Seed the config repo"}); err != nil {
		return err
	}
	appFiles := opts.AppFiles
	if appFiles == nil {
		appFiles = map[string]string{"main.go": "package main\n"}
	}
	if _, err := w.Sim.CreateRepo(AppRepo, ghsim.RepoOptions{Private: opts.PrivateAppRepo, Files: appFiles, Author: Approver2}); err != nil {
		return err
	}
	roles, teams := DefaultRoles(), map[string][]string{"acme/sre": {Approver, Approver2}}
	if opts.NoDefaultPeople {
		roles, teams = map[string]string{}, map[string][]string{}
	}
	maps.Copy(roles, opts.Roles)
	var errs []error
	for login, role := range roles {
		if role == "" {
			continue
		}
		if err := w.Sim.SetPermission(ConfigRepo, login, role); err != nil {
			errs = append(errs, fmt.Errorf("role of %s: %w", login, err))
		}
	}
	maps.Copy(teams, opts.Teams)
	for name, members := range teams {
		org, slug, ok := strings.Cut(name, "/")
		if !ok {
			errs = append(errs, fmt.Errorf("team %q is not org/slug", name))
			continue
		}
		if members != nil {
			w.Sim.AddTeam(org, slug, members...)
		}
	}
	if opts.App {
		app, err := w.Sim.AddApp(BatonApp)
		if err != nil {
			return err
		}
		w.App = app
		on := opts.AppInstalledOn
		if on == nil {
			on = []string{ConfigRepo, AppRepo}
		}
		w.Installation = w.Sim.Install(app, "acme", on...)
		w.Sim.SetInstallationPermissions(w.Installation, opts.AppPermissions)
	}
	return errors.Join(errs...)
}

// Close stops the server.
func (w *World) Close() { w.Server.Close() }

// Token returns the personal access token of login, the same one on every
// call (created, with the account, on first use).
func (w *World) Token(login string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if tok, ok := w.tokens[login]; ok {
		return tok
	}
	tok := w.Sim.Token(login)
	w.tokens[login] = tok
	return tok
}

// InstallationToken returns a fresh installation token of Baton's App
// (valid an hour of the World's clock); it panics when the World has no
// App (WorldOptions.App).
func (w *World) InstallationToken() string {
	if w.Installation == nil {
		panic("ghsimtest: InstallationToken on a World without WorldOptions.App")
	}
	return w.Sim.InstallationToken(w.Installation)
}

// ActionsToken returns a token of github-actions[bot] (type Bot) with
// write access to the config repository: a config-repo workflow's
// GITHUB_TOKEN. It is the same token on every call.
func (w *World) ActionsToken() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if tok, ok := w.tokens[ActionsBot]; ok {
		return tok, nil
	}
	tok := w.Sim.BotToken(ActionsBot)
	if err := w.Sim.SetPermission(ConfigRepo, ActionsBot, "write"); err != nil {
		return "", err
	}
	w.tokens[ActionsBot] = tok
	return tok, nil
}

// WebPolicy is the seed layout's policy written out for the app web
// (ghcr.io/acme/web, built in acme/web): develop → staging and main →
// production, each merged once one person with write access approves, so
// a pull request stays open between the operations a test measures.
const WebPolicy = `apps:
  web:
    image: ghcr.io/acme/web
    repo: acme/web
environments:
  staging:
    branches: [develop]
    merge: approval
    approvals: 1
  production:
    branches: [main]
    merge: approval
    approvals: 1
`
