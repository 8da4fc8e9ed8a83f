import type { KafkaMessage, Logger, Metrics, Pool } from '@catalog/kit'
import { PoisonMessageError, readCloudEvent, withTransaction } from '@catalog/kit'
import type { Codec, JsonObject } from '@catalog/proto'
import { events, fromTimestamp, structToJson } from '@catalog/proto'
import { Counter, Histogram } from 'prom-client'

/*
 * Applies catalog.item.v1 to the read model. Idempotent by version: an event whose version is not
 * newer than the row's changes nothing, so duplicates and replays converge on the same index.
 * An item never changes tenant: an event naming another tenant than the indexed row's is refused
 * (counted and logged), so no producer can move a row into another tenant's results.
 */

// One statement per batch for each kind: the latest event per item wins within the batch, and
// the version guard keeps an older event from overwriting a newer row across batches. An event
// the catalog republished ($2, its ids) applies at the version the row holds too: it carries the
// same item, and rebuilds what an older release of this index did not keep. Each
// returns the events it refused for their tenant (the final SELECT sees the rows as they were).
const UPSERT_MANY = `
  WITH r AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant text, version bigint, source text, external_id text,
           title text, description text, tags jsonb, attributes jsonb, price_amount_minor bigint, price_currency text,
           published_at timestamptz)
  ), applied AS (
    INSERT INTO search_items AS s (id, tenant, version, deleted, source, external_id, title, description, tags, attributes,
                                   price_amount_minor, price_currency, published_at)
    SELECT id, tenant, version, false, source, external_id, title, description, ARRAY(SELECT jsonb_array_elements_text(tags)),
           attributes, price_amount_minor, price_currency, published_at
      FROM r
    ON CONFLICT (id) DO UPDATE SET
      version = excluded.version, deleted = false, source = excluded.source, external_id = excluded.external_id,
      title = excluded.title, description = excluded.description, tags = excluded.tags, attributes = excluded.attributes,
      price_amount_minor = excluded.price_amount_minor, price_currency = excluded.price_currency,
      published_at = excluded.published_at, indexed_at = now()
    WHERE (s.version < excluded.version OR (s.version = excluded.version AND excluded.id = ANY($2::uuid[])))
      AND s.tenant = excluded.tenant
  )
  SELECT r.id, r.tenant AS claimed, s.tenant AS indexed FROM r JOIN search_items s ON s.id = r.id AND s.tenant <> r.tenant`

const TOMBSTONE_MANY = `
  WITH r AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS r(id, tenant, version)),
  applied AS (
    INSERT INTO search_items AS s (id, tenant, version, deleted)
    SELECT id, tenant, version, true FROM r
    ON CONFLICT (id) DO UPDATE SET
      version = excluded.version, deleted = true, title = '', description = '', tags = '{}', attributes = '{}',
      price_amount_minor = NULL, price_currency = NULL, published_at = NULL, indexed_at = now()
    WHERE s.version < excluded.version AND s.tenant = excluded.tenant
  )
  SELECT r.id, r.tenant AS claimed, s.tenant AS indexed FROM r JOIN search_items s ON s.id = r.id AND s.tenant <> r.tenant`

interface Refused {
  id: string
  claimed: string
  indexed: string
}

interface Upsert {
  id: string
  tenant: string
  version: string
  source: string
  external_id: string
  title: string
  description: string
  tags: string[]
  attributes: JsonObject
  price_amount_minor: string | null
  price_currency: string | null
  published_at: string | null
}
type Change =
  | { deleted: false; row: Upsert; republished: boolean }
  | { deleted: true; row: { id: string; tenant: string; version: string } }

