package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunServesSeededRepoOnLoopback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(`
users: [alice]
tokens: {ghp_alice: alice}
teams: [{org: acme, slug: sre, members: [alice]}]
apps: [{slug: baton, key_file: baton.pem}]
repos:
  - name: acme/config
    private: true
    files: {"environments/staging/web-deployment.yaml": "image: ghcr.io/acme/web:1.4.0\n"}
    permissions: {alice: admin}
    install: [baton]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--seed", seed, "--data", filepath.Join(dir, "data")}, pw) }()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no base URL printed")
	}
	base := sc.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", base)
	}
	req, _ := http.NewRequest("GET", base+"/repos/acme/config/contents/environments/staging/web-deployment.yaml", nil)
	req.Header.Set("Authorization", "token ghp_alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["path"] != "environments/staging/web-deployment.yaml" {
		t.Fatalf("contents: %d %v", resp.StatusCode, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "baton.pem")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "acme", "config.git", "HEAD")); err != nil {
		t.Error(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop")
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"--listen", "0.0.0.0:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunRefusesBadFaultFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fault-rate", "1.5"}, "--fault-rate 1.5: want a share from 0 to 1"},
		{[]string{"--fault-rate", "-0.1"}, "--fault-rate -0.1"},
		{[]string{"--latency", "-1s"}, "--latency -1s"},
		{[]string{"--rate-limit", "-2"}, "--rate-limit -2"},
	} {
		err := run(context.Background(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestRunInjectsRandomFaults(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--fault-rate", "1", "--fault-seed", "9"}, pw) }()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no base URL printed")
	}
	base := sc.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for i := range 5 {
		resp, err := http.Get(base + "/rate_limit")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 403 {
				t.Errorf("request %d answered %d with every request failing", i, resp.StatusCode)
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
