# Sourced: a single-node Apache Kafka broker in KRaft mode, its jars fetched by Maven (pom in
# scripts/kafka/) and run with the machine's JDK.
#   start_kafka DIR PORT   formats DIR once, starts the broker on 127.0.0.1:PORT (controller on
#                          PORT+1) and waits until it accepts connections; stop_kafka stops it.
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
KAFKA_PID=""
KAFKA_HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/kafka"

ensure_kafka_jars() {
  local pom
  pom="$(cd "$(dirname "${BASH_SOURCE[0]}")/../kafka" && pwd)/pom.xml"
  local stamp="$KAFKA_HOME_DIR/.pom.sha"
  local sum
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
  echo "fetching the Kafka broker's jars with Maven" >&2
  rm -rf "${KAFKA_HOME_DIR:?}/libs"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$KAFKA_HOME_DIR/libs" -DincludeScope=runtime >&2
  echo "$sum" >"$stamp"
}

start_kafka() {
  local dir="$1" port="$2"
  local controller=$((port + 1))
  ensure_kafka_jars
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local java=(java -Xms256m -Xmx768m -Dlog4j2.configurationFile="$(dirname "${BASH_SOURCE[0]}")/../kafka/log4j2.properties" -cp "$KAFKA_HOME_DIR/libs/*")
  if [ ! -f "$dir/data/meta.properties" ]; then
    "${java[@]}" kafka.tools.StorageTool format --standalone -t "$("${java[@]}" kafka.tools.StorageTool random-uuid | tail -1)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
  fi
  "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  KAFKA_PID=$!
  wait_until Kafka "$KAFKA_PID" "$dir/kafka.log" 90 port_open "$port"
}

stop_kafka() {
  if [ -n "$KAFKA_PID" ] && kill -0 "$KAFKA_PID" 2>/dev/null; then
    kill -TERM "$KAFKA_PID" 2>/dev/null || true
    wait "$KAFKA_PID" 2>/dev/null || true
  fi
  KAFKA_PID=""
}
