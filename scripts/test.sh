#!/usr/bin/env bash
# Runs every check and test of the platform on a fresh machine: fetches Node 24 and pnpm if the
# machine lacks them, installs the workspace, starts the real servers the tests need (PostgreSQL,
# Redis, Kafka, OpenSearch),
# runs lint, type checks and every package's tests, stops the servers, and prints one summary line.
#
#   bash scripts/test.sh                  everything
#   bash scripts/test.sh --servers-only   start the test servers and wait (run single test files meanwhile)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/prereqs.sh
source scripts/lib/postgres.sh
source scripts/lib/redis.sh
source scripts/lib/kafka.sh
source scripts/lib/opensearch.sh
source scripts/lib/s3.sh
source scripts/lib/k8s-tools.sh
check_prereqs

# Building the S3 server (once) takes minutes: let it run beside the install and the other starts.
mkdir -p "$ROOT/.tools"
ensure_minio >"$ROOT/.tools/minio-build.log" 2>&1 &
MINIO_BUILD_PID=$!
echo "== install (node $(node -v), pnpm $(pnpm -v))"
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
# The Kubernetes packaging checks' tools (helm, kubeconform, kube-score, schemas): built once, beside the starts.
ensure_k8s_tools >"$ROOT/.tools/k8s-tools.log" 2>&1 &
K8S_TOOLS_PID=$!

run_dir="$ROOT/.data/test"
rm -rf "${run_dir:?}"
mkdir -p "$run_dir"
PG_TEST_PORT="${PG_TEST_PORT:-55433}"
REDIS_TEST_PORT="${REDIS_TEST_PORT:-56379}"
KAFKA_TEST_PORT="${KAFKA_TEST_PORT:-59292}"
S3_TEST_PORT="${S3_TEST_PORT:-59300}"
OPENSEARCH_TEST_PORT="${OPENSEARCH_TEST_PORT:-59200}"
trap 'stop_opensearch; stop_s3; stop_kafka; stop_redis; stop_postgres' EXIT
echo "== start PostgreSQL on 127.0.0.1:$PG_TEST_PORT, Redis on :$REDIS_TEST_PORT, Kafka on :$KAFKA_TEST_PORT, S3 on :$S3_TEST_PORT, OpenSearch on :$OPENSEARCH_TEST_PORT"
# OpenSearch's start is the slowest (JVM warm-up, painless): it runs while the others start.
launch_opensearch "$run_dir/opensearch" "$OPENSEARCH_TEST_PORT"
start_postgres "$run_dir/postgres" "$PG_TEST_PORT" "$run_dir/postgres.log"
start_redis "$run_dir/redis" "$REDIS_TEST_PORT"
start_kafka "$run_dir/kafka" "$KAFKA_TEST_PORT"
kafka_platform_setup
wait "$MINIO_BUILD_PID" || { cat "$ROOT/.tools/minio-build.log" >&2; exit 1; }
# The S3 server publishes bucket notifications to the broker, as its own principal: event-driven drops.
kafka_client_env minio >"$run_dir/s3-kafka.env"
start_s3 "$run_dir/s3" "$S3_TEST_PORT" "$run_dir/s3-kafka.env"
await_opensearch
wait "$K8S_TOOLS_PID" || { cat "$ROOT/.tools/k8s-tools.log" >&2; exit 1; }
export PATH="$K8S_TOOLS_BIN:$PATH" K8S_SCHEMAS
export TEST_S3_ENDPOINT="http://127.0.0.1:$S3_TEST_PORT" TEST_S3_ACCESS_KEY="$S3_ACCESS_KEY" TEST_S3_SECRET_KEY="$S3_SECRET_KEY"
export TEST_KAFKA_BROKERS="127.0.0.1:$KAFKA_TEST_PORT"
# The broker authenticates every client: tests set up and look as its super user, and run the
# services as their own principals (services/kit/src/testing/kafka.ts).
export TEST_KAFKA_SASL_MECHANISM="$KAFKA_SASL_MECHANISM" TEST_KAFKA_SASL_USERNAME=admin
TEST_KAFKA_SASL_PASSWORD=$(kafka_password admin)
TEST_KAFKA_CATALOG_PASSWORD=$(kafka_password catalog)
TEST_KAFKA_SEARCH_PASSWORD=$(kafka_password search)
TEST_KAFKA_INGESTION_PASSWORD=$(kafka_password ingestion)
TEST_KAFKA_GATEWAY_PASSWORD=$(kafka_password gateway)
export TEST_KAFKA_SASL_PASSWORD TEST_KAFKA_CATALOG_PASSWORD TEST_KAFKA_SEARCH_PASSWORD TEST_KAFKA_INGESTION_PASSWORD TEST_KAFKA_GATEWAY_PASSWORD
export TEST_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$PG_TEST_PORT/postgres"
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_TEST_PORT"
export TEST_REDIS_PORT="$REDIS_TEST_PORT"
export TEST_OPENSEARCH_URL="$OPENSEARCH_URL"

if [ "${1:-}" = "--servers-only" ]; then
  echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL TEST_REDIS_URL=$TEST_REDIS_URL TEST_KAFKA_BROKERS=$TEST_KAFKA_BROKERS TEST_S3_ENDPOINT=$TEST_S3_ENDPOINT TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY TEST_S3_SECRET_KEY=$S3_SECRET_KEY TEST_OPENSEARCH_URL=$TEST_OPENSEARCH_URL"
  echo "export TEST_KAFKA_SASL_MECHANISM=$TEST_KAFKA_SASL_MECHANISM TEST_KAFKA_SASL_USERNAME=$TEST_KAFKA_SASL_USERNAME TEST_KAFKA_SASL_PASSWORD=$TEST_KAFKA_SASL_PASSWORD TEST_KAFKA_CATALOG_PASSWORD=$TEST_KAFKA_CATALOG_PASSWORD TEST_KAFKA_SEARCH_PASSWORD=$TEST_KAFKA_SEARCH_PASSWORD TEST_KAFKA_INGESTION_PASSWORD=$TEST_KAFKA_INGESTION_PASSWORD TEST_KAFKA_GATEWAY_PASSWORD=$TEST_KAFKA_GATEWAY_PASSWORD"
  echo "test servers are up; Ctrl-C stops them"
  wait "$PG_PID"
  exit 0
fi

echo "== lint"
pnpm lint
echo "== typecheck"
pnpm typecheck
echo "== test"
# Plain TAP in logs (CI is no terminal); set TAP_REPORTER=base for the interactive view.
export TAP_REPORTER="${TAP_REPORTER:-tap}"
set +e
pnpm test 2>&1 | tee "$run_dir/test.log"
status=${PIPESTATUS[0]}
set -e
# Each package's tap run ends with "# { total: N, pass: N, fail: N }": add them up.
summary=$(sed -n 's/^# { total: \([0-9]*\), pass: \([0-9]*\)\(, fail: \([0-9]*\)\)\?.*/\1 \2 \4/p' "$run_dir/test.log" |
  awk '{t+=$1; p+=$2; f+=$3} END {printf "%d passed, %d failed", p, t-p}')
echo "tests: $summary"
exit "$status"
