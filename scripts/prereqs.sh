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
  local tools
  tools="$(dirname "${BASH_SOURCE[0]}")/../.tools"
  command -v go >/dev/null 2>&1 || { [ -x "$tools/bin/minio" ] && [ -x "$tools/bin/helm" ] && [ -d "$tools/k8s-schemas/crds" ]; } ||
    missing+=("Go 1.26 or newer (go on PATH), which builds the local S3-compatible server (MinIO) and the Kubernetes packaging checks' tools once")
  python3 -m pip --version >/dev/null 2>&1 || [ -d "$tools/k8s-schemas/kubernetes" ] ||
    missing+=("Python 3 with pip (python3 -m pip), which fetches the Kubernetes JSON schemas once")
  command -v openssl >/dev/null 2>&1 || missing+=("openssl, which makes the development certificates")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing prerequisites:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "On Debian or Ubuntu: apt-get install openjdk-17-jdk-headless maven openssl python3-pip (and Go 1.26+ from your usual Go install)" >&2
    return 1
  fi
}
