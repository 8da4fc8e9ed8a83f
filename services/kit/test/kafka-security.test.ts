import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { Type } from 'typebox'
import { ConfigError, commonEnv, kafkaConnection, kafkaEnv, loadConfig } from '../src/index.ts'

const schema = Type.Object({ ...commonEnv, ...kafkaEnv })
const base = { SERVICE_NAME: 'search', KAFKA_BROKERS: 'a:9092,b:9092' }
const load = (env: Record<string, string>) => loadConfig(schema, { ...base, ...env })

t.test('without SASL or TLS variables the client connects anonymously in plaintext, as before', async (t) => {
  const config = load({})
  t.equal(config.KAFKA_TLS, false)
  t.same(kafkaConnection(config), { brokers: ['a:9092', 'b:9092'] })
})

t.test('a SCRAM mechanism, user and password give the client its SASL options', async (t) => {
  const config = load({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'search', KAFKA_SASL_PASSWORD: 's3cret' })
  t.same(kafkaConnection(config).sasl, { mechanism: 'scram-sha-512', username: 'search', password: 's3cret' })
  const sha256 = load({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'search', KAFKA_SASL_PASSWORD: 'x' })
  t.equal(kafkaConnection(sha256).sasl?.mechanism, 'scram-sha-256')
})

t.test('inconsistent Kafka security settings fail at load, each problem named', async (t) => {
  const refused = (env: Record<string, string>, message: RegExp) => {
    const err = t.throws(() => load(env), { message }) as Error
    t.ok(err instanceof ConfigError, 'a ConfigError')
  }
  refused(
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_PASSWORD: 'x' },
    /KAFKA_SASL_MECHANISM=SCRAM-SHA-512 needs KAFKA_SASL_USERNAME/,
  )
  refused(
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'search' },
    /needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE/,
  )
  refused(
    { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'x', KAFKA_SASL_PASSWORD_FILE: '/p' },
    /KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set/,
  )
  refused({ KAFKA_SASL_USERNAME: 'search', KAFKA_SASL_PASSWORD: 'x' }, /KAFKA_SASL_USERNAME is set without KAFKA_SASL_MECHANISM/)
  refused({ KAFKA_TLS_CA_FILE: '/ca.pem' }, /KAFKA_TLS_CA_FILE is set without KAFKA_TLS=true/)
  refused({ KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'x' }, /KAFKA_SASL_MECHANISM/)
  refused({ KAFKA_TLS: 'maybe' }, /KAFKA_TLS/)
})

t.test('the password and the CA are read from their files (a mounted Secret), without the final newline', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kafka-security-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'password'), 'from-file\n')
  await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n')
  const config = load({
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
    KAFKA_SASL_USERNAME: 'catalog',
    KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
    KAFKA_TLS: 'true',
    KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
  })
  const connection = kafkaConnection(config)
  t.same(connection.sasl, { mechanism: 'scram-sha-256', username: 'catalog', password: 'from-file' })
  t.same(connection.ssl, { ca: ['-----BEGIN CERTIFICATE-----\n'] })
  t.same(kafkaConnection(load({ KAFKA_TLS: 'true' })).ssl, true, 'TLS with the system CAs')

  const missing = load({
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'c',
    KAFKA_SASL_PASSWORD_FILE: join(dir, 'nope'),
  })
  t.throws(() => kafkaConnection(missing), { message: /KAFKA_SASL_PASSWORD_FILE: cannot read .*nope \(ENOENT\)/ })
  await writeFile(join(dir, 'empty'), '\n')
  const empty = load({
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'c',
    KAFKA_SASL_PASSWORD_FILE: join(dir, 'empty'),
  })
  t.throws(() => kafkaConnection(empty), { message: /the Kafka SASL password is empty/ })
})
