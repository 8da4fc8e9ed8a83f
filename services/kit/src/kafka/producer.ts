import type { Kafka, Producer } from 'kafkajs'
import { Partitioners } from 'kafkajs'
import type { Logger } from '../telemetry/log.ts'

/**
 * An idempotent producer: acks from every in-sync replica, and the broker drops the duplicates a
 * retry would make, with one request in flight so order per partition survives retries.
 */
export async function createIdempotentProducer(kafka: Kafka, log: Logger): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Java's murmur2 partitioning: a key lands on the same partition whichever client wrote it.
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  producer.on(producer.events.DISCONNECT, () => log.warn('kafka producer disconnected'))
  await producer.connect()
  return producer
}
