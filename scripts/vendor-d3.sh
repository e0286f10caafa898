#!/usr/bin/env bash
# How the web UI's copy of d3 was made: the npm registry's d3@7 package, its UMD bundle and licence
# copied into src/kithkin/web/vendor/d3/. The result is committed, so running Kithkin needs no build
# step and no network; run this only to move to another d3 release.
set -euo pipefail
version="${1:-7}"
here="$(cd "$(dirname "$0")/.." && pwd)"
target="$here/src/kithkin/web/vendor/d3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "d3@$version" >/dev/null && tar xzf d3-*.tgz)
mkdir -p "$target"
cp "$work/package/dist/d3.min.js" "$target/d3.min.js"
cp "$work/package/LICENSE" "$target/LICENSE"
node -e 'console.log("d3 " + require(process.argv[1]).version)' "$work/package/package.json" > "$target/VERSION"
cat "$target/VERSION"
