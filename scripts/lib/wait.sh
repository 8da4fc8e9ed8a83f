# Sourced: wait_until NAME PID LOG SECONDS CMD... runs CMD until it succeeds, failing (with the
# tail of LOG) when the process PID dies first or SECONDS pass.
wait_until() {
  local name="$1" pid="$2" log="$3" seconds="$4"
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "error: $name did not start; its log ($log):" >&2
      tail -20 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Succeeds when a GET of the URL answers 2xx (Node's fetch: no extra tool needed).
http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }
