import * as grpc from '@grpc/grpc-js'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import { hasPrincipal } from './principal.ts'
import { identityOf } from './tls.ts'

/**
 * Who may call what. Keys are a full method path (`/catalog.v1.CatalogService/GetItem`) or a
 * service (`catalog.v1.CatalogService`); values are caller identities (the name in the client
 * certificate's `spiffe://<trust domain>/<name>` SAN), `*` for any identity of the platform.
 * Whatever is not listed is refused.
 */
export interface CallerPolicy {
  allow: Record<string, readonly string[]>
  /** Callers whose forwarded principal (end-user tenant, subject, scopes) is trusted. */
  forwarders: readonly string[]
}

/** The verified caller identity, stamped by the interceptor over anything the client sent. */
export const CALLER_HEADER = 'x-caller-identity'

const ALWAYS_ALLOWED: CallerPolicy['allow'] = {
  'grpc.health.v1.Health': ['*'],
  'grpc.reflection.v1.ServerReflection': ['*'],
  'grpc.reflection.v1alpha.ServerReflection': ['*'],
}

interface Refusal {
  code: grpc.status
  details: string
}

/**
 * grpc-js checks no caller identity at all: this interceptor runs before every handler (health and
 * reflection included), refuses callers outside the policy, refuses forwarded principals from
 * callers that are not trusted forwarders, and records the call's status and duration.
 */
export function createPolicyInterceptor(options: {
  policy: CallerPolicy
  trustDomain: string
  log: Logger
  metrics: Metrics
}): grpc.ServerInterceptor {
  const { policy, trustDomain, log, metrics } = options
  const allow = { ...ALWAYS_ALLOWED, ...policy.allow }

  return (method, call) => {
    const [, service = '', name = ''] = method.path.split('/')
    const stopTimer = metrics.grpcDuration.startTimer({ service, method: name })
    const record = (code: grpc.status) => {
      stopTimer()
      metrics.grpcHandled.inc({ service, method: name, code: grpc.status[code] ?? String(code) })
    }
    const refuse = (refusal: Refusal) => {
      log.warn({ method: method.path, peer: call.getPeer(), code: grpc.status[refusal.code] }, refusal.details)
      record(refusal.code)
      call.sendStatus({ ...refusal, metadata: new grpc.Metadata() })
    }

    const identity = identityOf(call.getAuthContext().sslPeerCertificate, trustDomain)
    const allowed = allow[method.path] ?? allow[service]
    let refusal: Refusal | undefined
    if (!identity) {
      refusal = { code: grpc.status.UNAUTHENTICATED, details: 'the client certificate carries no platform identity' }
    } else if (!allowed || !(allowed.includes('*') || allowed.includes(identity))) {
      refusal = { code: grpc.status.PERMISSION_DENIED, details: `caller "${identity}" may not call ${method.path}` }
    }

    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (refusal) return refuse(refusal)
        if (hasPrincipal(metadata) && !policy.forwarders.includes(identity ?? '')) {
          return refuse({ code: grpc.status.PERMISSION_DENIED, details: `caller "${identity}" may not forward a principal` })
        }
        metadata.remove(CALLER_HEADER)
        metadata.set(CALLER_HEADER, identity ?? '')
        next(metadata)
      })
      .build()
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        record(status.code)
        next(status)
      })
      .build()
    return new grpc.ServerInterceptingCall(call, responder)
  }
}
