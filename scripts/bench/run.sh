#!/usr/bin/env bash
# Runs a benchmark against a real PostgreSQL it starts (and stops) itself.
#   bash scripts/bench/run.sh catalog|gateway|search|ingestion|soak|prices
#   BENCH_ENGINE=opensearch bash scripts/bench/run.sh search|ingestion   the bench on an OpenSearch node
#     started here too (scripts/lib/opensearch.sh): BENCH_OPENSEARCH_HEAP (3g), OPENSEARCH_BENCH_PORT (59400)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/lib/postgres.sh
source scripts/lib/kafka.sh
source scripts/lib/opensearch.sh
pnpm install --frozen-lockfile --reporter=silent >/dev/null
bash scripts/certs.sh >/dev/null
run_dir="$ROOT/.data/bench"
rm -rf "$run_dir" && mkdir -p "$run_dir"
port="${PG_BENCH_PORT:-55434}"
engine="${BENCH_ENGINE:-postgres}"
case "$engine" in
  postgres) ;;
  opensearch) case "${1:-catalog}" in search | ingestion) ;; *) echo "error: BENCH_ENGINE=opensearch is for the search and ingestion benches" >&2; exit 1 ;; esac ;;
  *) echo "error: BENCH_ENGINE=$engine: postgres or opensearch" >&2; exit 1 ;;
esac
trap 'stop_opensearch; stop_kafka; stop_postgres' EXIT
if [ "$engine" = "opensearch" ]; then
  # A million documents with their wildcard subfields: a few GB of heap, the rest of the machine's
  # memory left to the page cache that holds the index files.
  OPENSEARCH_HEAP="${BENCH_OPENSEARCH_HEAP:-3g}"
  # Its start is the slowest (JVM warm-up): it runs while PostgreSQL and Kafka start.
  launch_opensearch "$run_dir/opensearch" "${OPENSEARCH_BENCH_PORT:-59400}"
fi
start_postgres "$run_dir/postgres" "$port" "$run_dir/postgres.log"
export BENCH_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$port/postgres" BENCH_PG_DATA="$run_dir/postgres"
if [ "${1:-catalog}" = "search" ] || [ "${1:-catalog}" = "ingestion" ] || [ "${1:-catalog}" = "soak" ] || [ "${1:-catalog}" = "gateway" ]; then
  start_kafka "$run_dir/kafka" "${KAFKA_BENCH_PORT:-59492}"
  export BENCH_KAFKA_BROKERS="127.0.0.1:${KAFKA_BENCH_PORT:-59492}" BENCH_KAFKA_SASL_PASSWORD_FILE="$KAFKA_DIR/credentials/admin"
fi
if [ "$engine" = "opensearch" ]; then
  await_opensearch
  export BENCH_OPENSEARCH_URL="$OPENSEARCH_URL" BENCH_OPENSEARCH_HEAP="$OPENSEARCH_HEAP"
fi
node "scripts/bench/${1:-catalog}.ts"
