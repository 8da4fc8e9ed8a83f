#!/usr/bin/env bash
# Runs a benchmark against a real PostgreSQL it starts (and stops) itself.
#   bash scripts/bench/run.sh catalog
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/lib/postgres.sh
pnpm install --frozen-lockfile --reporter=silent >/dev/null
bash scripts/certs.sh >/dev/null
run_dir="$ROOT/.data/bench"
rm -rf "$run_dir" && mkdir -p "$run_dir"
port="${PG_BENCH_PORT:-55434}"
trap stop_postgres EXIT
start_postgres "$run_dir/postgres" "$port" "$run_dir/postgres.log"
export BENCH_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$port/postgres"
node "scripts/bench/${1:-catalog}.ts"
