#!/usr/bin/env bash
# Refresh the vendored KaTeX files in static/vendor/katex/ from the npm registry.
#
# The version comes from package.json (the single pin); to upgrade, edit the pin there
# and run this script. Needs node/npm only here, never to run or test the app.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(node -p "require('$repo_root/package.json').dependencies.katex")"
target="$repo_root/static/vendor/katex"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "katex@$version" >/dev/null && tar xzf katex-*.tgz)
dist="$work/package/dist"

rm -rf "$target"
mkdir -p "$target/fonts"
cp "$dist/katex.min.js" "$dist/katex.min.css" "$work/package/LICENSE" "$target/"
# Every font katex.min.css references (woff2, woff and ttf), so the CSS stays untouched.
grep -o 'url(fonts/[^)]*)' "$dist/katex.min.css" | sed 's/^url(fonts\///; s/)$//' | sort -u |
  while read -r font; do cp "$dist/fonts/$font" "$target/fonts/"; done

echo "KaTeX $version copied to ${target#"$repo_root"/}"
