# Sourced: start_postgres DATA_DIR PORT LOG starts the embedded PostgreSQL in the background and
# waits until it accepts connections; stop_postgres stops it cleanly.
PG_PID=""

start_postgres() {
  local data_dir="$1" port="$2" log="$3"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is taken; set PG_PORT to a free port" >&2
    return 1
  fi
  PG_DATA_DIR="$data_dir" PG_PORT="$port" node "$ROOT/scripts/infra/postgres.ts" >"$log" 2>&1 &
  PG_PID=$!
  local deadline=$((SECONDS + 60))
  until grep -q "postgres ready" "$log" 2>/dev/null; do
    if ! kill -0 "$PG_PID" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "error: PostgreSQL did not start; its log ($log):" >&2
      tail -20 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}

stop_postgres() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill -TERM "$PG_PID" 2>/dev/null || true
    wait "$PG_PID" 2>/dev/null || true
  fi
  PG_PID=""
}
