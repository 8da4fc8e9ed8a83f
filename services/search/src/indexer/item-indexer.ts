import type { KafkaMessage, Metrics, Pool } from '@catalog/kit'
import { PoisonMessageError, readCloudEvent, withTransaction } from '@catalog/kit'
import type { Codec } from '@catalog/proto'
import { events, fromTimestamp } from '@catalog/proto'
import { Histogram } from 'prom-client'

type Client = Parameters<Parameters<typeof withTransaction>[1]>[0]

/*
 * Applies catalog.item.v1 to the read model. Idempotent by version: an event whose version is not
 * newer than the row's changes nothing, so duplicates and replays converge on the same index.
 */

const UPSERT = `
  INSERT INTO search_items AS s (id, tenant, version, deleted, title, description, tags, price_amount_minor, price_currency, published_at)
  VALUES ($1, $2, $3, false, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, deleted = false, title = excluded.title, description = excluded.description,
    tags = excluded.tags, price_amount_minor = excluded.price_amount_minor, price_currency = excluded.price_currency,
    published_at = excluded.published_at, indexed_at = now()
  WHERE s.version < excluded.version`

const TOMBSTONE = `
  INSERT INTO search_items AS s (id, tenant, version, deleted) VALUES ($1, $2, $3, true)
  ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, deleted = true, title = '', description = '', tags = '{}',
    price_amount_minor = NULL, price_currency = NULL, published_at = NULL, indexed_at = now()
  WHERE s.version < excluded.version`

export function createItemIndexer(pool: Pool, metrics: Metrics) {
  const freshness = new Histogram({
    name: 'search_index_freshness_seconds',
    help: 'From the catalog writing an event to the search index applying it.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [metrics.registry],
  })

  const apply = async (c: Client, message: KafkaMessage) => {
    const ce = readCloudEvent(message.headers)
    if (ce.type === events.TYPES.itemUpserted) {
      const item = decode(events.itemUpserted, message).item
      if (!item?.id || !item.tenant) throw new PoisonMessageError('item.upserted without an item')
      await c.query(UPSERT, [
        item.id,
        item.tenant,
        item.version,
        item.title,
        item.description,
        item.tags,
        item.price?.amount_minor ?? null,
        item.price?.currency ?? null,
        item.published_at ? fromTimestamp(item.published_at) : null,
      ])
    } else if (ce.type === events.TYPES.itemDeleted) {
      const tomb = decode(events.itemDeleted, message)
      if (!tomb.id || !tomb.tenant) throw new PoisonMessageError('item.deleted without an id')
      await c.query(TOMBSTONE, [tomb.id, tomb.tenant, tomb.version])
    } else {
      return // a type this reader does not know: newer producers may add some
    }
    if (ce.time) freshness.observe(Math.max(0, (Date.now() - Date.parse(ce.time)) / 1000))
  }

  return {
    /** Applies one partition's batch in one transaction: all of it, or none of it. */
    async handle(messages: KafkaMessage[]): Promise<void> {
      await withTransaction(pool, async (c) => {
        for (const m of messages) await apply(c, m)
      })
    },
  }
}

/** A payload that does not decode never will: it is poison, not a reason to retry. */
function decode<T>(codec: Codec<object, T>, message: KafkaMessage): T {
  if (!message.value) throw new PoisonMessageError('message without a value')
  try {
    return codec.decode(message.value)
  } catch (err) {
    throw new PoisonMessageError(`undecodable payload: ${(err as Error).message}`)
  }
}
