#!/usr/bin/env bash
# Refresh the vendored browser files in static/vendor/ from the npm registry:
#   katex/   KaTeX (min JS, min CSS, every font the CSS references)
#   plotly/  Plotly's cartesian partial bundle, and its gl3d bundle for 3D surfaces
#   swagger-ui/  Swagger UI's bundle and CSS, for the /docs page
#   redoc/   ReDoc's standalone bundle, for the /redoc page
#   axe-core/  axe-core's engine, which the browser tests run on every page (never served to
#              learners: no template loads it)
#   mathlive/  MathLive's ESM bundle, the optional visual maths editor (fonts: KaTeX's)
#
# The versions come from package.json (the single pin); to upgrade, edit the pins there
# and run this script. Needs node/npm only here, never to run or test the app.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
pin() { node -p "require('$repo_root/package.json').dependencies['$1']"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# unpack NAME: npm pack NAME@pin into $work/NAME/package
unpack() {
  mkdir -p "$work/$1"
  (cd "$work/$1" && npm pack --silent "$1@$(pin "$1")" >/dev/null && tar xzf ./*.tgz)
}

unpack katex
dist="$work/katex/package/dist"
target="$repo_root/static/vendor/katex"
rm -rf "$target"
mkdir -p "$target/fonts"
cp "$dist/katex.min.js" "$dist/katex.min.css" "$work/katex/package/LICENSE" "$target/"
# Every font katex.min.css references (woff2, woff and ttf), so the CSS stays untouched.
grep -o 'url(fonts/[^)]*)' "$dist/katex.min.css" | sed 's/^url(fonts\///; s/)$//' | sort -u |
  while read -r font; do cp "$dist/fonts/$font" "$target/fonts/"; done
echo "KaTeX $(pin katex) copied to ${target#"$repo_root"/}"

# The two Plotly bundles must be one release: the widgets load both on a page with a 3D plot.
if [ "$(pin plotly.js-cartesian-dist-min)" != "$(pin plotly.js-gl3d-dist-min)" ]; then
  echo "package.json pins two different Plotly versions" >&2
  exit 1
fi
unpack plotly.js-cartesian-dist-min
unpack plotly.js-gl3d-dist-min
target="$repo_root/static/vendor/plotly"
rm -rf "$target"
mkdir -p "$target"
cp "$work/plotly.js-cartesian-dist-min/package/plotly-cartesian.min.js" \
   "$work/plotly.js-gl3d-dist-min/package/plotly-gl3d.min.js" \
   "$work/plotly.js-cartesian-dist-min/package/LICENSE" "$target/"
echo "Plotly $(pin plotly.js-cartesian-dist-min) (cartesian, gl3d) copied to ${target#"$repo_root"/}"

# The API reference pages (/docs, /redoc) load these instead of a CDN's copy.
unpack swagger-ui-dist
target="$repo_root/static/vendor/swagger-ui"
rm -rf "$target"
mkdir -p "$target"
cp "$work/swagger-ui-dist/package/swagger-ui-bundle.js" \
   "$work/swagger-ui-dist/package/swagger-ui.css" \
   "$work/swagger-ui-dist/package/LICENSE" "$target/"
echo "Swagger UI $(pin swagger-ui-dist) copied to ${target#"$repo_root"/}"

unpack redoc
target="$repo_root/static/vendor/redoc"
rm -rf "$target"
mkdir -p "$target"
cp "$work/redoc/package/bundles/redoc.standalone.js" "$work/redoc/package/LICENSE" "$target/"
# The one thing the bundle fetches by itself is the sidebar's Redocly logo, from Redocly's CDN:
# empty its src (the component hides the image when it fails), so /redoc asks no other host.
logo='src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'
if [ "$(grep -o "$logo" "$target/redoc.standalone.js" | wc -l)" != 1 ]; then
  echo "redoc.standalone.js no longer loads its logo as expected: check it by hand" >&2
  exit 1
fi
sed -i "s#$logo#src:\"\"#" "$target/redoc.standalone.js"
echo "ReDoc $(pin redoc) copied to ${target#"$repo_root"/}"

# The browser tests (tests/e2e/test_accessibility.py) load it from /static/vendor/axe-core/.
unpack axe-core
target="$repo_root/static/vendor/axe-core"
rm -rf "$target"
mkdir -p "$target"
cp "$work/axe-core/package/axe.min.js" "$work/axe-core/package/LICENSE" \
   "$work/axe-core/package/LICENSE-3RD-PARTY.txt" "$target/"
echo "axe-core $(pin axe-core) copied to ${target#"$repo_root"/}"

# The optional visual maths editor (static/js/visual_editor.js) imports the ESM bundle when a
# learner turns it on. Its fonts are KaTeX's, byte for byte: the editor loads them from
# katex/fonts/ (MathfieldElement.fontsDirectory), so they are checked here, not copied. Its
# keypress sounds are not vendored (the editor sets soundsDirectory to null).
unpack mathlive
target="$repo_root/static/vendor/mathlive"
rm -rf "$target"
mkdir -p "$target"
cp "$work/mathlive/package/mathlive.min.mjs" "$target/"
cp "$work/mathlive/package/LICENSE.txt" "$target/LICENSE"
for font in "$work/mathlive/package/fonts/"*.woff2; do
  if ! cmp -s "$font" "$repo_root/static/vendor/katex/fonts/$(basename "$font")"; then
    echo "MathLive's $(basename "$font") is not KaTeX's: vendor MathLive's fonts/ too" >&2
    exit 1
  fi
done
echo "MathLive $(pin mathlive) copied to ${target#"$repo_root"/}"
