package githost

import (
	"errors"
	"fmt"
	"time"
)

// Errors are typed by what the caller must do. An *Error carries exactly
// one kind; errors.Is matches that kind and the broad class it belongs to,
// so a caller that only cares "can retrying help?" tests ErrPermanent,
// ErrConflict or ErrRetryable, and one that must say why tests the
// narrower kind. Callers never branch on HTTP status codes.
var (
	// ErrNotFound: the object does not exist or the token cannot see it
	// (GitHub answers 404 for private objects a token may not read).
	ErrNotFound = errors.New("not found")
	// ErrExists: the object to create already exists (a ref, a pull
	// request, a release): 422 "already exists".
	ErrExists = errors.New("already exists")
	// ErrConflict: someone changed the object meanwhile (non-fast-forward
	// ref update, a 409); rebuild on the new state and retry, bounded.
	ErrConflict = errors.New("conflict")
	// ErrHeadChanged: a merge named a head sha that is no longer the pull
	// request's head (409 "Head branch was modified"). It is also an
	// ErrConflict.
	ErrHeadChanged = errors.New("head changed")
	// ErrRetryable: a transient failure (5xx, rate limit, reset) that
	// outlived the retries.
	ErrRetryable = errors.New("temporary failure")
	// ErrPermanent: a failure that retrying cannot fix. The kinds below
	// are its narrower forms; an *Error of any of them is also an
	// ErrPermanent.
	ErrPermanent = errors.New("failed")
	// ErrUnauthorized: the credentials are wrong or expired (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the credentials are valid but lack the permission
	// (403 that is not a rate limit, e.g. "Resource not accessible by
	// integration").
	ErrForbidden = errors.New("forbidden")
	// ErrArchived: the repository is archived, so GitHub refuses every
	// write to it (403 "Repository was archived so is read-only."). It is
	// also an ErrForbidden.
	ErrArchived = errors.New("archived")
	// ErrNotMergeable: GitHub refused to merge the pull request (405:
	// "Pull Request is not mergeable", a draft, a merge method the
	// repository does not allow). The transient 405 "Base branch was
	// modified" is ErrRetryable instead.
	ErrNotMergeable = errors.New("not mergeable")
	// ErrValidation: GitHub rejected the request's content (400, or 422
	// other than "already exists" and the transient ones).
	ErrValidation = errors.New("validation failed")
)

// class is the broad kind each narrower kind also matches.
var class = map[error]error{
	ErrHeadChanged:  ErrConflict,
	ErrUnauthorized: ErrPermanent,
	ErrForbidden:    ErrPermanent,
	ErrArchived:     ErrForbidden,
	ErrNotMergeable: ErrPermanent,
	ErrValidation:   ErrPermanent,
}

// Error is a failed call to the hosting service.
type Error struct {
	Op         string        // what Baton was doing, e.g. "create ref refs/heads/x in acme/config"
	Status     int           // HTTP status, 0 for transport failures
	Message    string        // the service's message
	Kind       error         // one of the Err* values above
	RetryAfter time.Duration // for rate limits
	Err        error         // the underlying error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Status > 0 {
		return fmt.Sprintf("%s: %d %s", e.Op, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s", e.Op, msg)
}

// Is matches the error's kind and the broad class that kind belongs to
// (ErrHeadChanged is also ErrConflict; ErrForbidden, ErrUnauthorized,
// ErrNotMergeable and ErrValidation are also ErrPermanent; ErrArchived is
// also ErrForbidden, and so ErrPermanent).
func (e *Error) Is(target error) bool {
	for k := e.Kind; k != nil; k = class[k] {
		if k == target { //nolint:errorlint // kinds are sentinels, compared as such
			return true
		}
	}
	return false
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// TooLargeError is a file over the size the caller agreed to read, known
// from the contents API's size before its content is downloaded.
type TooLargeError struct {
	Repo, Path string
	Size, Max  int64 // bytes
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s in %s: %d bytes, over the %d-byte limit", e.Path, e.Repo, e.Size, e.Max)
}
