import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TlsFiles } from '../tls/tls.ts'
import { readTlsFiles } from '../tls/tls.ts'

const SCRIPT = fileURLToPath(new URL('../../../../scripts/certs.sh', import.meta.url))

export interface TestCerts {
  /** A workload certificate of the platform CA, for identity `name`. */
  of(name: string): TlsFiles
  /** A certificate for `name` from an unrelated CA. */
  foreign(name: string): TlsFiles
  /** A certificate of the platform CA whose identity belongs to another trust domain. */
  otherTrustDomain(name: string): TlsFiles
  /** The TLS_* variables a process of identity `name` (of the platform CA) reads its files from. */
  env(name: string): { TLS_CA_FILE: string; TLS_CERT_FILE: string; TLS_KEY_FILE: string }
  dir: string
}

let cached: TestCerts | undefined

/** Certificates made by the same script as development ones, once per test process. */
export function testCerts(): TestCerts {
  if (cached) return cached
  const dir = mkdtempSync(join(tmpdir(), 'catalog-certs-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const make = (out: string, names: string[], trustDomain = 'catalog.platform') =>
    execFileSync('bash', [SCRIPT, out, ...names], { env: { ...process.env, TRUST_DOMAIN: trustDomain }, stdio: 'ignore' })
  make(join(dir, 'platform'), ['gateway', 'catalog', 'search', 'ingestion', 'stranger'])
  make(join(dir, 'platform'), ['intruder'], 'evil.example')
  make(join(dir, 'foreign'), ['gateway'])
  const paths = (sub: string, name: string) => ({
    caFile: join(dir, sub, 'ca.crt'),
    certFile: join(dir, sub, `${name}.crt`),
    keyFile: join(dir, sub, `${name}.key`),
  })
  const files = (sub: string, name: string) => readTlsFiles(paths(sub, name))
  cached = {
    dir,
    env: (name) => {
      const { caFile, certFile, keyFile } = paths('platform', name)
      return { TLS_CA_FILE: caFile, TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile }
    },
    of: (name) => files('platform', name),
    foreign: (name) => files('foreign', name),
    otherTrustDomain: () => files('platform', 'intruder'),
  }
  return cached
}
