import type { KafkaMessage } from 'kafkajs'

/** The partition a batch comes from. */
export interface BatchOrigin {
  topic: string
  partition: number
}

/**
 * Per partition, the offsets set aside (sent to the DLQ by the consumer or by the handler) and not
 * yet committed: a few at most, forgotten as their batch commits. A batch delivered again before
 * its commit (a failed commit or DLQ write, a rebalance) leaves them out, so none is set aside
 * twice.
 */
export function createSetAside() {
  const byPartition = new Map<string, Set<string>>()
  const keyOf = ({ topic, partition }: BatchOrigin) => `${topic}\u0000${partition}`
  return {
    mark(from: BatchOrigin, offsets: readonly string[]): void {
      if (offsets.length === 0) return
      const key = keyOf(from)
      byPartition.set(key, new Set([...(byPartition.get(key) ?? []), ...offsets]))
    },
    /** The messages of a batch still to apply. */
    pending(from: BatchOrigin, messages: KafkaMessage[]): KafkaMessage[] {
      const aside = byPartition.get(keyOf(from))
      return aside ? messages.filter((m) => !aside.has(m.offset)) : messages
    },
    /** The partition committed up to `next` (exclusive): what lies before it is no longer needed. */
    committed(from: BatchOrigin, next: string): void {
      const offsets = byPartition.get(keyOf(from))
      if (!offsets) return
      for (const offset of offsets) if (BigInt(offset) < BigInt(next)) offsets.delete(offset)
      if (offsets.size === 0) byPartition.delete(keyOf(from))
    },
  }
}

export type SetAside = ReturnType<typeof createSetAside>
