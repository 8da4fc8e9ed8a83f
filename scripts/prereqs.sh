# Sourced by the start and test commands after toolchain.sh: checks what cannot be fetched from
# a package registry by the scripts themselves, and says how to get it.
check_prereqs() {
  local missing=()
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 22 ] || missing+=("Node.js 22 or newer (found $(node -v))")
  if command -v java >/dev/null 2>&1; then
    local java_major
    java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)
    [ "${java_major:-0}" -ge 17 ] || missing+=("a JDK 17 or newer (found Java ${java_major:-unknown}), for the local Kafka broker")
  else
    missing+=("a JDK 17 or newer (java on PATH), for the local Kafka broker")
  fi
  command -v mvn >/dev/null 2>&1 || missing+=("Apache Maven (mvn on PATH), which fetches the Kafka broker's jars")
  command -v go >/dev/null 2>&1 || [ -x "$(dirname "${BASH_SOURCE[0]}")/../.tools/bin/minio" ] ||
    missing+=("Go 1.24 or newer (go on PATH), which builds the local S3-compatible server (MinIO) once")
  command -v openssl >/dev/null 2>&1 || missing+=("openssl, which makes the development certificates")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing prerequisites:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "On Debian or Ubuntu: apt-get install openjdk-17-jdk-headless maven openssl (and Go 1.24+ from your usual Go install)" >&2
    return 1
  fi
}
