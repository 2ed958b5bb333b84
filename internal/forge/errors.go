package forge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/baton-dev/baton/internal/githost"
)

// classify types an error from go-github by what the caller must do:
// rate limits (primary, with the reset time; secondary, with Retry-After)
// and 5xx and transport failures are retryable; the rest by kindOf.
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
		if errors.Is(e.Kind, githost.ErrRetryable) && resp != nil && resp.Response != nil {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				e.RetryAfter = time.Duration(s) * time.Second
			}
		}
	case errors.Is(err, context.Canceled):
		e.Message = "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Message = githost.ErrRetryable, "timed out"
	default:
		var ne net.Error
		var ue *url.Error
		switch {
		case e.Status > 0:
			// An answer go-github types otherwise (a 2FA-required 401, a
			// redirect, or the "unexpected status code" of a route it reads
			// without its body, such as GET branch): typed by its status like
			// any other, and a 403 or 429 that carries a rate limit's headers
			// is that rate limit, not a permission.
			e.Kind = kindOf(e.Status, err.Error())
			if wait, ok := rateLimitHeaders(resp); ok && (e.Status == http.StatusForbidden || e.Status == http.StatusTooManyRequests) {
				e.Kind, e.Message, e.RetryAfter = githost.ErrRetryable, "rate limit", wait
			}
		case errors.As(err, &ne) || errors.As(err, &ue) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset"):
			e.Kind, e.Message = githost.ErrRetryable, "connection failed: "+err.Error()
		}
	}
	return e
}

// rateLimitHeaders reads what GitHub says about a rate limit in an
// answer's headers, as its REST docs describe: Retry-After (seconds) for a
// secondary limit, or x-ratelimit-remaining 0 with x-ratelimit-reset (epoch
// seconds) for the primary one. ok is false when neither is there.
func rateLimitHeaders(resp *github.Response) (wait time.Duration, ok bool) {
	if resp == nil || resp.Response == nil {
		return 0, false
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return time.Until(time.Unix(reset, 0)) + time.Second, true
		}
		return time.Minute, true
	}
	return 0, false
}

// kindOf types an API error by status and message: what the caller must do
// (retry, rebuild on the new state, or report).
// Rate limits never reach it: classify has typed them from go-github's
// RateLimitError and AbuseRateLimitError, so a 403 here is a permission.
func kindOf(status int, msg string) error {
	switch {
	case status >= 500, status == http.StatusTooManyRequests:
		return githost.ErrRetryable
	case status == http.StatusForbidden && strings.Contains(strings.ToLower(msg), "rate limit"):
		// A rate limit go-github did not recognize (no documentation_url
		// or remaining count): wait, do not report a permission.
		return githost.ErrRetryable
	case status == http.StatusUnauthorized:
		return githost.ErrUnauthorized
	case status == http.StatusForbidden && strings.Contains(msg, "archived"):
		return githost.ErrArchived
	case status == http.StatusForbidden:
		return githost.ErrForbidden
	case status == http.StatusNotFound:
		return githost.ErrNotFound
	case status == http.StatusConflict && strings.Contains(msg, "Head branch was modified"):
		return githost.ErrHeadChanged
	case status == http.StatusConflict:
		return githost.ErrConflict
	case status == http.StatusMethodNotAllowed && strings.Contains(msg, "Base branch was modified"):
		return githost.ErrRetryable
	case status == http.StatusMethodNotAllowed:
		return githost.ErrNotMergeable
	case status == http.StatusUnprocessableEntity:
		switch {
		case strings.Contains(msg, "already exists"), strings.Contains(msg, "already_exists"):
			return githost.ErrExists
		case strings.Contains(msg, "not a fast forward"):
			return githost.ErrConflict
		case strings.Contains(msg, "Reference update failed"), strings.Contains(msg, "Could not resolve to a node"):
			return githost.ErrRetryable
		}
		return githost.ErrValidation
	case status == http.StatusBadRequest:
		return githost.ErrValidation
	}
	return githost.ErrPermanent
}
