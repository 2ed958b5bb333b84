package ghsimtest_test

import (
	"fmt"
	"strings"

	"github.com/baton-dev/baton/internal/ghsim/ghsimtest"
)

// A test builds a World with NewWorld(t, opts); outside a test, Start
// does the same and the caller closes it.
func ExampleStart() {
	w, err := ghsimtest.Start(ghsimtest.WorldOptions{Policy: "apps: {}\n"})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	prod, _ := w.Sim.FileAt(w.Config, "main", "environments/production/web-deployment.yaml")
	for _, line := range strings.Split(prod, "\n") {
		if strings.Contains(line, "image:") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	fmt.Println(w.Clock.Now().Equal(ghsimtest.DefaultStart), w.Token(ghsimtest.Writer) != "")
	// Output:
	// image: ghcr.io/acme/web:1.3.0   # bumped by Baton
	// true true
}
