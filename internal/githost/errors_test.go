package githost_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/baton-dev/baton/internal/githost"
)

func TestErrorMatchesItsKindAndClass(t *testing.T) {
	t.Parallel()
	all := []error{githost.ErrNotFound, githost.ErrExists, githost.ErrConflict, githost.ErrHeadChanged, githost.ErrRetryable,
		githost.ErrPermanent, githost.ErrUnauthorized, githost.ErrForbidden, githost.ErrNotMergeable, githost.ErrValidation}
	tests := []struct {
		kind  error
		alsoA error // the class, or nil
	}{
		{githost.ErrNotFound, nil},
		{githost.ErrExists, nil},
		{githost.ErrConflict, nil},
		{githost.ErrHeadChanged, githost.ErrConflict},
		{githost.ErrRetryable, nil},
		{githost.ErrPermanent, nil},
		{githost.ErrUnauthorized, githost.ErrPermanent},
		{githost.ErrForbidden, githost.ErrPermanent},
		{githost.ErrNotMergeable, githost.ErrPermanent},
		{githost.ErrValidation, githost.ErrPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.kind.Error(), func(t *testing.T) {
			t.Parallel()
			// Wrapped once more, as callers add context.
			err := fmt.Errorf("bump: %w", &githost.Error{Op: "op", Status: 400, Message: "m", Kind: tt.kind})
			for _, k := range all {
				want := errors.Is(k, tt.kind) || errors.Is(k, tt.alsoA)
				if got := errors.Is(err, k); got != want {
					t.Errorf("errors.Is(%q error, %q) = %v, want %v", tt.kind, k, got, want)
				}
			}
			var he *githost.Error
			if !errors.As(err, &he) || !errors.Is(he.Kind, tt.kind) {
				t.Errorf("errors.As: %+v", he)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *githost.Error
		want string
	}{
		{&githost.Error{Op: "read x", Status: 404, Message: "Not Found", Kind: githost.ErrNotFound}, "read x: 404 Not Found"},
		{&githost.Error{Op: "read x", Kind: githost.ErrRetryable, Err: errors.New("connection reset")}, "read x: connection reset"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
