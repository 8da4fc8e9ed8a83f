#!/usr/bin/env bash
# Runs every benchmark of the platform, one after the other, each against its own PostgreSQL (and
# Kafka where it needs one), then gathers their figures into bench/results.json and bench/report.html.
#   bash scripts/bench/all.sh              a reduced run (a few minutes): small data, short runs
#   BENCH_FULL=1 bash scripts/bench/all.sh the sizes quoted in the README (an hour or more)
# The search and ingestion benches run on PostgreSQL; with BENCH_FULL=1 (or BENCH_OPENSEARCH=1) also on an
# OpenSearch node (BENCH_ENGINE=opensearch; it needs a JDK and Maven, scripts/lib/opensearch.sh).
# Any BENCH_* or SOAK_* variable set by the caller wins over both.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ "${BENCH_FULL:-0}" != "1" ]; then
  export BENCH_SECONDS="${BENCH_SECONDS:-5}" BENCH_ITEMS="${BENCH_ITEMS:-20000}" BENCH_QUERIES="${BENCH_QUERIES:-50}" \
    BENCH_WRITE_SECONDS="${BENCH_WRITE_SECONDS:-5}" BENCH_RECORDS="${BENCH_RECORDS:-50000}" \
    SOAK_SECONDS="${SOAK_SECONDS:-120}" SOAK_WINDOW_SECONDS="${SOAK_WINDOW_SECONDS:-20}" \
    BENCH_PRICE_ROWS="${BENCH_PRICE_ROWS:-1000000}" BENCH_PRICE_ITEMS="${BENCH_PRICE_ITEMS:-50000}"
fi
rm -f bench/out/{catalog,gateway,search,search-opensearch,ingestion,ingestion-opensearch,prices,soak}.json
for bench in catalog gateway search ingestion prices soak; do
  echo "== bench: $bench"
  BENCH_ENGINE=postgres bash scripts/bench/run.sh "$bench"
  if { [ "$bench" = "search" ] || [ "$bench" = "ingestion" ]; } && { [ "${BENCH_FULL:-0}" = "1" ] || [ "${BENCH_OPENSEARCH:-0}" = "1" ]; }; then
    echo "== bench: $bench on OpenSearch"
    BENCH_ENGINE=opensearch bash scripts/bench/run.sh "$bench"
  fi
done
source scripts/toolchain.sh
node scripts/bench/report.ts
