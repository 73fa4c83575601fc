#!/usr/bin/env bash
# Fetches the front-end files Lantian embeds from the npm registry, pinned by
# version, and records where each came from. Run it to update a library; the
# files it writes are committed, so builds never reach the network.
set -euo pipefail
cd "$(dirname "$0")/.."
out=internal/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
fetch() { # package version
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && mkdir -p "$1" && tar -xzf "$1"-*.tgz -C "$1" --strip-components 1 && rm "$1"-*.tgz)
}
fetch leaflet 1.9.4
fetch htmx.org 2.0.8
fetch signature_pad 5.1.3
mkdir -p "$out/leaflet/images" "$out/htmx" "$out/signature_pad"
cp "$tmp/leaflet/dist/leaflet.js" "$tmp/leaflet/dist/leaflet.css" "$out/leaflet/"
cp "$tmp"/leaflet/dist/images/*.png "$out/leaflet/images/"
cp "$tmp/leaflet/LICENSE" "$out/leaflet/LICENSE"
cp "$tmp/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$tmp/htmx.org/LICENSE" "$out/htmx/LICENSE"
cp "$tmp/signature_pad/dist/signature_pad.umd.min.js" "$out/signature_pad/"
cp "$tmp/signature_pad/LICENSE" "$out/signature_pad/LICENSE"
{
  echo "# Vendored front-end files"
  echo
  echo "Written by scripts/vendor.sh from the npm registry; do not edit by hand."
  echo
  echo "| file | package | version | licence | sha256 |"
  echo "|---|---|---|---|---|"
  for f in leaflet/leaflet.js leaflet/leaflet.css htmx/htmx.min.js signature_pad/signature_pad.umd.min.js; do
    pkg=leaflet; ver=1.9.4; lic=BSD-2-Clause
    case $f in htmx/*) pkg=htmx.org; ver=2.0.8; lic=0BSD;; signature_pad/*) pkg=signature_pad; ver=5.1.3; lic=MIT;; esac
    echo "| $f | $pkg | $ver | $lic | $(sha256sum "$out/$f" | cut -c1-16)… |"
  done
} > "$out/SOURCES.md"
echo "vendored into $out"
