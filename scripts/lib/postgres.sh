# Sourced: start_postgres DATA_DIR PORT LOG starts the embedded PostgreSQL in the background and
# waits until it accepts connections; stop_postgres stops it cleanly.
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
PG_PID=""

start_postgres() {
  local data_dir="$1" port="$2" log="$3"
  if port_open "$port"; then
    echo "error: port $port is taken; set PG_PORT to a free port" >&2
    return 1
  fi
  PG_DATA_DIR="$data_dir" PG_PORT="$port" node "$ROOT/scripts/infra/postgres.ts" >"$log" 2>&1 &
  PG_PID=$!
  wait_until PostgreSQL "$PG_PID" "$log" 60 grep -q "postgres ready" "$log"
}

stop_postgres() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill -TERM "$PG_PID" 2>/dev/null || true
    wait "$PG_PID" 2>/dev/null || true
  fi
  PG_PID=""
}
