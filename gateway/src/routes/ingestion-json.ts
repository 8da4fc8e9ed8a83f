import type { ingestion } from '@catalog/proto'
import type { FastifyReply } from 'fastify'
import { jobToJson } from '../schemas/ingestion-mapping.ts'
import { Problem } from '../schemas/item.ts'
import type { Backend } from '../upstream/backend.ts'

/** What the ingestion routes share: their backend, the problems they answer with, and a started job's reply. */

export type Ingestion = Backend<ingestion.IngestionServiceDefinition>

export const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 415: Problem, 429: Problem }

export const sendJob = (reply: FastifyReply, job: ingestion.Job__Output | null, duplicate: boolean) => {
  const json = jobToJson(job, duplicate)
  reply.code(duplicate ? 200 : 202).header('location', `/v1/ingestions/${json.id}`)
  if (duplicate) reply.header('idempotency-replayed', 'true')
  return reply.send(json)
}
