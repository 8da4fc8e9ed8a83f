# Sourced: a real S3-compatible server (MinIO, built from source with `go install` at a pinned
# version, once, into .tools/bin) on loopback.
#   start_s3 DIR PORT [KAFKA_ENV_FILE]
#                       starts it with DIR as its storage and waits until it answers; with a file
#                       of kafka_client_env lines (KAFKA_BROKERS, KAFKA_SASL_*), it publishes bucket
#                       notifications to Kafka topic s3.events.v1 as target DROPS (a bucket opts in
#                       with the queue ARN arn:minio:sqs::DROPS:kafka), as an object store does for
#                       event-driven drops
#   stop_s3             stops it
# Credentials for tests and the local platform: S3_ACCESS_KEY / S3_SECRET_KEY below.
source "$(dirname "${BASH_SOURCE[0]}")/wait.sh"
S3_PID=""
S3_ACCESS_KEY="${S3_ACCESS_KEY:-catalog-dev}"
S3_SECRET_KEY="${S3_SECRET_KEY:-catalog-dev-secret}"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
S3_BIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/bin"

ensure_minio() {
  local stamp="$S3_BIN_DIR/.minio-version"
  [ -x "$S3_BIN_DIR/minio" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MINIO_VERSION" ] && return 0
  command -v go >/dev/null 2>&1 || {
    echo "error: Go is missing; it builds the local S3-compatible server (MinIO). Install Go 1.24 or newer." >&2
    return 1
  }
  echo "building MinIO $MINIO_VERSION with go install (once; a few minutes)" >&2
  mkdir -p "$S3_BIN_DIR"
  GOBIN="$S3_BIN_DIR" GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION" >&2
  echo "$MINIO_VERSION" >"$stamp"
}

start_s3() {
  local dir="$1" port="$2" kafka_env="${3:-}"
  local notify=()
  ensure_minio
  mkdir -p "$dir/data"
  if [ -n "$kafka_env" ]; then
    # MinIO speaks SCRAM as sha256/sha512; its queue folder keeps events while the broker is away.
    local brokers user password_file mechanism
    brokers=$(sed -n 's/^KAFKA_BROKERS=//p' "$kafka_env")
    user=$(sed -n 's/^KAFKA_SASL_USERNAME=//p' "$kafka_env")
    password_file=$(sed -n 's/^KAFKA_SASL_PASSWORD_FILE=//p' "$kafka_env")
    mechanism=$(sed -n 's/^KAFKA_SASL_MECHANISM=SCRAM-SHA-//p' "$kafka_env")
    mkdir -p "$dir/events"
    notify=(MINIO_NOTIFY_KAFKA_ENABLE_DROPS=on "MINIO_NOTIFY_KAFKA_BROKERS_DROPS=$brokers"
      MINIO_NOTIFY_KAFKA_TOPIC_DROPS=s3.events.v1 MINIO_NOTIFY_KAFKA_SASL_DROPS=on
      "MINIO_NOTIFY_KAFKA_SASL_USERNAME_DROPS=$user" "MINIO_NOTIFY_KAFKA_SASL_PASSWORD_DROPS=$(cat "$password_file")"
      "MINIO_NOTIFY_KAFKA_SASL_MECHANISM_DROPS=sha$mechanism" "MINIO_NOTIFY_KAFKA_QUEUE_DIR_DROPS=$dir/events")
  fi
  env "${notify[@]}" MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" MINIO_BROWSER=off \
    MINIO_UPDATE=off MINIO_CI_CD=1 \
    "$S3_BIN_DIR/minio" server --quiet --address "127.0.0.1:$port" "$dir/data" >"$dir/minio.log" 2>&1 &
  S3_PID=$!
  wait_until MinIO "$S3_PID" "$dir/minio.log" 60 http_ok "http://127.0.0.1:$port/minio/health/ready"
}

stop_s3() {
  if [ -n "$S3_PID" ] && kill -0 "$S3_PID" 2>/dev/null; then
    kill -TERM "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
  fi
  S3_PID=""
}
