# Sourced: a single-node OpenSearch for the tests, its jars fetched by Maven (pom in
# scripts/opensearch/) and run with the machine's JDK. No security plugin: plain HTTP, no users, on
# loopback only (a test server).
#   start_opensearch DIR PORT   launch_opensearch, then await_opensearch
#   launch_opensearch DIR PORT  writes DIR/config (data in DIR/data, kept between starts) and starts
#                               the node in the background: HTTP on 127.0.0.1:PORT, transport on
#                               127.0.0.1:PORT+1; OPENSEARCH_URL is its address
#   await_opensearch            waits until the cluster's health is yellow or green (fails with the
#                               log's tail when the node dies or OPENSEARCH_START_SECONDS pass)
#   stop_opensearch             SIGTERM (the node closes its shards), SIGKILL if it still runs after
#                               OPENSEARCH_STOP_SECONDS
#   OPENSEARCH_HEAP             the node's heap (default 512m)
#
# Why a launcher and not the distribution's bootstrap: the bootstrap refuses to run as root, and the
# test command runs as root in CI. Running it as an unprivileged user (setpriv, nobody) would need
# every folder from / down to the jars and DIR open to that user: a clone under /root (0700) is not,
# and making it so means chown or chmod outside this script's folders. The bootstrap also wants a
# modules/NAME/ layout with descriptors and security policies that the Maven jars lack. So
# scripts/opensearch/LocalNode.java starts a Node with its plugins on the classpath, as OpenSearch's
# own test framework does: the same node, REST API, analyzers and queries; skipped are only the root
# check, the Java security manager, memory locking and the bootstrap checks (which a loopback node
# does not enforce anyway). It runs as whoever runs this script and touches nothing outside DIR and
# .tools/opensearch.
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
OPENSEARCH_PID=""
OPENSEARCH_DIR=""
OPENSEARCH_PORT=""
OPENSEARCH_URL=""
OPENSEARCH_HEAP="${OPENSEARCH_HEAP:-512m}"
OPENSEARCH_START_SECONDS="${OPENSEARCH_START_SECONDS:-120}"
OPENSEARCH_STOP_SECONDS="${OPENSEARCH_STOP_SECONDS:-20}"
OPENSEARCH_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../opensearch" && pwd)"
OPENSEARCH_HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/opensearch"

# Fetches the jars (Maven) and compiles the launcher once; again only when the pom or the launcher
# changed.
ensure_opensearch_jars() {
  local pom="$OPENSEARCH_SRC_DIR/pom.xml" launcher="$OPENSEARCH_SRC_DIR/LocalNode.java"
  local stamp="$OPENSEARCH_HOME_DIR/.stamp"
  local sum
  sum=$(cat "$pom" "$launcher" | sha256sum | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
  command -v javac >/dev/null 2>&1 || {
    echo "error: javac is missing; the OpenSearch launcher needs a JDK 17+ (not only a JRE): apt-get install openjdk-17-jdk-headless" >&2
    return 1
  }
  echo "fetching OpenSearch's jars with Maven" >&2
  rm -rf "${OPENSEARCH_HOME_DIR:?}/libs" "${OPENSEARCH_HOME_DIR:?}/classes" "$stamp"
  mkdir -p "$OPENSEARCH_HOME_DIR/classes"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$OPENSEARCH_HOME_DIR/libs" -DincludeScope=runtime >&2
  javac -nowarn -d "$OPENSEARCH_HOME_DIR/classes" -cp "$OPENSEARCH_HOME_DIR/libs/*" "$launcher" >&2
  echo "$sum" >"$stamp"
}

launch_opensearch() {
  local dir="$1" port="$2"
  local transport=$((port + 1))
  local p
  for p in "$port" "$transport"; do
    if port_open "$p"; then
      echo "error: port $p is taken; OpenSearch needs $port (HTTP) and $transport (transport): choose another port" >&2
      return 1
    fi
  done
  ensure_opensearch_jars
  mkdir -p "$dir/config" "$dir/data" "$dir/logs"
  cp "$OPENSEARCH_SRC_DIR/log4j2.properties" "$dir/config/log4j2.properties"
  cat >"$dir/config/opensearch.yml" <<YML
cluster.name: catalog-test
node.name: local
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $port
transport.port: $transport
discovery.type: single-node
# A shared machine's disk may be fuller than the watermarks: a test node allocates regardless.
cluster.routing.allocation.disk.threshold_enabled: false
YML
  # The distribution's JVM options that matter here (jvm.options of 2.19).
  java -Xms"$OPENSEARCH_HEAP" -Xmx"$OPENSEARCH_HEAP" -XX:+UseG1GC -Xss1m \
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true -XX:-OmitStackTraceInFastThrow \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Djava.locale.providers=SPI,COMPAT \
    -cp "$OPENSEARCH_HOME_DIR/libs/*:$OPENSEARCH_HOME_DIR/classes" LocalNode "$dir" >"$dir/opensearch.log" 2>&1 &
  OPENSEARCH_PID=$!
  OPENSEARCH_DIR="$dir"
  OPENSEARCH_PORT="$port"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  OPENSEARCH_URL="http://127.0.0.1:$port"
}

opensearch_ready() {
  port_open "$1" && http_ok "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=2s"
}

await_opensearch() {
  wait_until OpenSearch "${OPENSEARCH_PID:?launch_opensearch first}" "$OPENSEARCH_DIR/opensearch.log" \
    "$OPENSEARCH_START_SECONDS" opensearch_ready "$OPENSEARCH_PORT"
}

start_opensearch() {
  launch_opensearch "$1" "$2" && await_opensearch
}

stop_opensearch() {
  if [ -n "$OPENSEARCH_PID" ] && kill -0 "$OPENSEARCH_PID" 2>/dev/null; then
    kill -TERM "$OPENSEARCH_PID" 2>/dev/null || true
    local deadline=$((SECONDS + OPENSEARCH_STOP_SECONDS))
    while kill -0 "$OPENSEARCH_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$OPENSEARCH_PID" 2>/dev/null; then
      echo "OpenSearch did not stop within ${OPENSEARCH_STOP_SECONDS}s: killing it" >&2
      kill -KILL "$OPENSEARCH_PID" 2>/dev/null || true
    fi
    wait "$OPENSEARCH_PID" 2>/dev/null || true
  fi
  OPENSEARCH_PID=""
}
