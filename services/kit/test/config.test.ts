import t from 'tap'
import { Type } from 'typebox'
import { ConfigError, commonEnv, kafkaConsumerEnv, list, loadConfig, postgresEnv } from '../src/index.ts'

const schema = Type.Object({ ...commonEnv, ...postgresEnv })

t.test('a missing variable fails with a message that names it', async (t) => {
  const err = t.throws(() => loadConfig(schema, { SERVICE_NAME: 'catalog' })) as Error
  t.ok(err instanceof ConfigError)
  t.match(err.message, /DATABASE_URL/)
})

t.test('a value of the wrong type or shape names the variable', async (t) => {
  const base = { SERVICE_NAME: 'catalog', DATABASE_URL: 'postgres://x@localhost/db' }
  t.throws(() => loadConfig(schema, { ...base, METRICS_PORT: 'eighty' }), { message: /METRICS_PORT/ })
  t.throws(() => loadConfig(schema, { ...base, DATABASE_URL: 'mysql://x' }), { message: /DATABASE_URL/ })
  t.throws(() => loadConfig(schema, { ...base, LOG_LEVEL: 'loud' }), { message: /LOG_LEVEL/ })
})

t.test('a Kafka session timeout the broker would refuse fails at start, naming it', async (t) => {
  const consumer = Type.Object({ ...commonEnv, ...kafkaConsumerEnv })
  t.equal(loadConfig(consumer, { SERVICE_NAME: 'search' }).KAFKA_SESSION_TIMEOUT_MS, 10_000, 'defaults to 10 s')
  t.throws(() => loadConfig(consumer, { SERVICE_NAME: 'search', KAFKA_SESSION_TIMEOUT_MS: '1000' }), {
    message: /KAFKA_SESSION_TIMEOUT_MS/,
  })
})

t.test('defaults apply, strings are coerced, and the result is frozen', async (t) => {
  const config = loadConfig(schema, {
    SERVICE_NAME: 'catalog',
    DATABASE_URL: 'postgres://x@localhost/db',
    DATABASE_POOL_MAX: '4',
  })
  t.equal(config.DATABASE_POOL_MAX, 4)
  t.equal(config.METRICS_PORT, 9464)
  t.equal(config.LOG_LEVEL, 'info')
  t.ok(Object.isFrozen(config))
})

t.test('a comma list splits, trims and drops empty items; unset or blank is none', async (t) => {
  t.same(list(' gateway , search,,ingestion '), ['gateway', 'search', 'ingestion'])
  t.same(list('broker:9092'), ['broker:9092'])
  t.same(list(' , '), [])
  t.same(list(''), [])
  t.same(list(undefined), [])
})
