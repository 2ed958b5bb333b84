package command

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/forge"
)

// Auth is how Baton authenticates to GitHub.
type Auth struct {
	Token      string // github-token
	AppID      string // app-id
	PrivateKey string // private-key: PEM text, or a path to a PEM file
	APIURL     string // GITHUB_API_URL
	// Names names the inputs in errors (nil: the Action's input names).
	Names Names
	// Sleep waits between retries; nil waits on the wall clock. Tests
	// pass a fake clock's SleepContext so retries cost no real time.
	Sleep func(context.Context, time.Duration) error
}

// Client builds the GitHub client for repo; an App token also covers the
// alsoRead repositories when the installation includes them. Missing or
// malformed credentials are an *InputError.
func (a Auth) Client(ctx context.Context, repo string, hc *http.Client, onToken func(string), logf func(string, ...any), alsoRead ...string) (*forge.Client, error) {
	opts := forge.Options{Token: a.Token, Repo: repo, APIURL: a.APIURL, HTTPClient: hc, OnToken: onToken, Logf: logf, AlsoRead: alsoRead, Sleep: a.Sleep}
	if a.AppID != "" || a.PrivateKey != "" {
		if a.AppID == "" || a.PrivateKey == "" {
			return nil, inputErr("GitHub App auth needs both %s and %s", a.Names.Of("app-id"), a.Names.Of("private-key"))
		}
		id, err := strconv.ParseInt(a.AppID, 10, 64)
		if err != nil || id <= 0 {
			return nil, inputErr("%s %q is not a number (the App's ID from its settings page)", a.Names.Of("app-id"), a.AppID)
		}
		key := []byte(a.PrivateKey)
		if !strings.Contains(a.PrivateKey, "-----BEGIN") {
			b, err := os.ReadFile(a.PrivateKey)
			if err != nil {
				return nil, inputErr("%s is neither a PEM key nor a readable file: %v", a.Names.Of("private-key"), err)
			}
			key = b
		}
		opts.Token, opts.AppID, opts.PrivateKey = "", id, key
	} else if a.Token == "" {
		return nil, inputErr("no GitHub credentials: set %s, or %s and %s", a.Names.Of("github-token"), a.Names.Of("app-id"), a.Names.Of("private-key"))
	}
	return forge.New(ctx, opts)
}
