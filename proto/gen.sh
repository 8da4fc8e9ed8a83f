#!/usr/bin/env bash
# Generates the TypeScript types of every .proto into src/gen/. With --check, fails when the
# checked-in types differ from what the protos generate (CI runs it through `pnpm lint`).
set -euo pipefail
cd "$(dirname "$0")"
protos=(common/v1/*.proto catalog/v1/*.proto search/v1/*.proto ingestion/v1/*.proto google/rpc/*.proto)
out=src/gen
[ "${1:-}" = "--check" ] && out=$(mktemp -d)
rm -rf "${out:?}"/*
# The loader options here must match LOADER_OPTIONS in src/loader.ts.
proto-loader-gen-types --keepCase --longs=String --enums=String --defaults --oneofs \
  --grpcLib=@grpc/grpc-js --importFileExtension=.ts --includeComments \
  -I . -O "$out" "${protos[@]}" >/dev/null
# The compiled descriptors of every contract and what it imports (the well-known types too), with
# their real file names and comments, for server reflection: grpc-js's reflection otherwise serves
# the synthetic files proto-loader makes, which clients such as grpcurl cannot link.
buf build --as-file-descriptor-set -o "$out/descriptors.binpb"
if [ "${1:-}" = "--check" ]; then
  if ! diff -r -q src/gen "$out" >/dev/null; then
    diff -r src/gen "$out" | head -40 >&2
    echo "error: src/gen drifted from the protos; run 'pnpm gen' and commit the result" >&2
    exit 1
  fi
  rm -rf "$out"
fi
