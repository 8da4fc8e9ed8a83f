# Sourced: a single-node Apache Kafka broker in KRaft mode, its jars fetched by Maven (pom in
# scripts/kafka/) and run with the machine's JDK. Clients must authenticate (SASL/SCRAM-SHA-512 on
# a SASL_PLAINTEXT listener) and the StandardAuthorizer denies what no ACL grants, as in production.
#   start_kafka DIR PORT   formats DIR once (with a random password per principal, kept in
#                          DIR/credentials/NAME), starts the broker on 127.0.0.1:PORT (controller,
#                          plaintext, on 127.0.0.1:PORT+1) and waits until it accepts connections;
#                          stop_kafka stops it.
#                          A principal added to KAFKA_PRINCIPALS since DIR was formatted gets its
#                          SCRAM user from the running broker (kafka_add_users), its topics kept.
#   kafka_password NAME    the password of principal NAME of the last broker started
#   kafka_client_env NAME  the KAFKA_* variables (NAME=value lines) of a client connecting as NAME
#   kafka_platform_setup   creates the platform's topics and each service's ACLs, as the topics
#                          Job does in a cluster (services/catalog/src/topics.ts, as admin)
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
KAFKA_PID=""
KAFKA_DIR=""
KAFKA_BOOTSTRAP=""
KAFKA_SASL_MECHANISM=SCRAM-SHA-512
# admin is the super user (setup, tests); one principal per process that uses Kafka (the gateway
# reads catalog.item.v1 for its item cache; minio, the S3 server, publishes event notifications
# of new drops to s3.events.v1).
KAFKA_PRINCIPALS=(admin catalog search ingestion gateway minio)
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
  if [ -f "$dir/data/meta.properties" ] && [ ! -f "$dir/credentials/admin" ]; then
    # Formatted by an earlier version without SCRAM users: they can only be added at format time.
    echo "the Kafka data in $dir has no SCRAM users: formatting it again (its topics are lost)" >&2
    rm -rf "${dir:?}/data"
    mkdir -p "$dir/data"
  fi
  if [ ! -f "$dir/data/meta.properties" ]; then
    rm -rf "${dir:?}/credentials"
    mkdir -p "$dir/credentials"
    chmod 700 "${dir:?}/credentials"
    local name
    for name in "${KAFKA_PRINCIPALS[@]}"; do
      (umask 077 && openssl rand -hex 24 >"$dir/credentials/$name")
    done
  fi
  local admin_password
  admin_password=$(cat "$dir/credentials/admin")
  (umask 077 && cat >"$dir/server.properties") <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller
listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=$KAFKA_SASL_MECHANISM
sasl.mechanism.inter.broker.protocol=$KAFKA_SASL_MECHANISM
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# The controller listener (plaintext, loopback only) authenticates nobody: the broker's own requests
# to its controller arrive as ANONYMOUS and need the cluster action a super user has.
super.users=User:admin;User:ANONYMOUS
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
    local scram=()
    for name in "${KAFKA_PRINCIPALS[@]}"; do
      scram+=(--add-scram "$KAFKA_SASL_MECHANISM=[name=$name,password=$(cat "$dir/credentials/$name")]")
    done
    "${java[@]}" kafka.tools.StorageTool format --standalone -t "$("${java[@]}" kafka.tools.StorageTool random-uuid | tail -1)" \
      -c "$dir/server.properties" "${scram[@]}" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
  fi
  "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  KAFKA_PID=$!
  KAFKA_DIR="$dir"
  KAFKA_BOOTSTRAP="127.0.0.1:$port"
  wait_until Kafka "$KAFKA_PID" "$dir/kafka.log" 90 port_open "$port"
  kafka_add_users "$dir" "$port"
}

# The SCRAM users of KAFKA_PRINCIPALS that DIR has no credentials for (it was formatted before they
# were added), made on the broker running on PORT as admin, each with a random password.
kafka_add_users() {
  local dir="$1" port="$2" name password missing=()
  for name in "${KAFKA_PRINCIPALS[@]}"; do
    [ -f "$dir/credentials/$name" ] || missing+=("$name")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local client="$dir/admin-client.properties"
  (umask 077 && cat >"$client") <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=$KAFKA_SASL_MECHANISM
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$dir/credentials/admin")";
PROPS
  for name in "${missing[@]}"; do
    password=$(openssl rand -hex 24)
    java -Dlog4j2.configurationFile="$(dirname "${BASH_SOURCE[0]}")/../kafka/log4j2.properties" -cp "$KAFKA_HOME_DIR/libs/*" \
      kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$port" --command-config "$client" --alter \
      --add-config "$KAFKA_SASL_MECHANISM=[password=$password]" --entity-type users --entity-name "$name" \
      >"$dir/add-user.log" 2>&1 || { cat "$dir/add-user.log" >&2; return 1; }
    (umask 077 && echo "$password" >"$dir/credentials/$name")
  done
}

kafka_password() {
  cat "${KAFKA_DIR:?start_kafka first}/credentials/$1"
}

kafka_client_env() {
  echo "KAFKA_BROKERS=${KAFKA_BOOTSTRAP:?start_kafka first}"
  echo "KAFKA_SASL_MECHANISM=$KAFKA_SASL_MECHANISM"
  echo "KAFKA_SASL_USERNAME=$1"
  echo "KAFKA_SASL_PASSWORD_FILE=$KAFKA_DIR/credentials/$1"
}

kafka_platform_setup() {
  local root vars
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  mapfile -t vars < <(kafka_client_env admin)
  env SERVICE_NAME=catalog LOG_LEVEL=warn KAFKA_REPLICATION_FACTOR=1 KAFKA_ACLS=true KAFKA_OBJECT_STORE_USER=minio "${vars[@]}" \
    node "$root/services/catalog/src/topics.ts"
}

stop_kafka() {
  if [ -n "$KAFKA_PID" ] && kill -0 "$KAFKA_PID" 2>/dev/null; then
    kill -TERM "$KAFKA_PID" 2>/dev/null || true
    wait "$KAFKA_PID" 2>/dev/null || true
  fi
  KAFKA_PID=""
}
