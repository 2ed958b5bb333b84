package action

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// printUntrusted prints text Baton did not write itself — file contents in
// a dry run's diff, file names, changelog text — so that the runner reads
// no workflow command in it (a manifest line "::warning::x" or
// "##[error]y" would otherwise become one): the text goes between
// ::stop-commands::<token> and ::<token>::, with a random token the text
// cannot predict (GitHub's "Stopping and starting workflow commands").
func printUntrusted(w io.Writer, text string) error {
	if text == "" {
		return nil
	}
	tok := stopToken()
	for strings.Contains(text, tok) {
		tok = stopToken()
	}
	_, err := fmt.Fprintf(w, "::stop-commands::%s\n%s\n::%s::\n", tok, strings.TrimRight(text, "\n"), tok)
	return err
}

func stopToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the runtime's generator does not fail
	}
	return hex.EncodeToString(b)
}

// untrustedWriter is a log whose every write is printed as untrusted text:
// the dry run's plan and progress notes name branches, files and versions
// read from the config repository. Each write is closed on its own, so
// that Baton's own commands (::add-mask:: above all) are never printed
// while commands are stopped.
type untrustedWriter struct{ w io.Writer }

// Write implements io.Writer.
func (u untrustedWriter) Write(p []byte) (int, error) {
	if u.w == nil {
		return len(p), nil
	}
	if err := printUntrusted(u.w, string(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
