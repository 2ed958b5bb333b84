#!/usr/bin/env bash
# Peak memory (max RSS, from /usr/bin/time -v) of `baton edit` on the
# benchmark manifest at growing sizes: 2 MB (500 references) up to 60 MB.
# A size over Baton's size cap is refused, and the line says so with
# Baton's message; then the largest size the cap accepts is searched (to
# 1 MB) and measured: the cap's worst case for memory.
#
# Output lines (scripts/bench.sh reads them):
#   edit <MB> MB: <rss> KB max RSS, <wall> wall (<bytes> bytes)
#   edit <MB> MB: refused (exit N, <rss> KB max RSS): <message>
#   largest accepted <MB> MB: <rss> KB max RSS, ...
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${BATON:-}" ]; then cp "$BATON" "$work/baton"; else CGO_ENABLED=0 go build -trimpath -o "$work/baton" ./cmd/baton; fi
go test -c -o "$work/yamledit.test" ./internal/yamledit >/dev/null
# measure MB: sets $ok (1 when edited) and $line (the result).
measure() {
  local mb=$1 f="$work/m$1.yaml" code rss wall msg
  (cd internal/yamledit && "$work/yamledit.test" -test.run '^TestWriteBenchManifest$' -manifest-out "$f" -manifest-mb "$mb" >/dev/null)
  set +e
  /usr/bin/time -v "$work/baton" edit --image ghcr.io/acme/web:1.5.0 "$f" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/err")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$work/err")
  if [ "$code" = 0 ]; then
    ok=1 line="$rss KB max RSS, $wall wall ($(stat -c %s "$f") bytes)"
  else
    msg=$(grep -v -e '^\s*Command' -e '^\s[A-Z].*: ' "$work/err" | head -2 | tr '\n' ' ' | cut -c1-160)
    ok=0 line="refused (exit $code, $rss KB max RSS): $msg"
  fi
  rm -f "$f"
}
accepted=0 refused=0
for mb in ${SIZES:-2 10 25 50 60}; do
  measure "$mb"
  echo "edit $mb MB: $line"
  if [ "$ok" = 1 ]; then accepted=$mb; elif [ "$refused" = 0 ]; then refused=$mb; fi
done
# The cap lies between the largest accepted and the smallest refused size.
if [ "$refused" != 0 ] && [ "$accepted" -lt "$refused" ]; then
  lo=$accepted hi=$refused best=""
  while [ $((hi - lo)) -gt 1 ]; do
    mid=$(((lo + hi) / 2))
    measure "$mid"
    if [ "$ok" = 1 ]; then lo=$mid best=$line; else hi=$mid; fi
  done
  if [ "$lo" -gt 0 ]; then
    [ -n "$best" ] || { measure "$lo"; best=$line; }
    echo "largest accepted $lo MB: $best"
  fi
fi
