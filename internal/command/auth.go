package command

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/githost"
	"github.com/baton-dev/baton/internal/yamledit"
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
	opts := forge.Options{Token: a.Token, Repo: repo, APIURL: a.APIURL, HTTPClient: hc, OnToken: onToken, Logf: logf, AlsoRead: alsoRead, Sleep: a.Sleep,
		// Files over the edit engine's cap are refused from their size,
		// never downloaded.
		MaxFileSize: yamledit.MaxFileSize}
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
		if err := checkPrivateKey(key); err != nil {
			return nil, inputErr("%s: %v (want the PEM file GitHub generated for the App %s)", a.Names.Of("private-key"), err, a.AppID)
		}
		opts.Token, opts.AppID, opts.PrivateKey = "", id, key
	} else if a.Token == "" {
		return nil, inputErr("no GitHub credentials: set %s, or %s and %s", a.Names.Of("github-token"), a.Names.Of("app-id"), a.Names.Of("private-key"))
	}
	c, err := forge.New(ctx, opts)
	if opts.AppID != 0 && errors.Is(err, githost.ErrUnauthorized) {
		// GitHub refused the App's JWT: a key of another App, or a JWT
		// that has expired by GitHub's clock.
		var ge *githost.Error
		if errors.As(err, &ge) && (strings.Contains(ge.Message, "'exp'") || strings.Contains(strings.ToLower(ge.Message), "expir")) {
			return nil, fmt.Errorf("GitHub finds the JWT Baton signed for %s %s expired: the runner's clock is behind GitHub's (sync it, e.g. with NTP): %w", a.Names.Of("app-id"), a.AppID, err)
		}
		return nil, inputErr("GitHub does not accept the App's key: %s is not the private key of the App %s (%s) — or %s is not the App's id (the App ID on its settings page, not an installation id): %v", a.Names.Of("private-key"), a.AppID, a.Names.Of("app-id"), a.AppID, err)
	}
	return c, err
}

// checkPrivateKey checks that key is a PEM RSA private key (PKCS #1 or
// PKCS #8), as GitHub generates for Apps, before any request.
func checkPrivateKey(key []byte) error {
	block, _ := pem.Decode(key)
	if block == nil {
		return errors.New("no PEM block")
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("not an RSA private key: %w", err)
	}
	if _, ok := k.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("a %T, not an RSA private key", k)
	}
	return nil
}
