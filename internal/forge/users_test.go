package forge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/baton-dev/baton/internal/forge"
	"github.com/baton-dev/baton/internal/githost"
)

func TestSelfOfAUserToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, tok := setup(t)
	c := client(t, url, tok, &sleeps{})
	got, err := c.Self(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := githost.Identity{User: githost.User{ID: sim.AddUser("alice").ID, Login: "alice", Type: "User"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Self (-want +got):\n%s", diff)
	}
	sim.ResetLog()
	if again, err := c.Self(ctx); err != nil || again != got || len(sim.Requests()) != 0 {
		t.Errorf("second Self = %+v, %v after %d requests; want the cached answer", again, err, len(sim.Requests()))
	}
}

func TestSelfOfAnApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, url, _ := setup(t)
	app := installApp(t, sim, "acme/config")
	var token string
	c, err := forge.New(ctx, forge.Options{AppID: app.ID, PrivateKey: app.PrivateKeyPEM(), Repo: "acme/config", APIURL: url, OnToken: func(s string) { token = s }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Self(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := githost.Identity{User: githost.User{ID: app.Bot.ID, Login: "baton[bot]", Type: "Bot"}, AppID: app.ID, AppSlug: "baton"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Self (-want +got):\n%s", diff)
	}

	// The same installation token handed over as a plain token cannot
	// name itself: GET /user refuses integrations.
	plain := client(t, url, token, &sleeps{})
	_, err = plain.Self(ctx)
	if !errors.Is(err, githost.ErrForbidden) {
		t.Errorf("Self of an installation token: %v, want forbidden", err)
	}
}
