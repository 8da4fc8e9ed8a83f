import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { aclsOf, createKafka, PLATFORM_TOPICS } from '@catalog/kit'
import { silentLogger, testKafka, testKafkaEnv } from '@catalog/kit/testing'
import t from 'tap'

const run = promisify(execFile)
const TOPICS = fileURLToPath(new URL('../src/topics.ts', import.meta.url))

t.test(
  'the topics Job leaves every platform topic in place with its partitions, grants each service its own, and exits 0',
  async (t) => {
    // As the cluster's admin, the principal the chart gives the Job; the services' users and groups are its to name.
    const res = await run(process.execPath, [TOPICS], {
      env: {
        PATH: process.env.PATH,
        SERVICE_NAME: 'catalog',
        ...testKafkaEnv(),
        KAFKA_REPLICATION_FACTOR: '1',
        KAFKA_ACLS: 'true',
        KAFKA_SEARCH_USER: 'search-topics-test',
        SEARCH_CONSUMER_GROUP: 'search-topics-test-group',
        KAFKA_GATEWAY_USER: 'gateway-topics-test',
        CACHE_GROUP_PREFIX: 'gateway-topics-test-cache',
        KAFKA_OBJECT_STORE_USER: 'object-store-topics-test',
      },
      timeout: 60_000,
    })
    t.match(res.stdout, /"msg":"platform topics ready"/)
    t.match(res.stdout, /"grants":21,"msg":"platform ACLs ready"/)
    const kafka = createKafka({ ...testKafka(), clientId: 'topics-test', log: silentLogger() })
    const admin = kafka.admin()
    await admin.connect()
    t.teardown(() => admin.disconnect())
    const { topics } = await admin.fetchTopicMetadata({ topics: PLATFORM_TOPICS.map((s) => s.topic) })
    for (const spec of PLATFORM_TOPICS) {
      t.equal(topics.find((m) => m.name === spec.topic)?.partitions.length, spec.partitions, spec.topic)
    }
    const grants = (await aclsOf(kafka, 'search-topics-test')).map((g) => `${g.resource}:${g.name}:${g.operation}`)
    t.same(grants.sort(), [
      'group:search-topics-test-group:read',
      'topic:catalog.item.dlq.v1:write',
      'topic:catalog.item.v1:read',
    ])
    const gateway = (await aclsOf(kafka, 'gateway-topics-test')).map((g) => `${g.resource}:${g.name}:${g.operation}`)
    t.same(
      gateway.sort(),
      ['group:gateway-topics-test-cache.:read', 'topic:catalog.item.v1:read'],
      "the gateway's item cache: the item events, in groups of its prefix",
    )
    const store = (await aclsOf(kafka, 'object-store-topics-test')).map((g) => `${g.resource}:${g.name}:${g.operation}`)
    t.same(store, ['topic:s3.events.v1:write'], 'the object store writes its event notifications, nothing else')
  },
)

t.test('a SASL mechanism without a user stops the Job with a message naming what is missing', async (t) => {
  const err = await run(process.execPath, [TOPICS], {
    env: { PATH: process.env.PATH, SERVICE_NAME: 'catalog', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512' },
    timeout: 30_000,
  }).catch((e: { code: number; stderr: string }) => e)
  t.match(err, {
    code: 1,
    stderr: /^topics failed: invalid configuration: KAFKA_SASL_MECHANISM=SCRAM-SHA-512 needs KAFKA_SASL_USERNAME/,
  })
})

t.test('a wrong replication factor stops the Job with a message naming it', async (t) => {
  const err = await run(process.execPath, [TOPICS], {
    env: { PATH: process.env.PATH, SERVICE_NAME: 'catalog', KAFKA_BROKERS: '127.0.0.1:1', KAFKA_REPLICATION_FACTOR: '0' },
    timeout: 30_000,
  }).catch((e: { code: number; stderr: string }) => e)
  t.match(err, { code: 1, stderr: /^topics failed: invalid configuration: .*KAFKA_REPLICATION_FACTOR/ })
})
