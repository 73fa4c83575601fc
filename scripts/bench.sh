#!/usr/bin/env bash
# Runs the benchmarks behind docs/benchmarks.md on this machine. It fills a
# database with a million generated cases once (a few minutes), then drives
# the API over loopback. Run it on a quiet machine; it is not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${BENCH_DB:-/tmp/lantian-bench.db}
go build -o /tmp/lantian-bench ./cmd/lantian-bench
if [ ! -f "$db" ]; then
  /tmp/lantian-bench fill -db "$db" -cases 1000000
fi
echo "== Go benchmarks"
go test -run XXX -bench . -benchtime 3000x ./internal/region ./internal/ledger
echo "== ledger list over 1,000,000 cases, 32 clients (mixed filters)"
for i in 1 2 3; do /tmp/lantian-bench list -db "$db" -clients 32 -n 20000; done
echo "== case creation through the API, 32 clients"
for i in 1 2 3; do /tmp/lantian-bench create -db "$db" -clients 32 -n 20000; done
echo "== Excel export of 100,000 cases"
for i in 1 2 3; do /tmp/lantian-bench export -db "$db" -cases 100000; done
