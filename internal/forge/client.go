// Package forge is Baton's GitHub adapter: the only package that imports
// go-github. It offers the use cases a small set of domain operations,
// retries what is retryable with jittered backoff under a total deadline,
// serializes mutating calls, and types every error by what the caller must
// do (see internal/githost).
//
// The files follow go-github's API areas: client.go (construction, auth,
// the retry loop), errors.go (typing failures), repos.go, git.go,
// pulls.go, issues.go, checks.go, releases.go, teams.go, activity.go,
// actions.go and users.go. Every method's doc comment names the REST route(s) it calls.
package forge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// Options configure a Client.
type Options struct {
	// Token is a GitHub token (PAT, GITHUB_TOKEN, or an App token minted
	// elsewhere). Either Token or AppID and PrivateKey.
	Token string
	// AppID and PrivateKey authenticate as a GitHub App; the installation
	// is looked up for Repo and its token scoped to Repo.
	AppID      int64
	PrivateKey []byte
	Repo       string
	// AlsoRead are other repositories of the same owner the App token should
	// cover when the installation includes them (the app repository, for
	// changelogs and ancestry); the token falls back to Repo alone.
	AlsoRead []string
	// APIURL is the REST API's base URL (GITHUB_API_URL); empty means
	// https://api.github.com. GHES URLs end in /api/v3.
	APIURL string
	// HTTPClient carries the requests; nil means a client with a timeout.
	HTTPClient *http.Client
	// Retry bounds the retries; zero values take the defaults.
	Retry Retry
	// Sleep waits between attempts; nil means a context-aware time.Sleep.
	// Tests inject one that does not wait.
	Sleep func(context.Context, time.Duration) error
	// OnToken is called with every token the client obtains, so the
	// caller can mask it in logs.
	OnToken func(string)
	// Logf reports retries; nil discards.
	Logf func(format string, args ...any)
	// MaxFileSize refuses files larger than this many bytes, from the
	// contents API's size, before their content is downloaded
	// (*githost.TooLargeError); 0 reads any size.
	MaxFileSize int64
}

// Retry bounds the retry of transient failures.
type Retry struct {
	Attempts int           // per call; default 6
	Base     time.Duration // first backoff; default 500ms
	Max      time.Duration // backoff cap; default 20s
	Deadline time.Duration // total time one call may take; default 3m
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 6
	}
	if r.Base <= 0 {
		r.Base = 500 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 20 * time.Second
	}
	if r.Deadline <= 0 {
		r.Deadline = 3 * time.Minute
	}
	return r
}

// Client performs Baton's GitHub operations.
type Client struct {
	gh    *github.Client
	retry Retry
	sleep func(context.Context, time.Duration) error
	logf  func(string, ...any)
	// maxFile is Options.MaxFileSize.
	maxFile int64
	// writes serializes mutating calls, as GitHub asks of integrations to
	// stay under its secondary rate limits.
	writes sync.Mutex
	// Identity is the login Baton acts as ("" when unknown); for Apps it is
	// "<slug>[bot]". Self gives the numeric ids.
	Identity string

	// appID and appSlug name the App when the client authenticates as
	// one (0 and "" for a token).
	appID   int64
	appSlug string
	// self caches Self's answer.
	selfMu sync.Mutex
	self   *githost.Identity
}

