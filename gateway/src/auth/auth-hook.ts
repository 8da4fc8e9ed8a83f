import type { Principal } from '@catalog/kit'
import type { FastifyInstance } from 'fastify'
import { forbidden, unauthenticated } from '../errors.ts'

export interface TokenVerifier {
  verify(token: string): Promise<{ subject: string; tenant: string; scopes: string[] }>
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/

/**
 * Routes that name a scope need a bearer token that verifies and carries that scope; the verified
 * subject, tenant and scopes become `request.principal`, which the backends receive.
 */
export function registerAuth(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config.scope
    if (!scope) return
    const header = request.headers.authorization
    if (!header) throw unauthenticated('invalid_request', 'no authorization header')
    const match = BEARER.exec(header)
    if (!match?.[1]) throw unauthenticated('invalid_request', 'authorization is not a bearer token')
    const token = await verifier.verify(match[1])
    if (!token.scopes.includes(scope)) throw forbidden(scope)
    const principal: Principal = { tenant: token.tenant, subject: token.subject, scopes: token.scopes }
    request.principal = principal
  })
}
