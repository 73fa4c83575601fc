#!/usr/bin/env bash
# Runs every fuzz target of the decoders of untrusted input, one after the
# other (fuzzing takes every core), for FUZZTIME each (default 60s):
#
#   scripts/fuzz.sh                  # all targets, a minute each
#   FUZZTIME=10m scripts/fuzz.sh FuzzReadHeader   # targets whose name matches
#
# A failure leaves the input in <package>/testdata/fuzz/<target>/; commit it
# as a seed once fixed. The seeds also run as ordinary tests in go test ./...
# New inputs are minimised for at most 5 s (the default minute stalls the run).
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-60s}
only=${1:-}
targets=(
  ./internal/api:FuzzCaseJSON
  ./internal/api:FuzzSyncJSON
  ./internal/api:FuzzTrackBatch
  ./internal/api:FuzzPhotoForm
  ./internal/photo:FuzzReadHeader
  ./internal/photo:FuzzProcess
  ./internal/photo:FuzzReadEXIF
  ./internal/letters:FuzzCheckSignature
  ./internal/letters:FuzzCheckScan
  ./internal/region:FuzzParseGeometry
  ./internal/importer:FuzzTable
  ./internal/importer:FuzzRegions
)
failed=()
for t in "${targets[@]}"; do
  pkg=${t%%:*} name=${t##*:}
  [[ -n "$only" && "$name" != *"$only"* ]] && continue
  echo "== $name ($pkg, $fuzztime)"
  if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s; then
    failed+=("$name")
  fi
done
if ((${#failed[@]})); then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "all fuzz targets passed"
