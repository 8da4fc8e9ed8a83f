import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Consumer, Kafka, KafkaMessage, Logger } from '@catalog/kit'
import { readCloudEvent } from '@catalog/kit'
import { events } from '@catalog/proto'

/** What an item event says of the cache: this item of this tenant is now at this version (or gone). */
export interface ItemChange {
  tenant: string
  id: string
  version: number
  deleted: boolean
  /** When the catalog wrote it (the event's `ce_time`), in ms since the epoch; NaN when it says none. */
  writtenAt: number
}

export interface InvalidationStreamOptions {
  /** The consumer group is this, the host name and a random suffix: one group per process. */
  groupPrefix: string
  log: Logger
  sessionTimeoutMs: number
  /** With no fetch answered for this long the stream is down, and the cache is bypassed. */
  silenceMs: number
  onChanges(changes: ItemChange[]): void
  /** An event that does not decode: what it changed is unknown. */
  onUnknownChange(): void
  /** The stream is live, for the first time or again after a gap whose events were not seen. */
  onLive(afterGap: boolean): void
  /** The stream stopped being live. */
  onDown(): void
}

export interface InvalidationStream {
  /** A fetch was answered within `silenceMs`, since the group was joined at the topic's end. */
  readonly live: boolean
  readonly groupId: string
  stop(): Promise<void>
}

/** How long a fetch waits for events before it answers empty: the stream's heartbeat. */
const MAX_WAIT_MS = 500

function changeOf(message: KafkaMessage): ItemChange | undefined {
  const ce = readCloudEvent(message.headers)
  const writtenAt = ce.time ? Date.parse(ce.time) : Number.NaN
  if (!message.value) throw new Error('an item event without a payload')
  if (ce.type === events.TYPES.itemUpserted) {
    const item = events.itemUpserted.decode(message.value).item
    if (!item?.id || !item.tenant) throw new Error('item.upserted without an item')
    return { tenant: item.tenant, id: item.id, version: Number(item.version), deleted: false, writtenAt }
  }
  if (ce.type === events.TYPES.itemDeleted) {
    const tomb = events.itemDeleted.decode(message.value)
    if (!tomb.id || !tomb.tenant) throw new Error('item.deleted without an id')
    return { tenant: tomb.tenant, id: tomb.id, version: Number(tomb.version), deleted: true, writtenAt }
  }
  return undefined // another type: newer producers may add some, and none changes an item's answer
}

/**
 * Every item event of catalog.item.v1, read by this replica alone: a consumer group of its own
 * (unique per process), joined at the topic's end, that never commits, so the broker keeps nothing
 * of it once its member leaves (a group with no offsets is dropped when empty). Joining fails,
 * crashes and broker outages are waited out and retried; meanwhile `live` is false, and the cache
 * that relies on the stream is bypassed. The stream turns live only once a fetch has been answered
 * after the join, when the starting offsets are fixed: from then on no event is missed.
 */
export function startInvalidationStream(kafka: Kafka, options: InvalidationStreamOptions): InvalidationStream {
  const { log } = options
  const groupId = `${options.groupPrefix}.${hostname()}.${randomUUID().slice(0, 8)}`
  let stopped = false
  let consumer: Consumer | undefined
  let joined = false
  let lastFetch = 0
  let live = false
  let everLive = false
  let retry: NodeJS.Timeout | undefined

  /** `left`: the member is out of its group (crash, stop); a silence alone keeps it joined. */
  const down = (why: string, left = true) => {
    // A member still in its group that fetches again goes live again on that fetch (and the
    // cache starts empty then); one that left must join first.
    if (left) joined = false
    if (!live) return
    live = false
    log.warn({ group: groupId, why }, 'cache invalidation stream down: the item cache is bypassed')
    options.onDown()
  }
  const isLive = () => {
    if (live && performance.now() - lastFetch > options.silenceMs) down('no fetch answered', false)
    return live
  }
  const watchdog = setInterval(isLive, Math.max(100, Math.floor(options.silenceMs / 2)))
  watchdog.unref()

  const launch = async () => {
    const member = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(options.sessionTimeoutMs / 5)),
      maxWaitTimeInMs: MAX_WAIT_MS,
    })
    consumer = member
    member.on(member.events.GROUP_JOIN, () => {
      joined = true
    })
    member.on(member.events.FETCH, () => {
      lastFetch = performance.now()
      if (!joined || live) return
      live = true
      log.info({ group: groupId }, 'cache invalidation stream live')
      options.onLive(everLive)
      everLive = true
    })
    member.on(member.events.CRASH, ({ payload }) => {
      down(payload.error.message)
      if (payload.restart || stopped) return
      log.error({ err: payload.error, group: groupId }, 'cache invalidation stream crashed; starting it again')
      relaunch()
    })
    member.on(member.events.STOP, () => down('stopped'))
    try {
      await member.connect()
      await member.subscribe({ topics: [events.TOPICS.item], fromBeginning: false })
      if (stopped) return await member.disconnect()
      // Offsets are resolved (so that fetches move on) but never committed: autoCommit is off.
      await member.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const changes: ItemChange[] = []
          for (const message of batch.messages) {
            try {
              const change = changeOf(message)
              if (change) changes.push(change)
            } catch (err) {
              log.warn({ err, topic: batch.topic, partition: batch.partition, offset: message.offset }, 'item event unreadable')
              options.onUnknownChange()
            }
          }
          if (changes.length > 0) options.onChanges(changes)
        },
      })
    } catch (err) {
      await member.disconnect().catch(() => undefined)
      throw err
    }
  }
  const relaunch = () => {
    retry = setTimeout(() => {
      if (stopped) return
      launch().catch((err: unknown) => {
        log.warn({ err, group: groupId }, 'cache invalidation stream cannot start; retrying')
        relaunch()
      })
    }, 1_000)
    retry.unref()
  }
  launch().catch((err: unknown) => {
    log.warn({ err, group: groupId }, 'cache invalidation stream cannot start; retrying')
    relaunch()
  })

  return {
    get live() {
      return isLive()
    },
    groupId,
    async stop() {
      stopped = true
      clearInterval(watchdog)
      clearTimeout(retry)
      down('stopped')
      await consumer?.disconnect()
    },
  }
}
