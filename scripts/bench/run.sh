#!/usr/bin/env bash
# Runs a benchmark against a real PostgreSQL it starts (and stops) itself.
#   bash scripts/bench/run.sh catalog|gateway|search|ingestion|soak
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/lib/postgres.sh
source scripts/lib/kafka.sh
pnpm install --frozen-lockfile --reporter=silent >/dev/null
bash scripts/certs.sh >/dev/null
run_dir="$ROOT/.data/bench"
rm -rf "$run_dir" && mkdir -p "$run_dir"
port="${PG_BENCH_PORT:-55434}"
trap 'stop_kafka; stop_postgres' EXIT
start_postgres "$run_dir/postgres" "$port" "$run_dir/postgres.log"
export BENCH_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$port/postgres" BENCH_PG_DATA="$run_dir/postgres"
if [ "${1:-catalog}" = "search" ] || [ "${1:-catalog}" = "ingestion" ] || [ "${1:-catalog}" = "soak" ] || [ "${1:-catalog}" = "gateway" ]; then
  start_kafka "$run_dir/kafka" "${KAFKA_BENCH_PORT:-59492}"
  export BENCH_KAFKA_BROKERS="127.0.0.1:${KAFKA_BENCH_PORT:-59492}" BENCH_KAFKA_SASL_PASSWORD_FILE="$KAFKA_DIR/credentials/admin"
fi
node "scripts/bench/${1:-catalog}.ts"
