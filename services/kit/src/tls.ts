import { readFileSync } from 'node:fs'
import type { PeerCertificate } from 'node:tls'
import { ConfigError } from './errors.ts'

export interface TlsPaths {
  caFile: string
  certFile: string
  keyFile: string
}

export interface TlsFiles {
  ca: Buffer
  cert: Buffer
  key: Buffer
  /**
   * Where the files came from, when they are to be re-read every `refreshMs`: cert-manager renews
   * a certificate in place, and servers and clients then use the new one for new connections
   * without a restart (see tls-credentials.ts).
   */
  watch?: TlsPaths & { refreshMs: number }
}

/**
 * Reads the platform CA and this workload's certificate and key, failing start with the path at
 * fault. With `refreshMs`, credentials made from the result keep re-reading the same files.
 */
export function readTlsFiles(paths: TlsPaths, refreshMs?: number): TlsFiles {
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path)
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  return {
    ca: read('TLS_CA_FILE', paths.caFile),
    cert: read('TLS_CERT_FILE', paths.certFile),
    key: read('TLS_KEY_FILE', paths.keyFile),
    ...(refreshMs ? { watch: { ...paths, refreshMs } } : {}),
  }
}

/**
 * The workload identity of a peer: the name in its SPIFFE-style URI SAN
 * `spiffe://<trust domain>/<name>`. Certificates of another trust domain, or without such a SAN,
 * have no identity.
 */
export function identityOf(cert: PeerCertificate | undefined, trustDomain: string): string | undefined {
  const sans = cert?.subjectaltname
  if (!sans) return undefined
  const prefix = `URI:spiffe://${trustDomain}/`
  for (const san of sans.split(', ')) {
    if (san.startsWith(prefix)) {
      const name = san.slice(prefix.length)
      if (/^[a-z0-9][a-z0-9.-]*$/.test(name)) return name
    }
  }
  return undefined
}
