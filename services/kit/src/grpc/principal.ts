import type { Metadata } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import { codes, PlatformError } from '../runtime/errors.ts'

/**
 * The end user on whose behalf a call runs, as the gateway verified it from the JWT. It travels
 * in gRPC metadata; services accept it only from callers the policy names as trusted forwarders
 * (the server interceptor refuses it from anyone else).
 */
export interface Principal {
  tenant: string
  subject: string
  scopes: readonly string[]
}

export const PRINCIPAL_HEADERS = {
  tenant: 'x-principal-tenant',
  subject: 'x-principal-subject',
  scopes: 'x-principal-scopes',
} as const

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

/** Whether `value` is a well-formed tenant id, as the gateway accepts one from a token's claim. */
export const isTenantId = (value: string): boolean => TENANT.test(value)

export function writePrincipal(metadata: Metadata, principal: Principal): Metadata {
  metadata.set(PRINCIPAL_HEADERS.tenant, principal.tenant)
  metadata.set(PRINCIPAL_HEADERS.subject, principal.subject)
  metadata.set(PRINCIPAL_HEADERS.scopes, principal.scopes.join(' '))
  return metadata
}

const PRINCIPAL_KEYS = Object.values(PRINCIPAL_HEADERS)

export function hasPrincipal(metadata: Metadata): boolean {
  return PRINCIPAL_KEYS.some((h) => metadata.get(h).length > 0)
}

/** The forwarded principal, or UNAUTHENTICATED when there is none (or its tenant is malformed). */
export function readPrincipal(metadata: Metadata): Principal {
  const first = (key: string): string => {
    const value = metadata.get(key)[0]
    return typeof value === 'string' ? value : ''
  }
  const tenant = first(PRINCIPAL_HEADERS.tenant)
  if (!TENANT.test(tenant)) {
    throw new PlatformError(codes.unauthenticated, status.UNAUTHENTICATED, 'the call carries no valid principal tenant')
  }
  const scopes = first(PRINCIPAL_HEADERS.scopes)
  return { tenant, subject: first(PRINCIPAL_HEADERS.subject), scopes: scopes ? scopes.split(' ') : [] }
}
