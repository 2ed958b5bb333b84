#!/usr/bin/env bash
# Peak memory (max RSS, from /usr/bin/time -v) of `baton edit` on the
# benchmark manifest at growing sizes: 2 MB (500 references) up to 60 MB.
# A size over Baton's size cap is refused, and the line says so with
# Baton's message; the largest accepted size is the cap's worst case.
#
# Output lines (scripts/bench.sh reads them):
#   edit <MB> MB: <rss> KB max RSS, <wall> s wall
#   edit <MB> MB: refused (exit N): <message>
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$work/baton" ./cmd/baton
go test -c -o "$work/yamledit.test" ./internal/yamledit >/dev/null
for mb in ${SIZES:-2 10 25 50 60}; do
  f="$work/m$mb.yaml"
  (cd internal/yamledit && "$work/yamledit.test" -test.run '^TestWriteBenchManifest$' -manifest-out "$f" -manifest-mb "$mb" >/dev/null)
  set +e
  /usr/bin/time -v "$work/baton" edit --image ghcr.io/acme/web:1.5.0 "$f" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/err")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/err")
  if [ "$code" = 0 ]; then
    echo "edit $mb MB: $rss KB max RSS, $wall wall ($(stat -c %s "$f") bytes)"
  else
    msg=$(grep -v -e '^\s*Command' -e '^\s[A-Z].*: ' "$work/err" | head -2 | tr '\n' ' ' | cut -c1-160)
    echo "edit $mb MB: refused (exit $code, $rss KB max RSS): $msg"
  fi
  rm -f "$f"
done
