import type { Kafka, KafkaMessage, Logger, Pool } from '@catalog/kit'
import { REPLAY_GROUP_PREFIX, readCloudEvent } from '@catalog/kit'
import type { ingestion } from '@catalog/proto'
import { events, fromTimestamp, structToJson } from '@catalog/proto'
import { csvRowToItem } from '../formats/csv-records.ts'

/*
 * The dead letters a replay re-drives, read from ingestion.record.dlq.v1 as lines of NDJSON in the
 * API's item shape, for the job runner to check and publish as it does a file's. Three kinds sit
 * in the DLQ, each keeping what replay needs:
 *
 * - `record.rejected` from ingestion: the input record as read (a CSV row as its columns in JSON),
 *   with the job, whose format and default source say how to read it again;
 * - `record.rejected` from the catalog: the record.submitted it refused, inside;
 * - a record.submitted its consumer set aside (poison, or failing CATALOG_INGEST_MAX_ATTEMPTS
 *   times), as it was.
 *
 * Each is claimed by its CloudEvent id before it is handed on (dlq_replays): a record is re-driven
 * once, within a replay and across replays (a record set aside twice is in the DLQ twice under one
 * id), unless the replay that claimed it failed or was cancelled.
 */

const DLQ = events.INGESTION_TOPICS.recordDlq

/** Which dead letters to re-drive: those of one job (dead-lettered since it began), or those dead-lettered within a window. */
export type ReplayFilter = { jobId: string; since: Date } | { since: Date; until: Date }

export interface DeadLetterDeps {
  kafka: Kafka
  pool: Pool
  log: Logger
}

/** How the job a dead letter came from read its input. */
interface Origin {
  format: string
  defaultSource: string
}

type Submitted = ingestion.RecordSubmitted__Output

/** A record.submitted as the API's item: what the job runner reads. */
function submittedItem(r: Submitted): Record<string, unknown> {
  const f = r.fields
  return {
    source: r.source,
    external_id: r.external_id,
    title: f?.title ?? '',
    description: f?.description ?? '',
    tags: f?.tags ?? [],
    attributes: structToJson(f?.attributes),
    ...(f?.price ? { price: { amount_minor: f.price.amount_minor, currency: f.price.currency } } : {}),
    ...(f?.published_at ? { published_at: fromTimestamp(f.published_at).toISOString() } : {}),
  }
}

/** An input record ingestion refused, read again as its job read it: an item, or its text as it was (refused again). */
function inputItem(raw: Buffer, origin: Origin | undefined): Record<string, unknown> | string {
  const text = raw.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return text
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text
  const item = origin?.format.startsWith('csv')
    ? (csvRowToItem(value as Record<string, string>, 0).value ?? (value as Record<string, unknown>))
    : (value as Record<string, unknown>)
  // A record that named no source took its job's default.
  return item.source === undefined && origin ? { ...item, source: origin.defaultSource } : item
}

interface Letter {
  tenant: string
  jobId: string
  item: Record<string, unknown> | string
}

/** What a dead letter holds, or undefined for one that holds no record (an empty overlong one, an unknown type). */
async function letterOf(
  message: KafkaMessage,
  originOf: (jobId: string) => Promise<Origin | undefined>,
): Promise<Letter | undefined> {
  if (!message.value) return undefined
  const { type, source } = readCloudEvent(message.headers)
  try {
    if (type === events.INGESTION_TYPES.recordSubmitted) {
      const r = events.recordSubmitted.decode(message.value)
      return { tenant: r.tenant, jobId: r.job_id, item: submittedItem(r) }
    }
    if (type !== events.INGESTION_TYPES.recordRejected) return undefined
    const rejected = events.recordRejected.decode(message.value)
    const raw = rejected.raw
    if (raw.length === 0) return undefined
    const item =
      source === '/catalog' ? submittedItem(events.recordSubmitted.decode(raw)) : inputItem(raw, await originOf(rejected.job_id))
    return { tenant: rejected.tenant, jobId: rejected.job_id, item }
  } catch {
    // Bytes that do not decode as their type says: nothing to re-drive.
    return undefined
  }
}

/**
 * Claims dead letters (by id) for the replay `jobId`; answers those it may re-drive: claimed by no
 * replay yet, or by one that failed or was cancelled. Not by this one: a copy met again is skipped.
 */
async function claim(pool: Pool, jobId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const { rows } = await pool.query<{ dlq_id: string }>(
    `INSERT INTO dlq_replays AS r (dlq_id, job_id)
     SELECT id, $1 FROM unnest($2::text[]) AS id
     ON CONFLICT (dlq_id) DO UPDATE SET job_id = excluded.job_id, claimed_at = now()
      WHERE r.job_id <> excluded.job_id
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = r.job_id AND j.state IN ('running', 'applying', 'completed'))
     RETURNING dlq_id`,
    [jobId, [...new Set(ids)]],
  )
  return new Set(rows.map((r) => r.dlq_id))
}