export function createItemIndexer(pool: Pool, metrics: Metrics, log: Logger) {
  const refusedTotal = new Counter({
    name: 'search_index_refused_total',
    help: 'Events not applied because they name another tenant than the indexed item.',
    registers: [metrics.registry],
  })
  const refuse = (rows: Refused[]) => {
    if (rows.length === 0) return
    refusedTotal.inc(rows.length)
    for (const row of rows) log.warn(row, 'item event refused: it names another tenant than the indexed item')
  }
  const freshness = new Histogram({
    name: 'search_index_freshness_seconds',
    help: 'From the catalog writing an event to the search index applying it.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [metrics.registry],
  })

  const changeOf = (type: string | undefined, message: KafkaMessage): Change | undefined => {
    if (type === events.TYPES.itemUpserted) {
      const item = decode(events.itemUpserted, message).item
      if (!item?.id || !item.tenant) throw new PoisonMessageError('item.upserted without an item')
      return {
        deleted: false,
        republished: header(message, 'republished') === 'true',
        row: {
          id: item.id,
          tenant: item.tenant,
          version: item.version,
          source: item.source,
          external_id: item.external_id,
          title: item.title,
          description: item.description,
          tags: item.tags,
          attributes: structToJson(item.attributes),
          price_amount_minor: item.price?.amount_minor ?? null,
          price_currency: item.price?.currency ?? null,
          published_at: item.published_at ? fromTimestamp(item.published_at).toISOString() : null,
        },
      }
    }
    if (type === events.TYPES.itemDeleted) {
      const tomb = decode(events.itemDeleted, message)
      if (!tomb.id || !tomb.tenant) throw new PoisonMessageError('item.deleted without an id')
      return { deleted: true, row: { id: tomb.id, tenant: tomb.tenant, version: tomb.version } }
    }
    return undefined // a type this reader does not know: newer producers may add some
  }

  return {
    /** Applies one partition's batch in one transaction: all of it, or none of it. */
    async handle(messages: KafkaMessage[]): Promise<void> {
      const latest = new Map<string, Change>()
      const times: string[] = []
      for (const m of messages) {
        const ce = readCloudEvent(m.headers)
        const change = changeOf(ce.type, m)
        if (!change) continue
        const seen = latest.get(change.row.id)
        if (!seen || BigInt(change.row.version) >= BigInt(seen.row.version)) latest.set(change.row.id, change)
        if (ce.time) times.push(ce.time)
      }
      const upserts: Upsert[] = []
      const republished: string[] = []
      const tombs: { id: string; tenant: string; version: string }[] = []
      for (const c of latest.values()) {
        if (c.deleted) tombs.push(c.row)
        else {
          upserts.push(c.row)
          if (c.republished) republished.push(c.row.id)
        }
      }
      const upsert = { name: 'index.upsert-many', text: UPSERT_MANY, values: [JSON.stringify(upserts), republished] }
      const tomb = {
        name: 'index.tombstone-many',
        text: TOMBSTONE_MANY,
        values: [tombs.map((t) => t.id), tombs.map((t) => t.tenant), tombs.map((t) => t.version)],
      }
      // One statement is its own transaction; both need one around them.
      if (tombs.length === 0) refuse((await pool.query<Refused>(upsert)).rows)
      else if (upserts.length === 0) refuse((await pool.query<Refused>(tomb)).rows)
      else
        await withTransaction(pool, async (c) => {
          refuse((await c.query<Refused>(upsert)).rows)
          refuse((await c.query<Refused>(tomb)).rows)
        })
      const now = Date.now()
      for (const time of times) freshness.observe(Math.max(0, (now - Date.parse(time)) / 1000))
    },
  }
}

const header = (message: KafkaMessage, name: string): string | undefined => message.headers?.[name]?.toString()

/** A payload that does not decode never will: it is poison, not a reason to retry. */
function decode<T>(codec: Codec<object, T>, message: KafkaMessage): T {
  if (!message.value) throw new PoisonMessageError('message without a value')
  try {
    return codec.decode(message.value)
  } catch (err) {
    throw new PoisonMessageError(`undecodable payload: ${(err as Error).message}`)
  }
}
