import type { TSchema } from 'typebox'
import { Type } from 'typebox'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Job = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uri: Type.String({ description: 'the file read, or upload:<name>' }),
  format: Type.String({ description: 'ndjson, json or csv, with +gzip when compressed' }),
  state: Type.Union(
    [
      Type.Literal('running'),
      Type.Literal('applying'),
      Type.Literal('completed'),
      Type.Literal('failed'),
      Type.Literal('cancelled'),
    ],
    {
      description:
        'applying: every record read and the accepted ones published, the catalog still applying them; completed once applied + catalog_rejected reach accepted',
    },
  ),
  total: Type.Integer({ description: 'records in the input, once read to its end' }),
  processed: Type.Integer(),
  accepted: Type.Integer({ description: 'published to the catalog' }),
  rejected: Type.Integer({ description: 'refused by the checks of ingestion, sent to the dead-letter topic with their reasons' }),
  applied: Type.Integer({ description: 'accepted records the catalog applied' }),
  catalog_rejected: Type.Integer({
    description: 'accepted records the catalog refused (its rules or its database), sent to the dead-letter topic',
  }),
  bytes_read: Type.Integer(),
  bytes_total: Nullable(Type.Integer()),
  rate: Type.Number({ description: 'records per second' }),
  eta_seconds: Nullable(Type.Number()),
  errors: Type.Array(Type.Object({ position: Type.Integer(), field: Type.String(), reason: Type.String() }), {
    description: 'the first 100 bad records: line (NDJSON, CSV) or element (JSON array), field, reason',
  }),
  error: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
  origin: Type.Union([Type.Literal('request'), Type.Literal('upload'), Type.Literal('drop'), Type.Literal('replay')], {
    description:
      'request: a file started by POST /v1/ingestions; upload; drop: a file of the drop folder, found by a scan; replay: dead letters re-driven (POST /v1/ingestions/{id}/replay, POST /v1/ingestions:replay)',
  }),
  attempt: Type.Integer({ minimum: 1, description: "a dropped file's attempt this job is; 1 for every other job" }),
  retry_at: Nullable(
    Type.String({ format: 'date-time', description: "a failed drop's next attempt starts after this (a transient cause)" }),
  ),
  quarantined_at: Nullable(
    Type.String({
      format: 'date-time',
      description:
        'a failed drop no scan starts again (a permanent cause or its last attempt; error says which) until POST /v1/ingestions/{id}/retry',
    }),
  ),
  released_at: Nullable(
    Type.String({ format: 'date-time', description: 'a quarantined drop: when a retry of its file released it' }),
  ),
  duplicate: Type.Optional(Type.Boolean({ description: 'true when this answered an earlier job of the same file or key' })),
})

export const JobParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const ReplayWindowBody = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'dead-lettered at or after this instant' }),
    until: Type.Optional(
      Type.String({ format: 'date-time', description: 'and before this one (default: now; at most 31 days after since)' }),
    ),
  },
  { additionalProperties: false },
)

export const StartBody = Type.Object(
  {
    uri: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        "file://<path under the ingest root> or s3://<bucket>/<key>, in the caller's area: file:///tenants/<tenant>/… or s3://<bucket>/tenants/<tenant>/… by default; or github-gists://<user>, a GitHub user's gists (one item each, source github-gists:<user>)",
    }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$', description: 'for records that name none' }),
    ),
  },
  { additionalProperties: false },
)

export const BulkQuery = Type.Object(
  {
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
)

export const JobPage = Type.Object({ items: Type.Array(Job), next_cursor: Nullable(Type.String()) })
