import type { Principal } from '@catalog/kit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { GatewayError } from '../errors.ts'
import { forbidden, unauthenticated } from '../errors.ts'

export interface Identity {
  subject: string
  tenant: string
  scopes: string[]
}

export interface TokenVerifier {
  verify(token: string): Promise<Identity>
  /** The identity of a token verified a moment ago, at once; undefined when it must be verified (again). */
  remembered?(token: string): Identity | undefined
}

// The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are Bearer.
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i

/**
 * Routes that name a scope need a bearer token that verifies and carries that scope; the verified
 * subject, tenant and scopes become `request.principal`, which the backends receive. A token
 * verified a moment ago passes without waiting on a promise, as most requests' tokens are.
 */
export function registerAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', null)
  app.addHook('onRequest', (request, _reply, done) => {
    const scope = request.routeOptions.config.scope
    if (!scope) return done()
    const header = request.headers.authorization
    if (!header) return done(unauthenticated('invalid_request', 'no authorization header'))
    const token = BEARER.exec(header)?.[1]
    if (!token) return done(unauthenticated('invalid_request', 'authorization is not a bearer token'))
    const known = verifier.remembered?.(token)
    if (known) return done(admit(request, known, scope))
    verifier.verify(token).then(
      (identity) => done(admit(request, identity, scope)),
      (err: Error) => done(err),
    )
  })
}

/** The 403 when the identity lacks the route's scope; else it becomes the request's principal. */
function admit(request: FastifyRequest, identity: Identity, scope: string): GatewayError | undefined {
  if (!identity.scopes.includes(scope)) return forbidden(scope)
  const principal: Principal = { tenant: identity.tenant, subject: identity.subject, scopes: identity.scopes }
  request.principal = principal
  return undefined
}
