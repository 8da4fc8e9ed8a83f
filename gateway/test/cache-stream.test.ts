import { createKafka, ensureTopics, PLATFORM_TOPICS } from '@catalog/kit'
import { pollUntil, silentLogger, testKafka } from '@catalog/kit/testing'
import t from 'tap'
import { startInvalidationStream } from '../src/cache/invalidation-stream.ts'

t.test('a stream that went silent while still in its group goes live again on its next fetch', async (t) => {
  const kafka = createKafka({ ...testKafka(), clientId: 'cache-stream-test', log: silentLogger() })
  await ensureTopics(kafka, PLATFORM_TOPICS, 1)
  const seen: string[] = []
  // A silence shorter than the idle fetch's wait (500 ms): the watchdog takes the stream down
  // between fetches while the member never leaves its group.
  const stream = startInvalidationStream(kafka, {
    groupPrefix: `cache-stream-test-${Date.now()}`,
    log: silentLogger(),
    sessionTimeoutMs: 10_000,
    silenceMs: 200,
    onChanges: () => undefined,
    onUnknownChange: () => undefined,
    onLive: (afterGap) => seen.push(afterGap ? 'live again' : 'live'),
    onDown: () => seen.push('down'),
  })
  t.teardown(() => stream.stop())
  await pollUntil(() => seen.includes('down'), Boolean, 30_000)
  await pollUntil(() => seen.includes('live again'), Boolean, 10_000)
  t.same(seen.slice(0, 3), ['live', 'down', 'live again'], 'down on the silence, live again on the fetch that ends it')
})
