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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * An input record ingestion refused, read again as its job read it: an item; its bytes as they
 * were (newlines aside) when they are no JSON object or no UTF-8, so the runner refuses them for
 * the same reason; or undefined for a CSV row that is no item (the runner could not say why again).
 */
function inputItem(raw: Buffer, origin: Origin | undefined): Record<string, unknown> | Buffer | undefined {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(raw))
  } catch {
    return raw
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return raw
  let item = value as Record<string, unknown>
  if (origin?.format.startsWith('csv')) {
    const row = csvRowToItem(value as Record<string, string>, 0)
    if (!row.value) return undefined
    item = row.value
  }
  // A record that named no source took its job's default.
  return item.source === undefined && origin ? { ...item, source: origin.defaultSource } : item
}

/** A dead letter to re-drive: its record as an item, or as bytes the runner will refuse again. */
type Letter = Record<string, unknown> | Buffer

/**
 * What a dead letter of the replay's tenant holds, for the filter, or undefined: another tenant's,
 * one whose tenant the catalog refused to trust, one that holds no record (an empty overlong one,
 * an unknown type) or does not decode as its type says. Every kind keeps the key ingestion gave
 * it (`<tenant>/…`): the key, not a tenant written in the payload, says whose it is.
 */
async function letterOf(
  message: KafkaMessage,
  job: { tenant: string },
  filter: ReplayFilter,
  originOf: (jobId: string) => Promise<Origin | undefined>,
): Promise<Letter | undefined> {
  if (!message.value || !message.key?.toString().startsWith(`${job.tenant}/`)) return undefined
  if (!('jobId' in filter)) {
    const at = Number(message.timestamp)
    if (at < filter.since.getTime() || at >= filter.until.getTime()) return undefined
  }
  const { type, source } = readCloudEvent(message.headers)
  let decoded: { tenant: string; jobId: string; submitted?: Submitted; raw?: Buffer }
  try {
    if (type === events.INGESTION_TYPES.recordSubmitted) {
      const r = events.recordSubmitted.decode(message.value)
      decoded = { tenant: r.tenant, jobId: r.job_id, submitted: r }
    } else if (type === events.INGESTION_TYPES.recordRejected) {
      const rejected = events.recordRejected.decode(message.value)
      if (rejected.raw.length === 0) return undefined
      // The catalog refused the record's tenant: re-driving it would write where it has no right to.
      if (source === '/catalog' && rejected.error?.field === 'tenant') return undefined
      decoded =
        source === '/catalog'
          ? { tenant: rejected.tenant, jobId: rejected.job_id, submitted: events.recordSubmitted.decode(rejected.raw) }
          : { tenant: rejected.tenant, jobId: rejected.job_id, raw: rejected.raw }
    } else {
      return undefined
    }
  } catch {
    return undefined
  }
  if (decoded.tenant !== job.tenant) return undefined
  if ('jobId' in filter && decoded.jobId !== filter.jobId) return undefined
  if (decoded.submitted) return submittedItem(decoded.submitted)
  return inputItem(decoded.raw ?? Buffer.alloc(0), UUID.test(decoded.jobId) ? await originOf(decoded.jobId) : undefined)
}

/**
 * Claims dead letters (by id) for the replay `jobId`; answers those it may re-drive: claimed by no
 * replay, by one that failed or was cancelled (it gives its claims back), or by this one already
 * (a batch delivered again after a claim whose answer was lost; copies are told apart in memory).
 */
async function claim(pool: Pool, jobId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const { rows } = await pool.query<{ dlq_id: string }>(
    `INSERT INTO dlq_replays AS r (dlq_id, job_id)
     SELECT id, $1 FROM unnest($2::text[]) AS id
     ON CONFLICT (dlq_id) DO UPDATE SET job_id = excluded.job_id, claimed_at = now()
      WHERE r.job_id = excluded.job_id
         OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = r.job_id AND j.state IN ('running', 'applying', 'completed'))
     RETURNING dlq_id`,
    [jobId, [...new Set(ids)]],
  )
  return new Set(rows.map((r) => r.dlq_id))
}

/**
 * Forgets claims of dead letters the DLQ can no longer hold: it keeps 30 days, and deletes a
 * segment only once its newest record is past that (segments roll weekly), so 45 days.
 */
