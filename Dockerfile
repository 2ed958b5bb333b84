# syntax=docker/dockerfile:1
# Baton's container action: a static binary on distroless. It runs as root,
# as container actions must (the runner's file-command files are root-owned).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/baton-dev/baton/internal/cli.version=${VERSION}" \
      -o /baton ./cmd/baton

FROM gcr.io/distroless/static-debian12
COPY --from=build /baton /baton
ENTRYPOINT ["/baton", "run"]
