#!/usr/bin/env bash
# The demo behind `make demo`: Baton's byte-exact edit engine on a copy of
# the sample config repo. No network, no credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
baton=${BATON:-bin/baton}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R examples/config-repo "$work/config"
cd "$work/config"
file=environments/staging/app-deployment.yaml

echo "== a develop build produced ghcr.io/acme/app:1.5.0; preview the change (--dry-run):"
"$OLDPWD/$baton" edit --dry-run --image ghcr.io/acme/app:1.5.0 "$file"
echo
echo "== apply it:"
"$OLDPWD/$baton" edit --image ghcr.io/acme/app:1.5.0 "$file"
echo
echo "== run it again (already there, nothing changes):"
"$OLDPWD/$baton" edit --image ghcr.io/acme/app:1.5.0 "$file"
echo
echo "== pin a digest as well, for the whole staging directory:"
"$OLDPWD/$baton" edit --image "ghcr.io/acme/app:1.5.0@sha256:$(printf 'e%.0s' {1..64})" environments/staging
echo
echo "== conflicting inputs are an input error (exit 2), and nothing is written:"
"$OLDPWD/$baton" edit --image ghcr.io/acme/app:1.5.0 --tag 1.6.0 "$file" || echo "(exit $?)"
echo
echo "== the whole change against the original (image values only):"
diff -u "$OLDPWD/examples/config-repo/$file" "$file" || true
