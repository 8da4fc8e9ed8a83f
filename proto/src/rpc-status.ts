import { codec } from './codec.ts'
import type { BadRequest, BadRequest__Output } from './gen/google/rpc/BadRequest.ts'
import type { Status, Status__Output } from './gen/google/rpc/Status.ts'

/** google.rpc.Status, carried in the `grpc-status-details-bin` trailer. */
export const status = codec<Status, Status__Output>('google.rpc.Status')
export const badRequest = codec<BadRequest, BadRequest__Output>('google.rpc.BadRequest')

export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest'
