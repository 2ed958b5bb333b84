#!/usr/bin/env bash
# Reproduces the edit engine's comparison with yq: the same image edit on
# the 2 MB benchmark manifest (500 references), timed, with peak memory,
# and the characters each tool changed outside the image values. yq is
# installed into a temporary directory through the Go module proxy for
# this comparison only; it is not a dependency of Baton. When the install
# fails, the yq lines say so and Baton's are still measured.
#
# Output lines (scripts/bench.sh reads them):
#   <tool>: <wall> s wall, <user> s CPU, <rss> KB max RSS
#   <tool> lines changed outside the image values: N, characters: M
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have_yq=1
if ! GOBIN="$work/bin" GOFLAGS=-mod=mod go install github.com/mikefarah/yq/v4@latest >"$work/yq-install.log" 2>&1; then
  have_yq=0
  echo "yq: install failed (go install github.com/mikefarah/yq/v4@latest): $(tail -1 "$work/yq-install.log")"
fi
CGO_ENABLED=0 go build -trimpath -o "$work/bin/baton" ./cmd/baton
go test ./internal/yamledit -run '^TestWriteBenchManifest$' -manifest-out "$work/bench.yaml" >/dev/null
cp "$work/bench.yaml" "$work/yq.yaml"
cp "$work/bench.yaml" "$work/baton.yaml"
echo "bench.yaml: $(stat -c %s "$work/bench.yaml") bytes, $(grep -c 'ghcr.io/acme/web' "$work/bench.yaml") references"
tools="baton"
if [ "$have_yq" = 1 ]; then
  echo "yq version: $("$work/bin/yq" --version)"
  /usr/bin/time -f "yq: %e s wall, %U s CPU, %M KB max RSS" "$work/bin/yq" -i \
    '(.. | select(tag == "!!str" and test("^ghcr.io/acme/web(:|@|$)"))) |= "ghcr.io/acme/web:1.5.0"' "$work/yq.yaml"
  tools="yq baton"
fi
/usr/bin/time -f "baton: %e s wall, %U s CPU, %M KB max RSS" "$work/bin/baton" edit --image ghcr.io/acme/web:1.5.0 "$work/baton.yaml" >/dev/null
# Characters changed outside the image values: diff's hunks, with every
# image reference masked, lines paired in order within each hunk.
for tool in $tools; do
  { diff "$work/bench.yaml" "$work/$tool.yaml" || true; } | python3 -c '
import re, sys
mask = lambda l: re.sub(r"ghcr\.io/acme/web[^\s\"\x27]*", "IMAGE", l)
lines = nbytes = 0
def dist(a, b):  # Levenshtein distance: characters inserted, removed or replaced
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]
def flush(old, new):
    global lines, nbytes
    for i in range(max(len(old), len(new))):
        o = mask(old[i]) if i < len(old) else ""
        n = mask(new[i]) if i < len(new) else ""
        if o != n:
            lines += 1
            nbytes += dist(o, n) + (1 if i >= len(old) or i >= len(new) else 0)
old, new = [], []
for l in sys.stdin:
    if l.startswith("< "): old.append(l[2:])
    elif l.startswith("> "): new.append(l[2:])
    elif l[0].isdigit(): flush(old, new); old, new = [], []
flush(old, new)
print(f"{sys.argv[1]} lines changed outside the image values: {lines}, characters: {nbytes}")
' "$tool"
done