/** Forgets claims of dead letters past the DLQ's retention (30 days): the records they name are gone. */
export async function forgetOldClaims(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM dlq_replays WHERE claimed_at < now() - interval '31 days'`)
  return rowCount ?? 0
}

/**
 * The replay `job`'s input: the tenant's dead letters the filter selects, as they were on the
 * topic when it began (what is dead-lettered after, its own rejections included, is not read), one
 * NDJSON line each. `signal` ends the read.
 */
export async function* deadLetterLines(
  deps: DeadLetterDeps,
  job: { id: string; tenant: string },
  filter: ReplayFilter,
  signal: AbortSignal,
): AsyncIterable<Buffer> {
  const { kafka, pool, log } = deps
  const admin = kafka.admin()
  await admin.connect()
  let ranges: Map<number, { from: bigint; to: bigint }>
  try {
    const ends = await admin.fetchTopicOffsets(DLQ)
    const starts = new Map(
      (await admin.fetchTopicOffsetsByTimestamp(DLQ, filter.since.getTime())).map((s) => [s.partition, BigInt(s.offset)]),
    )
    ranges = new Map()
    for (const { partition, high, low } of ends) {
      // Past the retention (low) nothing is left to read; a partition with nothing since `since` answers its end.
      const start = starts.get(partition)
      const from = start === undefined || start < 0n ? BigInt(high) : start > BigInt(low) ? start : BigInt(low)
      if (from < BigInt(high)) ranges.set(partition, { from, to: BigInt(high) })
    }
  } finally {
    await admin.disconnect()
  }
  if (ranges.size === 0) return

  const origins = new Map<string, Promise<Origin | undefined>>()
  const originOf = (jobId: string) => {
    let found = origins.get(jobId)
    if (!found) {
      found = pool
        .query<Origin>('SELECT format, default_source AS "defaultSource" FROM jobs WHERE id::text = $1 AND tenant = $2', [
          jobId,
          job.tenant,
        ])
        .then((r) => r.rows[0])
      origins.set(jobId, found)
    }
    return found
  }
  const wanted = (letter: Letter, message: KafkaMessage) => {
    if (letter.tenant !== job.tenant) return false
    if ('jobId' in filter) return letter.jobId === filter.jobId
    const at = Number(message.timestamp)
    return at >= filter.since.getTime() && at < filter.until.getTime()
  }

  // Batches the consumer read, waiting for the runner: a few at most, so memory stays bounded.
  const queue: Buffer[][] = []
  let wake: (() => void) | undefined
  let failure: unknown
  const left = new Set(ranges.keys())
  const consumer = kafka.consumer({ groupId: `${REPLAY_GROUP_PREFIX}${job.id}`, allowAutoTopicCreation: false })
  const stop = () => wake?.()
  signal.addEventListener('abort', stop, { once: true })
  try {
    await consumer.connect()
    await consumer.subscribe({ topic: DLQ })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning }) => {
        const range = ranges.get(batch.partition)
        if (!range || !left.has(batch.partition)) return
        const inRange = batch.messages.filter((m) => BigInt(m.offset) >= range.from && BigInt(m.offset) < range.to)
        const letters: { id: string; item: Letter['item'] }[] = []
        for (const message of inRange) {
          const letter = await letterOf(message, originOf)
          const id = readCloudEvent(message.headers).id ?? `${batch.partition}/${message.offset}`
          if (letter && wanted(letter, message)) letters.push({ id, item: letter.item })
        }
        const mine = await claim(
          pool,
          job.id,
          letters.map((l) => l.id),
        )
        // A copy in the same batch is handed on once.
        const lines = letters
          .filter((l) => mine.delete(l.id))
          .map((l) => Buffer.from(`${typeof l.item === 'string' ? l.item.replace(/[\r\n]+/g, ' ') : JSON.stringify(l.item)}\n`))
        const skipped = letters.length - lines.length
        if (skipped > 0) log.info({ job: job.id, partition: batch.partition, skipped }, 'dead letters re-driven already: skipped')
        if (lines.length > 0) queue.push(lines)
        const last = inRange.at(-1)
        if (BigInt(batch.lastOffset()) + 1n >= range.to || (last && BigInt(last.offset) + 1n >= range.to))
          left.delete(batch.partition)
        wake?.()
        // The runner takes what was read before more is: heart-beating while it does.
        while (queue.length > 4 && isRunning() && !signal.aborted) {
          await new Promise((r) => setTimeout(r, 100))
          await heartbeat()
        }
      },
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      failure = payload.error
      wake?.()
    })
    for (const [partition, { from }] of ranges) consumer.seek({ topic: DLQ, partition, offset: from.toString() })
    for (;;) {
      const lines = queue.shift()
      if (lines) {
        for (const line of lines) yield line
        continue
      }
      if (failure) throw failure
      if (left.size === 0 || signal.aborted) return
      await new Promise<void>((resolve) => {
        wake = resolve
      })
      wake = undefined
    }
  } finally {
    signal.removeEventListener('abort', stop)
    await consumer.disconnect().catch(() => undefined)
  }
}