// New builds a client. With a token it makes no request. With App
// credentials it looks up the installation for opts.Repo
// (GET /repos/{owner}/{repo}/installation, as the App) and mints a token
// scoped to opts.Repo and the AlsoRead repositories it covers
// (POST /app/installations/{installation_id}/access_tokens). An App not
// installed there is an error saying so; a bad key names private-key.
func New(ctx context.Context, opts Options) (*Client, error) {
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	apiURL := strings.TrimSuffix(opts.APIURL, "/")
	if apiURL == "" {
		apiURL = "https://api.github.com"
	}
	if _, err := url.ParseRequestURI(apiURL); err != nil {
		return nil, fmt.Errorf("GitHub API URL %q: %w", opts.APIURL, err)
	}
	c := &Client{retry: opts.Retry.withDefaults(), sleep: opts.Sleep, logf: opts.Logf, maxFile: opts.MaxFileSize}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	newClient := func(h *http.Client, extra ...github.ClientOptionsFunc) (*github.Client, error) {
		o := append([]github.ClientOptionsFunc{github.WithHTTPClient(h), github.WithUserAgent("baton")}, extra...)
		if apiURL != "https://api.github.com" {
			o = append(o, github.WithEnterpriseURLs(apiURL+"/", apiURL+"/"))
		}
		return github.NewClient(o...)
	}
	switch {
	case opts.AppID != 0 || len(opts.PrivateKey) > 0:
		if opts.AppID == 0 || len(opts.PrivateKey) == 0 {
			return nil, errors.New("GitHub App auth needs both app-id and private-key")
		}
		if opts.Repo == "" {
			return nil, errors.New("GitHub App auth needs the repository to find the installation for")
		}
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		atr, err := ghinstallation.NewAppsTransport(base, opts.AppID, opts.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("private-key: %w (want the PEM file GitHub generated for the App)", err)
		}
		atr.BaseURL = ghesRoot(apiURL)
		appHTTP := *hc
		appHTTP.Transport = atr
		appClient, err := newClient(&appHTTP)
		if err != nil {
			return nil, err
		}
		owner, name, _ := strings.Cut(opts.Repo, "/")
		// GET /repos/{owner}/{repo}/installation (App JWT)
		inst, err := do(ctx, c, "find the App installation for "+opts.Repo, false, func(ctx context.Context) (*github.Installation, *github.Response, error) {
			return appClient.Apps.GetRepositoryInstallation(ctx, owner, name)
		})
		if err != nil {
			if errors.Is(err, githost.ErrNotFound) {
				return nil, fmt.Errorf("the GitHub App %d is not installed on %s: install it there (Settings → GitHub Apps): %w", opts.AppID, opts.Repo, err)
			}
			return nil, err
		}
		scoped := func(repos []string) (*ghinstallation.Transport, string, error) {
			itr := ghinstallation.NewFromAppsTransport(atr, inst.GetID())
			itr.BaseURL = atr.BaseURL
			itr.InstallationTokenOptions = &github.InstallationTokenOptions{Repositories: repos}
			tok, err := itr.Token(ctx)
			return itr, tok, err
		}
		repos := []string{name}
		for _, r := range opts.AlsoRead {
			if o, n, ok := strings.Cut(r, "/"); ok && strings.EqualFold(o, owner) && !strings.EqualFold(n, name) {
				repos = append(repos, n)
			}
		}
		itr, tok, err := scoped(repos)
		if err != nil && len(repos) > 1 {
			// The installation does not cover the other repositories: a
			// token for the config repository alone.
			itr, tok, err = scoped(repos[:1])
		}
		if err != nil {
			return nil, fmt.Errorf("get an installation token for %s: %w", opts.Repo, err)
		}
		if opts.OnToken != nil {
			opts.OnToken(tok)
		}
		instHTTP := *hc
		instHTTP.Transport = itr
		if c.gh, err = newClient(&instHTTP); err != nil {
			return nil, err
		}
		c.Identity = inst.GetAppSlug() + "[bot]"
		c.appID, c.appSlug = inst.GetAppID(), inst.GetAppSlug()
		if c.appID == 0 {
			c.appID = opts.AppID
		}
	case opts.Token != "":
		if opts.OnToken != nil {
			opts.OnToken(opts.Token)
		}
		gh, err := newClient(hc, github.WithAuthToken(opts.Token))
		if err != nil {
			return nil, err
		}
		c.gh = gh
	default:
		return nil, errors.New("no GitHub credentials: set github-token, or app-id and private-key")
	}
	return c, nil
}

