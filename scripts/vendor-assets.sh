#!/usr/bin/env bash
# Refresh the vendored front-end assets in static/vendor/ from the npm registry.
# Node is needed only to run this script; the portal never needs Node at run time.
# Versions are pinned here and recorded in static/vendor/VERSIONS.
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.6.0
AXE_CORE_VERSION=4.14.1
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "axe-core@${AXE_CORE_VERSION}"
dist=node_modules/govuk-frontend/dist/govuk
dest="$here/static/vendor/govuk-frontend"
rm -rf "$dest" && mkdir -p "$dest"
cp -r "$dist/assets" "$dest/assets"
# The package's source maps are not vendored (they map minified code back to sources we do not
# ship, and a browser would ask for them only with developer tools open), so the
# sourceMappingURL comments pointing at them are removed: the manifest storage in production
# follows every such reference and refuses to build (MissingFileError) if the file is missing.
sed 's#//[#@] sourceMappingURL=[^ ]*$##' "$dist/govuk-frontend.min.js" > "$dest/govuk-frontend.min.js"
# The CSS is not copied: scripts/build-css compiles it from the Sass with the council's
# typeface (GDS Transport is for service.gov.uk only), at the version pinned in package.json.
if grep -rl 'sourceMappingURL' "$dest"; then
  echo "A vendored file still refers to a source map (see above)." >&2
  exit 1
fi
cp node_modules/govuk-frontend/dist/govuk/components/header/template.njk "$work/header.njk" 2>/dev/null || true
# axe-core is only used by the browser tests.
mkdir -p "$here/tests/browser/vendor"
cp node_modules/axe-core/axe.min.js "$here/tests/browser/vendor/axe.min.js"
printf 'govuk-frontend %s\naxe-core %s (tests only, in tests/browser/vendor)\n' \
  "$GOVUK_FRONTEND_VERSION" "$AXE_CORE_VERSION" > "$here/static/vendor/VERSIONS"
# package.json must pin the same govuk-frontend for the CSS build.
(cd "$here" && npm install --silent --no-audit --no-fund --save-exact --save-dev \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" && ./scripts/build-css)
echo "Vendored govuk-frontend ${GOVUK_FRONTEND_VERSION} and axe-core ${AXE_CORE_VERSION}."
