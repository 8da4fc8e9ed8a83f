import { toTimestamp } from '@catalog/proto'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { Job, JobPage, JobParams, ListQuery, ReplayWindowBody, StartBody } from '../schemas/ingestion.ts'
import { jobToJson } from '../schemas/ingestion-mapping.ts'
import { Problem } from '../schemas/item.ts'
import { callOptions } from '../upstream/call-options.ts'
import type { ProgressRouteOptions } from './ingestion-events.ts'
import { progressRoute } from './ingestion-events.ts'
import { errors, sendJob } from './ingestion-json.ts'
import type { UploadRouteOptions } from './ingestion-upload.ts'
import { uploadRoute } from './ingestion-upload.ts'

export type IngestionRouteOptions = UploadRouteOptions & ProgressRouteOptions

/**
 * The ingestion API: uploads (ingestion-upload.ts), jobs started from a URI, listed, read and
 * cancelled (here), and their progress as Server-Sent Events (ingestion-events.ts).
 */
export function ingestionRoutes(app: FastifyInstance, options: IngestionRouteOptions): void {
  const { backend } = options
  uploadRoute(app, options)

  app.post<{ Body: Static<typeof StartBody> }>(
    '/v1/ingestions',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Start a job from a file:// or s3:// URI',
        body: StartBody,
        response: { 200: Job, 202: Job, ...errors },
      },
    },
    async (request, reply) => {
      const res = await backend.call(
        'StartIngestion',
        { uri: request.body.uri, default_source: request.body.source ?? '' },
        callOptions(request, false),
      )
      return sendJob(reply, res.job, res.duplicate)
    },
  )

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/v1/ingestions',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'List jobs, newest first',
        querystring: ListQuery,
        response: { 200: JobPage, ...errors },
      },
    },
    async (request) => {
      const res = await backend.call(
        'ListIngestions',
        { page: { size: request.query.limit ?? 20, cursor: request.query.cursor ?? '' } },
        callOptions(request, true),
      )
      return { items: res.jobs.map((j) => jobToJson(j)), next_cursor: res.page?.next_cursor || null }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/ingestions/:id',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Get a job and its progress',
        params: JobParams,
        response: { 200: Job, ...errors },
      },
    },
    async (request) => jobToJson((await backend.call('GetIngestion', { id: request.params.id }, callOptions(request, true))).job),
  )

  app.post<{ Params: { id: string } }>(
    '/v1/ingestions/:id/cancel',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Cancel a running job (records already published stay)',
        params: JobParams,
        response: { 200: Job, 409: Problem, ...errors },
      },
    },
    async (request) =>
      jobToJson((await backend.call('CancelIngestion', { id: request.params.id }, callOptions(request, false))).job),
  )

  app.post<{ Params: { id: string } }>(
    '/v1/ingestions/:id/retry',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: "Start a failed file job's file again, as a new job (releases a quarantined drop)",
        description:
          'The file is read as it is now, from its first attempt. 202 with the new job; 200 with the live or completed job of the same file when there is one; 400 (ING_ERR_NOT_RETRYABLE) for a job that did not fail, or an upload (not kept: upload it again).',
        params: JobParams,
        response: { 200: Job, 202: Job, ...errors },
      },
    },
    async (request, reply) => {
      const res = await backend.call('RetryIngestion', { id: request.params.id }, callOptions(request, false))
      return sendJob(reply, res.job, res.duplicate)
    },
  )

  app.post<{ Params: { id: string } }>(
    '/v1/ingestions/:id/replay',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: "Re-drive a job's dead letters, once the cause is fixed, as a new job",
        description:
          "Reads the job's records on the dead-letter topic (refused by ingestion's checks or by the catalog, or set aside by the catalog's consumer) and publishes them again, each record once across replays (one a completed replay re-drove is skipped). 202 with the replay job (origin replay): processed is the dead letters read, accepted the ones published again, rejected the ones refused again (back on the dead-letter topic with their reasons), applied and catalog_rejected how the catalog took them.",
        params: JobParams,
        response: { 202: Job, ...errors },
      },
    },
    async (request, reply) => {
      const res = await backend.call('ReplayDeadLetters', { job_id: request.params.id }, callOptions(request, false))
      return sendJob(reply, res.job, false)
    },
  )

  app.post<{ Body: Static<typeof ReplayWindowBody> }>(
    '/v1/ingestions::replay',
    {
      config: { scope: 'ingest:write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Re-drive the dead letters of a time window, once the cause is fixed, as a new job',
        description:
          "The tenant's records dead-lettered at or after since and before until (default now; at most 31 days), whatever job they came from; as POST /v1/ingestions/{id}/replay otherwise.",
        body: ReplayWindowBody,
        response: { 202: Job, ...errors },
      },
    },
    async (request, reply) => {
      const { since, until } = request.body
      const res = await backend.call(
        'ReplayDeadLetters',
        { since: toTimestamp(new Date(since)), ...(until ? { until: toTimestamp(new Date(until)) } : {}) },
        callOptions(request, false),
      )
      return sendJob(reply, res.job, false)
    },
  )

  progressRoute(app, options)
}