// ghesRoot turns a REST base URL into what ghinstallation wants: the same
// URL (it appends /app/... itself), with GHES's /api/v3 kept.
func ghesRoot(apiURL string) string {
	if apiURL == "https://api.github.com" {
		return apiURL
	}
	if strings.HasSuffix(apiURL, "/api/v3") {
		return apiURL
	}
	return apiURL + "/api/v3"
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// do runs one API call with retries (see call) and returns its result.
// Every method of Client goes through it or through pages.
func do[T any](ctx context.Context, c *Client, op string, mutating bool, fn func(context.Context) (T, *github.Response, error)) (T, error) {
	v, _, err := doResp(ctx, c, op, mutating, fn)
	return v, err
}

// doResp is do that also returns the last response, for its Link header.
func doResp[T any](ctx context.Context, c *Client, op string, mutating bool, fn func(context.Context) (T, *github.Response, error)) (T, *github.Response, error) {
	var out T
	var last *github.Response
	err := c.call(ctx, op, mutating, func(ctx context.Context) (*github.Response, error) {
		v, resp, err := fn(ctx)
		out, last = v, resp
		return resp, err
	})
	return out, last, err
}

// none adapts a go-github call that returns no value to do.
func none(resp *github.Response, err error) (struct{}, *github.Response, error) {
	return struct{}{}, resp, err
}

// drop adapts a go-github call whose value Baton does not need to do.
func drop[T any](_ T, resp *github.Response, err error) (struct{}, *github.Response, error) {
	return struct{}{}, resp, err
}

// maxPages bounds a listing: a list longer than maxPages pages of 100 is
// refused rather than read in part, since a partial list (of comments,
// reviews, checks) could hide what a decision depends on.
const maxPages = 50

// pages reads every page of a list, following the Link header's next
// page; fn reads the page it is given (0 is the first). Each page is
// retried on its own.
func pages[T any](ctx context.Context, c *Client, op string, fn func(ctx context.Context, page int) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	page := 0
	for n := 0; ; n++ {
		if n == maxPages {
			return nil, &githost.Error{Op: op, Kind: githost.ErrPermanent, Message: fmt.Sprintf("more than %d pages; refusing to decide on part of the list", maxPages)}
		}
		list, resp, err := doResp(ctx, c, op, false, func(ctx context.Context) ([]T, *github.Response, error) { return fn(ctx, page) })
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if resp == nil || resp.NextPage == 0 || resp.NextPage <= page {
			return all, nil
		}
		page = resp.NextPage
	}
}

// perPage is the page size of every listing: GitHub's maximum.
const perPage = 100

// call runs one API call with retries. Mutating calls hold the write lock.
func (c *Client) call(ctx context.Context, op string, mutating bool, fn func(context.Context) (*github.Response, error)) error {
	if mutating {
		c.writes.Lock()
		defer c.writes.Unlock()
	}
	ctx, cancel := context.WithTimeout(ctx, c.retry.Deadline)
	defer cancel()
	// This loop waits out rate limits itself (Retry-After, reset), so
	// go-github's own client-side block, which would refuse the retry
	// without asking GitHub, is bypassed.
	ctx = context.WithValue(ctx, github.BypassRateLimitCheck, true)
	var last *githost.Error
	var waited time.Duration // the backoff slept so far, for the message
	attempts := 0
	for attempt := 0; attempt < c.retry.Attempts; attempt++ {
		attempts = attempt + 1
		resp, err := fn(ctx)
		if err == nil {
			return nil
		}
		e := classify(op, resp, err)
		if !errors.Is(e, githost.ErrRetryable) {
			// Say whether it was retried: a person deciding to re-run the
			// job needs to know.
			if errors.Is(e, githost.ErrPermanent) || errors.Is(e, githost.ErrForbidden) || errors.Is(e, githost.ErrUnauthorized) || errors.Is(e, githost.ErrValidation) {
				if attempt == 0 {
					e.Message += " (not retried: a retry cannot change this answer)"
				} else {
					e.Message += fmt.Sprintf(" (after %d attempts)", attempts)
				}
			}
			return e
		}
		last = e
		if attempt == c.retry.Attempts-1 {
			break
		}
		wait := backoff(c.retry, attempt)
		if e.RetryAfter > 0 {
			wait = e.RetryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			last.Message += fmt.Sprintf(" (the next retry, in %s, would pass the %s deadline)", wait.Round(time.Second), c.retry.Deadline)
			break
		}
		c.logf("%s: %s; retrying in %s (attempt %d of %d)", op, e.Error(), wait.Round(time.Millisecond), attempt+2, c.retry.Attempts)
		if err := c.sleep(ctx, wait); err != nil {
			return &githost.Error{Op: op, Kind: githost.ErrRetryable, Message: fmt.Sprintf("gave up after %d attempts: %s", attempts, err), Err: last}
		}
		waited += wait
	}
	last.Message = fmt.Sprintf("%s (failed after %d attempts over %s)", last.Message, attempts, waited.Round(time.Second))
	return last
}

// backoff is exponential with full jitter.
func backoff(r Retry, attempt int) time.Duration {
	d := r.Base << attempt
	if d > r.Max || d <= 0 {
		d = r.Max
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not security
}

// short abbreviates a 40-character sha for messages.
func short(ref string) string {
	if len(ref) == 40 {
		return ref[:7]
	}
	return ref
}

// split cuts "owner/name".
func split(repo string) (string, string) {
	owner, name, _ := strings.Cut(repo, "/")
	return owner, name
}
