import { writePrincipal } from '@catalog/kit'
import { Metadata } from '@grpc/grpc-js'
import type { FastifyRequest } from 'fastify'
import { unauthenticated } from '../errors.ts'
import type { BackendCall } from './backend.ts'

/** The gRPC side of a REST request: its principal, its request id and its deadline. */
export function callOptions(request: FastifyRequest, idempotent: boolean): BackendCall {
  if (!request.principal) throw unauthenticated('invalid_request', 'route without a principal')
  const metadata = writePrincipal(new Metadata(), request.principal)
  metadata.set('x-request-id', String(request.id))
  metadata.set('traceparent', request.traceparent)
  return { metadata, deadline: request.deadline, clientDeadline: request.deadlineChosen, idempotent }
}
