#!/bin/sh
# Vendors the QR decoder the merchant counter falls back to where the browser has no
# BarcodeDetector (Safari, Firefox): jsQR 1.4.0 from the npm registry, Apache-2.0
# (https://github.com/cozmo/jsQR). Served from community/static/vendor/, never from a CDN.
# Run from the repository root; it checks the file against the digest recorded below.
set -eu
VERSION=1.4.0
SHA256=bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "jsqr@$VERSION" >/dev/null && tar xzf "jsqr-$VERSION.tgz")
echo "$SHA256  $tmp/package/dist/jsQR.js" | sha256sum -c -
cp "$tmp/package/dist/jsQR.js" community/static/vendor/jsQR.js
cp "$tmp/package/LICENSE" community/static/vendor/jsQR.LICENSE
echo "vendored jsQR $VERSION"
