// Package forge is Baton's GitHub adapter: the only package that imports
// go-github. It offers the use cases a small set of domain operations,
// retries what is retryable with jittered backoff under a total deadline,
// serializes mutating calls, and types every error by what the caller must
// do (see internal/githost).
package forge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
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
	// writes serializes mutating calls, as GitHub asks of integrations to
	// stay under its secondary rate limits.
	writes sync.Mutex
	// Identity is the login Baton acts as ("" when unknown); for Apps it is
	// "<slug>[bot]".
	Identity string
	// self caches Self's answer.
	selfMu sync.Mutex
	self   *githost.Identity
}

// New builds a client. With App credentials it looks up the installation
// for opts.Repo, which costs one request.
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
	c := &Client{retry: opts.Retry.withDefaults(), sleep: opts.Sleep, logf: opts.Logf}
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
		var inst *github.Installation
		err = c.call(ctx, "find the App installation for "+opts.Repo, false, func(ctx context.Context) (*github.Response, error) {
			var resp *github.Response
			var err error
			inst, resp, err = appClient.Apps.GetRepositoryInstallation(ctx, owner, name)
			return resp, err
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
			if errors.Is(e, githost.ErrPermanent) {
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

// classify types an error from go-github.
func classify(op string, resp *github.Response, err error) *githost.Error {
	e := &githost.Error{Op: op, Err: err, Kind: githost.ErrPermanent}
	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
	}
	var rle *github.RateLimitError
	var arle *github.AbuseRateLimitError
	var er *github.ErrorResponse
	switch {
	case errors.As(err, &rle):
		e.Kind, e.Message = githost.ErrRetryable, "primary rate limit exhausted"
		if !rle.Rate.Reset.IsZero() {
			e.RetryAfter = time.Until(rle.Rate.Reset.Time) + time.Second
			e.Message += " until " + rle.Rate.Reset.UTC().Format(time.RFC3339)
		}
	case errors.As(err, &arle):
		e.Kind, e.Message = githost.ErrRetryable, "secondary rate limit"
		e.RetryAfter = arle.GetRetryAfter()
		if e.RetryAfter <= 0 {
			e.RetryAfter = time.Minute // GitHub's advice when it gives no Retry-After
		}
	case errors.As(err, &er):
		e.Message = er.Message
		for _, d := range er.Errors {
			if d.Message != "" {
				e.Message += ": " + d.Message
			} else if d.Field != "" {
				e.Message += fmt.Sprintf(": %s %s", d.Field, d.Code)
			}
		}
		e.Kind = kindOf(e.Status, e.Message)
	case errors.Is(err, context.Canceled):
		e.Message = "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Message = githost.ErrRetryable, "timed out"
	default:
		var ne net.Error
		var ue *url.Error
		if errors.As(err, &ne) || errors.As(err, &ue) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset") {
			e.Kind, e.Message = githost.ErrRetryable, "connection failed: "+err.Error()
		}
	}
	return e
}

// kindOf types an API error by status and message, as DESIGN §8 lists.
func kindOf(status int, msg string) error {
	switch {
	case status >= 500:
		return githost.ErrRetryable
	case status == http.StatusNotFound:
		return githost.ErrNotFound
	case status == http.StatusConflict:
		return githost.ErrConflict
	case status == http.StatusMethodNotAllowed && strings.Contains(msg, "Base branch was modified"):
		return githost.ErrRetryable
	case status == http.StatusUnprocessableEntity:
		switch {
		case strings.Contains(msg, "already exists"), strings.Contains(msg, "already_exists"):
			return githost.ErrExists
		case strings.Contains(msg, "not a fast forward"):
			return githost.ErrConflict
		case strings.Contains(msg, "Reference update failed"), strings.Contains(msg, "Could not resolve to a node"):
			return githost.ErrRetryable
		}
	}
	return githost.ErrPermanent
}

func split(repo string) (string, string) {
	owner, name, _ := strings.Cut(repo, "/")
	return owner, name
}
