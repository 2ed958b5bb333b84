package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDemoRunsTheMainJob(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), &out, "../config-repo"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"::notice::app 1.4.0 → 1.5.0 in staging: pull request #1 created",
		"::notice::app 1.3.2 → 1.4.2 in production: pull request #2 created",
		"+          image: ghcr.io/acme/app:1.5.0",
		"+          image: ghcr.io/acme/app:1.4.2",
		"Baton-Image: ghcr.io/acme/app:1.5.0",
		"(baton/staging/app)",
		"Baton replied: `@mallory`: your approval does not count: it needs write access to acme/config, and `@mallory` has read.",
		"Baton replied: Approval by `@bob` counted. Merged as",
		"release \"app 1.4.2 → production\" (latest: true)",
		"Baton-Approved-By: bob",
		"(main, tags/v2",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "PRIVATE KEY") {
		t.Error("demo printed the private key")
	}
}
