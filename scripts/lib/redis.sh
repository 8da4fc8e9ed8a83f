# Sourced: start_redis DIR PORT starts Debian's redis-server (installing it with apt-get when it is
# missing and we are root) on loopback without persistence; stop_redis stops it.
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
REDIS_PID=""

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server with apt-get" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  command -v redis-server >/dev/null 2>&1 || {
    echo "error: redis-server is missing; install it (Debian/Ubuntu: apt-get install redis-server)" >&2
    return 1
  }
}

start_redis() {
  local dir="$1" port="$2"
  ensure_redis
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" --daemonize no >/dev/null 2>&1 &
  REDIS_PID=$!
  wait_until redis-server "$REDIS_PID" "$dir/redis.log" 20 port_open "$port"
}

stop_redis() {
  if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  REDIS_PID=""
}
