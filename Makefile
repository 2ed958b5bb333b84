# Baton's build. Every target runs offline once the Go module cache is
# filled through the module proxy.

GO         ?= go
BIN        ?= bin/baton
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS    := -s -w -X github.com/baton-dev/baton/internal/cli.version=$(VERSION)
GOLANGCI   := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
FUZZTIME   ?= 60s

.PHONY: all build test lint fuzz bench demo demo-edit tidy clean

all: build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/baton

test:
	$(GO) test -race -shuffle=on -count=1 ./...

# golangci-lint is run by version from the module proxy, so it never enters go.mod.
lint:
	$(GO) vet ./...
	$(GO) run $(GOLANGCI) run ./...
	$(GO) mod tidy -diff

# Each fuzz target for FUZZTIME (go test -fuzz takes one target at a time).
fuzz:
	$(GO) test ./internal/yamledit -run '^$$' -fuzz '^FuzzEdit$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/image -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)

# One table of measurements (requests, latency, repo size, edit engine
# beside yq, memory, binary); each row names the command behind it.
# Not part of test: it builds a 100,000-file repository and takes minutes.
bench:
	bash scripts/bench.sh

demo:
	$(GO) run ./examples/demo

# The byte-exact edit engine alone, on a copy of the sample config repo.
demo-edit: build
	BATON=$(BIN) bash scripts/demo.sh

tidy:
	$(GO) mod tidy

clean:
	rm -rf bin
