#!/usr/bin/env bash
# Creates a development platform CA and one certificate per workload, each with the SPIFFE-style
# identity the services authorise by (URI SAN spiffe://$TRUST_DOMAIN/<name>) and the DNS names
# clients dial (<name>, localhost, 127.0.0.1). Idempotent: existing certificates that the CA still
# verifies and that stay valid for another day are kept.
#
#   scripts/certs.sh [OUT_DIR] [NAME...]     defaults: .certs, gateway catalog search ingestion
#
# In Kubernetes, cert-manager issues these instead (see helm/).
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")/.." && pwd)/.certs}"
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(gateway catalog search ingestion)
trust_domain="${TRUST_DOMAIN:-catalog.platform}"
days="${CERT_DAYS:-825}"

command -v openssl >/dev/null || { echo "error: openssl is required to make certificates" >&2; exit 1; }
mkdir -p "$out"
umask 077

if ! [ -s "$out/ca.crt" ] || ! openssl x509 -checkend 86400 -noout -in "$out/ca.crt" >/dev/null 2>&1; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$days" -subj "/O=catalog-platform/CN=catalog-platform dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.crt"
  echo "certs: new CA in $out" >&2
fi

for name in "${names[@]}"; do
  [[ "$name" =~ ^[a-z0-9][a-z0-9.-]*$ ]] || { echo "error: bad workload name '$name'" >&2; exit 1; }
  crt="$out/$name.crt" key="$out/$name.key"
  if [ -s "$crt" ] && openssl verify -CAfile "$out/ca.crt" "$crt" >/dev/null 2>&1 \
    && openssl x509 -checkend 86400 -noout -in "$crt" >/dev/null 2>&1; then
    continue
  fi
  ext=$(mktemp)
  cat >"$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=URI:spiffe://$trust_domain/$name,DNS:$name,DNS:localhost,IP:127.0.0.1
EXT
  openssl ecparam -name prime256v1 -genkey -noout -out "$key" 2>/dev/null
  openssl req -new -key "$key" -subj "/O=catalog-platform/CN=$name" -out "$out/$name.csr"
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile "$ext" -out "$crt" 2>/dev/null
  rm -f "$ext" "$out/$name.csr"
  echo "certs: issued $name" >&2
done
chmod 0644 "${out:?}"/*.crt
