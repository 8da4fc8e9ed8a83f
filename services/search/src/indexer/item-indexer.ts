import type { KafkaMessage, Logger, Metrics } from '@catalog/kit'
import { PoisonMessageError, readCloudEvent } from '@catalog/kit'
import type { Codec } from '@catalog/proto'
import { events, itemContentToJson } from '@catalog/proto'
import { Counter, Histogram } from 'prom-client'
import type { ItemDoc, RefusedChange, SearchEngine, Tombstone } from '../engine.ts'

/*
 * Applies catalog.item.v1 to the read model, whichever engine holds it. Idempotent by version: an
 * event whose version is not newer than the indexed item's changes nothing, so duplicates and
 * replays converge on the same index. An event the catalog republished applies at the version held
 * too: it carries the same item, and rebuilds what an older release of the index did not keep (or
 * a new engine's empty index). An item never changes tenant: an event naming another tenant than
 * the indexed item's is refused (counted and logged), so no producer can move an item into another
 * tenant's results.
 */

type Change = { deleted: false; row: ItemDoc; republished: boolean } | { deleted: true; row: Tombstone }

export function createItemIndexer(engine: SearchEngine, metrics: Metrics, log: Logger) {
  const refusedTotal = new Counter({
    name: 'search_index_refused_total',
    help: 'Events not applied because they name another tenant than the indexed item.',
    registers: [metrics.registry],
  })
  const refuse = (rows: RefusedChange[]) => {
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
          ...itemContentToJson(item),
          price_amount_minor: item.price?.amount_minor ?? null,
          price_currency: item.price?.currency ?? null,
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
    /** Applies one partition's batch: the newest event of each item in it. */
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
      const upserts: ItemDoc[] = []
      const republished = new Set<string>()
      const tombstones: Tombstone[] = []
      for (const c of latest.values()) {
        if (c.deleted) tombstones.push(c.row)
        else {
          upserts.push(c.row)
          if (c.republished) republished.add(c.row.id)
        }
      }
      refuse(await engine.apply({ upserts, republished, tombstones }))
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
