import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { PeerCertificate } from 'node:tls'
import { ConfigError } from '../runtime/errors.ts'

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
 * Why a certificate and key cannot be served together, or undefined when they can. cert-manager
 * writes tls.crt and tls.key as separate files: a read between the two pairs a new certificate with
 * the old key, which no peer could complete a handshake with.
 */
export function pairProblem(cert: Buffer, key: Buffer): string | undefined {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    return 'the certificate file is not a PEM certificate'
  }
  try {
    return certificate.checkPrivateKey(createPrivateKey(key)) ? undefined : 'the key does not match the certificate'
  } catch {
    return 'the key file is not a PEM private key'
  }
}

/**
 * Reads the platform CA and this workload's certificate and key, failing start with the path at
 * fault, or when the key does not match the certificate. With `refreshMs`, credentials made from
 * the result keep re-reading the same files.
 */
export function readTlsFiles(paths: TlsPaths, refreshMs?: number): TlsFiles {
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path)
    } catch (err) {
      throw new ConfigError(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  const ca = read('TLS_CA_FILE', paths.caFile)
  const cert = read('TLS_CERT_FILE', paths.certFile)
  const key = read('TLS_KEY_FILE', paths.keyFile)
  const problem = pairProblem(cert, key)
  if (problem) throw new ConfigError(`TLS_KEY_FILE, TLS_CERT_FILE: ${problem} (${paths.keyFile}, ${paths.certFile})`)
  return {
    ca,
    cert,
    key,
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
