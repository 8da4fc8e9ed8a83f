import type { Kafka, KafkaMessage, Metrics, Pool, UnaryClient } from '@catalog/kit'
import { createUnaryClient, writePrincipal } from '@catalog/kit'
import { testCerts } from '@catalog/kit/testing'
import type { search } from '@catalog/proto'
import { loadSearch } from '@catalog/proto'
import { Metadata } from '@grpc/grpc-js'
import type { SearchEngine } from '../../src/engine.ts'
import type { TestSearch, TestSearchOptions } from '../../src/testing.ts'
import { startTestSearch } from '../../src/testing.ts'

export { deleted, type ItemSpec, upserted } from '../../src/testing.ts'

interface Tap {
  teardown(fn: () => unknown): void
}

export interface RunningSearch {
  pool: Pool
  engine: SearchEngine
  client: UnaryClient<search.SearchServiceDefinition>
  as(tenant: string): { metadata: Metadata }
  index(...messages: KafkaMessage[]): Promise<void>
  snapshot: TestSearch['snapshot']
  metrics: Metrics
}

export async function startSearch(t: Tap, options: TestSearchOptions = {}): Promise<RunningSearch> {
  const srch = await startTestSearch(t, options)
  const client = createUnaryClient(loadSearch().grpc.search.v1.SearchService.service, {
    address: srch.address,
    tls: testCerts().of('gateway'),
    defaultTimeoutMs: 10_000,
  })
  t.teardown(() => client.close())
  return {
    pool: srch.pool,
    engine: srch.engine,
    client,
    as: (tenant) => ({ metadata: writePrincipal(new Metadata(), { tenant, subject: 'u', scopes: ['search:read'] }) }),
    index: srch.index,
    snapshot: srch.snapshot,
    metrics: srch.metrics,
  }
}

/**
 * Sets `groupId` at the end of `topic`: the shared test broker holds earlier tests' records, some
 * made to fail on purpose (the DLQ's), which a group reading from the beginning would retry.
 */
export async function startAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topic)
  await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) })
  await admin.disconnect()
}
