package promotion

import (
	"fmt"
	"strings"
)

// The trailers of Baton's commits, merge commits and tags: git log and the
// tags are the audit record of every deployment.
const (
	TrailerApp     = "Baton-App"
	TrailerEnv     = "Baton-Env"
	TrailerImage   = "Baton-Image"    // full reference with digest
	TrailerFrom    = "Baton-From"     // the versions it replaced, comma-separated
	TrailerSource  = "Baton-Source"   // owner/repo@sha of the build
	TrailerRun     = "Baton-Run"      // workflow run URL
	TrailerActor   = "Baton-Actor"    // who triggered the build (login)
	TrailerActorID = "Baton-Actor-ID" // who triggered the build: the workflow run's actor and triggering actor ids, as GitHub shows them
	// TrailerActorVerified is "no" when no workflow run vouched for the
	// actor: Baton-Actor is then only what the bump's caller said, and no
	// Baton-Actor-ID is recorded.
	TrailerActorVerified = "Baton-Actor-Verified"
	TrailerSince         = "Baton-Since" // obsolete: a rebuild's carried-over approval time; read by nothing
	// TrailerRebuiltFrom names the head a rebuild replaced with the same
	// change (same image, same versions replaced): approvals of that head
	// carry over. Read only from a commit Baton is proven to have pushed.
	TrailerRebuiltFrom = "Baton-Rebuilt-From"
	// TrailerDowngrade is "allowed" on a commit of a bump run with
	// allow-downgrade (or a rollback): the merge-time downgrade check then
	// lets it through. Read only from a commit Baton pushed.
	TrailerDowngrade  = "Baton-Downgrade"
	TrailerApprovedBy = "Baton-Approved-By"
	TrailerPR         = "Baton-PR"
	TrailerMergedBy   = "Baton-Merged-By"
)

// trailerOrder is the one list of trailer keys, in the order Baton writes
// them; a key missing from a record is left out.
var trailerOrder = []string{
	TrailerApp, TrailerEnv, TrailerImage, TrailerFrom, TrailerSource, TrailerRun, TrailerActor, TrailerActorID, TrailerActorVerified,
	TrailerDowngrade, TrailerSince, TrailerRebuiltFrom, TrailerApprovedBy, TrailerPR, TrailerMergedBy,
}

// Trailers are the Baton-* trailers of a commit or tag message.
type Trailers map[string]string

// ParseTrailers reads the Baton-* trailers of a commit message.
func ParseTrailers(msg string) Trailers {
	t := Trailers{}
	for _, line := range strings.Split(msg, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && strings.HasPrefix(k, "Baton-") && !strings.ContainsAny(k, " \t") {
			t[k] = strings.TrimSpace(v)
		}
	}
	return t
}

// with returns a copy of the record with the given keys set; an empty
// value removes the key.
func (t Trailers) with(kv ...string) Trailers {
	out := Trailers{}
	for k, v := range t {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// Message renders a message: the subject (when not empty) and a blank
// line, then the record's trailers in trailerOrder, each on one line.
// This is the only place Baton writes trailers.
func (t Trailers) Message(subject string) string {
	var b strings.Builder
	if subject != "" {
		b.WriteString(subject + "\n\n")
	}
	for _, k := range trailerOrder {
		if v := oneLine(t[k]); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return b.String()
}

// allowedIf is the Baton-Downgrade value of a bump run with
// allow-downgrade: the merge-time downgrade check reads it (on Baton's
// proven commit only) so the override the person gave holds at merge.
func allowedIf(allow bool) string {
	if allow {
		return "allowed"
	}
	return ""
}
