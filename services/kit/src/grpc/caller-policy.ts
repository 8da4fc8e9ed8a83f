import * as grpc from '@grpc/grpc-js'
import type { Logger } from '../telemetry/log.ts'
import type { Metrics } from '../telemetry/metrics.ts'
import { identityOf } from '../tls/tls.ts'
import { hasPrincipal } from './principal.ts'

/**
 * Who may call what. Keys are a full method path (`/catalog.v1.CatalogService/GetItem`) or a
 * service (`catalog.v1.CatalogService`); values are caller identities (the name in the client
 * certificate's `spiffe://<trust domain>/<name>` SAN), `*` for any identity of the platform.
 * Whatever is not listed is refused; health alone is open to any platform identity.
 */
export interface CallerPolicy {
  allow: Record<string, readonly string[]>
  /**
   * Callers whose forwarded principal (end-user tenant, subject, scopes) is trusted: only those that
   * verified the end user themselves (the gateway). Any other caller that sends one is refused, so
   * a service allowed to call cannot act as a tenant of its choosing.
   */
  forwarders: readonly string[]
  /**
   * Identities that may use server reflection (grpcurl, Postman); unset or empty: nobody, and the
   * server does not offer it. It lists every method and message of the server, which only tools
   * need.
   */
  reflection?: readonly string[]
}

/** The verified caller identity, stamped by the interceptor over anything the client sent. */
export const CALLER_HEADER = 'x-caller-identity'

const ALWAYS_ALLOWED: CallerPolicy['allow'] = { 'grpc.health.v1.Health': ['*'] }

/** The services of server reflection, both versions that clients still ask for. */
const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']

type AuthContext = ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']>

interface Refusal {
  code: grpc.status
  details: string
}

/** What the policy and the metrics need of one method, worked out on its first call. */
interface MethodPolicy {
  labels: { service: string; method: string }
  /** Undefined when nobody may call it; `*` for any platform identity. */
  allowed: ReadonlySet<string> | '*' | undefined
}

/**
 * grpc-js checks no caller identity at all: this interceptor runs before every handler (health and
 * reflection included), refuses callers outside the policy, refuses forwarded principals from
 * callers that are not trusted forwarders, and records the call's status and duration.
 *
 * The identity belongs to the connection: grpc-js (patched, see patches/) reads the peer
 * certificate once per HTTP/2 session and hands every call of that session the same frozen auth
 * context, so the identity parsed from it is kept against that object, never against an address
 * (a new connection may reuse a port). Without the patch every call would parse it again: slower,
 * not wrong.
 */
export function createPolicyInterceptor(options: {
  policy: CallerPolicy
  trustDomain: string
  log: Logger
  metrics: Metrics
}): grpc.ServerInterceptor {
  const { policy, trustDomain, log, metrics } = options
  const reflection = Object.fromEntries(REFLECTION_SERVICES.map((name) => [name, policy.reflection ?? []]))
  const allow = { ...reflection, ...ALWAYS_ALLOWED, ...policy.allow }
  const forwarders = new Set(policy.forwarders)
  const identities = new WeakMap<AuthContext, string | undefined>()
  const identityOfCall = (authContext: AuthContext): string | undefined => {
    if (identities.has(authContext)) return identities.get(authContext)
    const identity = identityOf(authContext.sslPeerCertificate, trustDomain)
    identities.set(authContext, identity)
    return identity
  }
  // Interceptors run only for methods a service registered, so this holds one entry per method.
  const methods = new Map<string, MethodPolicy>()
  const methodPolicy = (path: string): MethodPolicy => {
    let entry = methods.get(path)
    if (!entry) {
      const [, service = '', method = ''] = path.split('/')
      const names = allow[path] ?? allow[service]
      entry = { labels: { service, method }, allowed: !names ? undefined : names.includes('*') ? '*' : new Set(names) }
      methods.set(path, entry)
    }
    return entry
  }

  return (method, call) => {
    const { labels, allowed } = methodPolicy(method.path)
    const started = performance.now()
    const record = (code: grpc.status) => {
      metrics.grpcDuration.observe(labels, (performance.now() - started) / 1000)
      metrics.grpcHandled.inc({ ...labels, code: grpc.status[code] ?? String(code) })
    }
    const refuse = (refusal: Refusal) => {
      log.warn({ method: method.path, peer: call.getPeer(), code: grpc.status[refusal.code] }, refusal.details)
      record(refusal.code)
      call.sendStatus({ ...refusal, metadata: new grpc.Metadata() })
    }

    const identity = identityOfCall(call.getAuthContext())
    let refusal: Refusal | undefined
    if (!identity) {
      refusal = { code: grpc.status.UNAUTHENTICATED, details: 'the client certificate carries no platform identity' }
    } else if (!allowed || (allowed !== '*' && !allowed.has(identity))) {
      refusal = { code: grpc.status.PERMISSION_DENIED, details: `caller "${identity}" may not call ${method.path}` }
    }

    const listener: grpc.ServerListener = {
      onReceiveMetadata(metadata, next) {
        if (refusal) return refuse(refusal)
        if (hasPrincipal(metadata) && !forwarders.has(identity ?? '')) {
          return refuse({ code: grpc.status.PERMISSION_DENIED, details: `caller "${identity}" may not forward a principal` })
        }
        metadata.remove(CALLER_HEADER)
        metadata.set(CALLER_HEADER, identity ?? '')
        next(metadata)
      },
    }
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => next(listener),
      sendStatus: (status, next) => {
        record(status.code)
        next(status)
      },
    })
  }
}
