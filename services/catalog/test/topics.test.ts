import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createKafka, PLATFORM_TOPICS } from '@catalog/kit'
import { silentLogger } from '@catalog/kit/testing'
import t from 'tap'

const run = promisify(execFile)
const TOPICS = fileURLToPath(new URL('../src/topics.ts', import.meta.url))

t.test('the topics Job leaves every platform topic in place with its partitions, and exits 0', async (t) => {
  const brokers = process.env.TEST_KAFKA_BROKERS
  if (!brokers) throw new Error('TEST_KAFKA_BROKERS is not set: run the tests through scripts/test.sh, which starts Kafka')
  const res = await run(process.execPath, [TOPICS], {
    env: { PATH: process.env.PATH, SERVICE_NAME: 'catalog', KAFKA_BROKERS: brokers, KAFKA_REPLICATION_FACTOR: '1' },
    timeout: 60_000,
  })
  t.match(res.stdout, /"msg":"platform topics ready"/)
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'topics-test', log: silentLogger() }).admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const { topics } = await admin.fetchTopicMetadata({ topics: PLATFORM_TOPICS.map((s) => s.topic) })
  for (const spec of PLATFORM_TOPICS) {
    t.equal(topics.find((m) => m.name === spec.topic)?.partitions.length, spec.partitions, spec.topic)
  }
})

t.test('a wrong replication factor stops the Job with a message naming it', async (t) => {
  const err = await run(process.execPath, [TOPICS], {
    env: { PATH: process.env.PATH, SERVICE_NAME: 'catalog', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_REPLICATION_FACTOR: '0' },
    timeout: 30_000,
  }).catch((e: { code: number; stderr: string }) => e)
  t.match(err, { code: 1, stderr: /^topics failed: invalid configuration: .*KAFKA_REPLICATION_FACTOR/ })
})
