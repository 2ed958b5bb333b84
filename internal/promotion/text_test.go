package promotion

import "testing"

func TestCodeSpansHoldUntrustedText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"web":                       "`web`",
		"a`b``c":                    "`abc`",
		"line\nbreak\r\nhere":       "`line break  here`",
		"zero\u200bwidth\u2060join": "`zerowidthjoin`",
		"bidi \u202eevil\u202c":     "`bidi evil`",
		"@everyone **bold**":        "`@everyone **bold**`",
		"``":                        "` `",
	} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuietPutsMentionsInCodeSpans(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Approval by @bob counted.":          "Approval by `@bob` counted.",
		"from @acme/sre, carol only":         "from `@acme/sre`, carol only",
		"by @baton[bot].":                    "by `@baton[bot]`.",
		"already `@dave` and @dave":          "already `@dave` and `@dave`",
		"mail me at bob@example.com, or @ x": "mail me at bob@example.com, or @ x",
	} {
		if got := quiet(in); got != want {
			t.Errorf("quiet(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCommandWords(t *testing.T) {
	t.Parallel()
	type parsed struct {
		name string
		ok   bool
	}
	for body, want := range map[string]parsed{
		"/approve":               {"approve", true},
		"  /approve looks good":  {"approve", true},
		"\n\n/hold\r\nwhy":       {"hold", true},
		"/lgtm":                  {"approve", true},
		"/baton":                 {"help", true},
		"/baton help":            {"help", true},
		"/baton deploy":          {"help", false},
		"/approve\u00a0now":      {"", false},
		"\u00a0/approve":         {"", false},
		"\u200b/approve":         {"", false},
		"／approve":               {"", false},
		"/Approve":               {"", false},
		"%0A/approve":            {"", false},
		"::set-output name=a::b": {"", false},
		"text\n/approve":         {"", false},
		"/approved":              {"", false},
		"/promote production":    {"", false},
		"":                       {"", false},
	} {
		name, ok := command(body)
		if (parsed{name, ok}) != want {
			t.Errorf("command(%q) = %q, %v; want %+v", body, name, ok, want)
		}
	}
}