export async function forgetOldClaims(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM dlq_replays WHERE claimed_at < now() - interval '45 days'`)
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

  // How each dead letter's job read its input: asked once per job (a failed lookup is asked again).
  const origins = new Map<string, Origin | undefined>()
  const originOf = async (jobId: string) => {
    if (origins.has(jobId)) return origins.get(jobId)
    const { rows } = await pool.query<Origin>(
      'SELECT format, default_source AS "defaultSource" FROM jobs WHERE id = $1::uuid AND tenant = $2',
      [jobId, job.tenant],
    )
    origins.set(jobId, rows[0])
    return rows[0]
  }

  // Batches the consumer read, waiting for the runner: a few at most, so memory stays bounded.
  const queue: Buffer[][] = []
  let wake: (() => void) | undefined
  let failure: unknown
  // The next offset each unfinished partition reads; ids handed on (a copy is skipped).
  const next = new Map([...ranges].map(([partition, { from }]) => [partition, from]))
  const handed = new Set<string>()
  const consumer = kafka.consumer({ groupId: `${REPLAY_GROUP_PREFIX}${job.id}`, allowAutoTopicCreation: false })
  const stop = () => wake?.()
  signal.addEventListener('abort', stop, { once: true })
  const seek = () => {
    for (const [partition, offset] of next) consumer.seek({ topic: DLQ, partition, offset: offset.toString() })
  }
  try {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      failure = payload.error
      wake?.()
    })
    // No offsets are committed: a join after a rebalance or a coordinator's move would start each
    // partition over from its reset position; it goes back to where this replay is instead.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      try {
        seek()
      } catch (err) {
        log.warn({ err, job: job.id }, 'could not seek the dead letters again after a rejoin')
      }
    })
    await consumer.connect()
    // From the beginning: a partition whose offset is out of range (retention) resets to its
    // earliest, and what it has read already is skipped, never its end.
    await consumer.subscribe({ topic: DLQ, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning }) => {
        const range = ranges.get(batch.partition)
        const from = next.get(batch.partition)
        if (!range || from === undefined) return
        const letters: { id: string; line: Buffer }[] = []
        let read = from
        let seen = 0
        for (const message of batch.messages) {
          const offset = BigInt(message.offset)
          if (offset < read) continue
          if (offset >= range.to) {
            // Past the range: what lay between (a tail retention took) is gone, and the partition done.
            read = range.to
            break
          }
          if (signal.aborted || !isRunning()) break
          if (offset > read)
            log.warn({ job: job.id, partition: batch.partition, from: read, to: offset }, 'dead letters gone (retention)')
          read = offset + 1n
          const letter = await letterOf(message, job, filter, originOf)
          if (letter) {
            const id = readCloudEvent(message.headers).id ?? `${batch.partition}/${message.offset}`
            const line = Buffer.isBuffer(letter)
              ? Buffer.concat([stripLines(letter), NEWLINE])
              : Buffer.from(`${JSON.stringify(letter)}\n`)
            letters.push({ id, line })
          }
          // Each letter may cost a lookup: the group hears from this member while a batch is long.
          if (++seen % 200 === 0) await heartbeat()
        }
        const mine = await claim(
          pool,
          job.id,
          letters.map((l) => l.id),
        )
        const lines: Buffer[] = []
        for (const l of letters) {
          if (!mine.has(l.id) || handed.has(l.id)) continue
          handed.add(l.id)
          // Copies of a letter lie close together (a batch set aside twice): the newest ids are kept, memory bounded.
          if (handed.size > MAX_HANDED) handed.delete(handed.values().next().value as string)
          lines.push(l.line)
        }
        const skipped = letters.length - lines.length
        if (skipped > 0) log.info({ job: job.id, partition: batch.partition, skipped }, 'dead letters re-driven already: skipped')
        if (lines.length > 0) queue.push(lines)
        next.set(batch.partition, read)
        if (read >= range.to) next.delete(batch.partition)
        wake?.()
        // The runner takes what was read before more is: heart-beating while it does.
        while (queue.length > 4 && isRunning() && !signal.aborted) {
          await new Promise((r) => setTimeout(r, 100))
          await heartbeat()
        }
      },
    })
    seek()
    for (;;) {
      const lines = queue.shift()
      if (lines) {
        for (const line of lines) yield line
        continue
      }
      if (failure) throw failure
      if (next.size === 0 || signal.aborted) return
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

const NEWLINE = Buffer.from('\n')
/** Ids of letters handed on that a replay remembers, to skip a copy read again. */
const MAX_HANDED = 50_000
/** Bytes as one line: their line breaks become spaces (what they say is refused again all the same). */
function stripLines(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes)
  for (let i = 0; i < copy.length; i++) if (copy[i] === 0x0a || copy[i] === 0x0d) copy[i] = 0x20
  return copy
}
