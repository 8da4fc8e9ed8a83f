import { readFile } from 'node:fs/promises'
import * as grpc from '@grpc/grpc-js'
import type { TlsFiles, TlsPaths } from './tls.ts'
import { pairProblem } from './tls.ts'

type CertificateProvider = grpc.experimental.CertificateProvider
type CaListener = grpc.experimental.CaCertificateUpdateListener
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener
/** Told why files read again were not applied; the last good ones stay in use. */
export type RejectedListener = (reason: string) => void

/**
 * The TLS files of a workload, re-read every `refreshMs` while a server or channel uses them.
 * Unlike grpc-js's FileWatcherCertificateProvider it starts from the files already read at start
 * (so the first connection is never refused for want of a certificate), tells listeners only when
 * the files changed, and keeps the last good certificate when a read fails (a half-written mount)
 * instead of refusing every connection until the next read. A certificate and key that do not
 * match (read mid-rotation) are not applied either: the last good pair stays, listeners of
 * rejections are told, and the next read tries again.
 */
class ReloadingTlsFiles implements CertificateProvider {
  #current: { ca: Buffer; cert: Buffer; key: Buffer }
  readonly #paths: TlsPaths
  readonly #refreshMs: number
  readonly #ca = new Set<CaListener>()
  readonly #identity = new Set<IdentityListener>()
  readonly #rejected = new Set<RejectedListener>()
  #timer: NodeJS.Timeout | undefined

  constructor(tls: TlsFiles & { watch: NonNullable<TlsFiles['watch']> }) {
    this.#current = { ca: tls.ca, cert: tls.cert, key: tls.key }
    this.#paths = tls.watch
    this.#refreshMs = tls.watch.refreshMs
  }

  async refresh(): Promise<void> {
    const read = await Promise.all([
      readFile(this.#paths.caFile),
      readFile(this.#paths.certFile),
      readFile(this.#paths.keyFile),
    ]).catch(() => undefined)
    if (!read) return
    const [ca, cert, key] = read
    const was = this.#current
    if (ca.equals(was.ca) && cert.equals(was.cert) && key.equals(was.key)) return
    const problem = cert.equals(was.cert) && key.equals(was.key) ? undefined : pairProblem(cert, key)
    if (problem) {
      for (const listener of this.#rejected) listener(problem)
      return
    }
    this.#current = { ca, cert, key }
    for (const listener of this.#ca) listener({ caCertificate: ca })
    for (const listener of this.#identity) listener({ certificate: cert, privateKey: key })
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener)
    this.#watch()
    process.nextTick(listener, { caCertificate: this.#current.ca })
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener)
    this.#unwatch()
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.add(listener)
    this.#watch()
    process.nextTick(listener, { certificate: this.#current.cert, privateKey: this.#current.key })
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener)
    this.#unwatch()
  }

  /** The certificate new connections get: the last pair that was applied. */
  get certificate(): Buffer {
    return this.#current.cert
  }

  addRejectedListener(listener: RejectedListener): void {
    this.#rejected.add(listener)
  }

  #watch() {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs)
    this.#timer.unref()
  }

  #unwatch() {
    if (this.#ca.size > 0 || this.#identity.size > 0) return
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}

// One watcher per set of files, however many servers, clients and health checks share it.
const providers = new WeakMap<TlsFiles, ReloadingTlsFiles>()

function providerOf(tls: TlsFiles & { watch: NonNullable<TlsFiles['watch']> }): ReloadingTlsFiles {
  let provider = providers.get(tls)
  if (!provider) {
    provider = new ReloadingTlsFiles(tls)
    providers.set(tls, provider)
  }
  return provider
}

const watched = (tls: TlsFiles): tls is TlsFiles & { watch: NonNullable<TlsFiles['watch']> } => tls.watch !== undefined

/**
 * Calls `listener` each time the watched files were read again but not applied (a key that does not
 * match its certificate, an unreadable PEM). Nothing happens for files that are not watched.
 */
export function onTlsReloadRejected(tls: TlsFiles, listener: RejectedListener): void {
  if (watched(tls)) providerOf(tls).addRejectedListener(listener)
}

/** The certificate this workload serves and presents now: the last applied when the files are watched. */
export function certificateInUse(tls: TlsFiles): Buffer {
  return watched(tls) ? providerOf(tls).certificate : tls.cert
}

/**
 * Server credentials that require a client certificate of the platform CA. When the files are
 * watched, a renewed certificate or CA applies to every new connection without a restart;
 * connections already open keep the certificate they were made with (still valid: cert-manager
 * renews well before expiry) until the server's maximum connection age closes them.
 */
export function serverCredentials(tls: TlsFiles): grpc.ServerCredentials {
  if (!watched(tls)) {
    // The gRPC default asks for no client certificate at all: `true` requires one.
    return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true)
  }
  const provider = providerOf(tls)
  // grpc-js 1.14 hands this function's first two arguments to the credentials in the other
  // order; one provider serving both the CA and the identity makes the order irrelevant.
  return grpc.experimental.createCertificateProviderServerCredentials(provider, provider, true)
}

/** Channel credentials presenting this workload's certificate, re-read like the server's when watched. */
export function channelCredentials(tls: TlsFiles): grpc.ChannelCredentials {
  if (!watched(tls)) return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
  const provider = providerOf(tls)
  return grpc.experimental.createCertificateProviderChannelCredentials(provider, provider)
}
