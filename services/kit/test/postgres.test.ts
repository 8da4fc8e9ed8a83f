import { fileURLToPath } from 'node:url'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { createPool, isQueryCanceled, isUnavailable, migrate, toStatus, withTransaction } from '../src/index.ts'
import { freePort, silentLogger, testDatabase } from '../src/testing/index.ts'

const dir = fileURLToPath(new URL('./fixtures/migrations', import.meta.url))
const log = silentLogger()

t.test('migrations apply once, even when replicas race', async (t) => {
  const url = await testDatabase(t)
  const runs = await Promise.all([migrate(url, dir, log), migrate(url, dir, log)])
  t.same(runs.flat(), ['1700000000000_widgets'], 'exactly one runner applied the migration')
  t.same(await migrate(url, dir, log), [], 'a later run applies nothing')
})

t.test('a transaction that throws leaves nothing behind', async (t) => {
  const url = await testDatabase(t)
  await migrate(url, dir, log)
  const pool = createPool({ url, max: 2, statementTimeoutMs: 1_000, applicationName: 'test' }, log)
  t.teardown(() => pool.end())
  await t.rejects(
    withTransaction(pool, async (c) => {
      await c.query('INSERT INTO widgets VALUES (1, $1)', ['half'])
      throw new Error('stop')
    }),
  )
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM widgets')
  t.equal(rows[0].n, 0)
})

t.test('the statement timeout stops a runaway query', async (t) => {
  const url = await testDatabase(t)
  const pool = createPool({ url, max: 1, statementTimeoutMs: 200, applicationName: 'test' }, log)
  t.teardown(() => pool.end())
  await t.rejects(pool.query('SELECT pg_sleep(5)'), { code: '57014' })
})

t.test('a statement past its timeout is RESOURCE_EXHAUSTED, the caller to narrow or retry later, never INTERNAL', async (t) => {
  const url = await testDatabase(t)
  const pool = createPool({ url, max: 1, statementTimeoutMs: 200, applicationName: 'test' }, log)
  t.teardown(() => pool.end())
  const timedOut = await pool.query('SELECT pg_sleep(5)').catch((err: unknown) => err)
  t.ok(isQueryCanceled(timedOut), 'PostgreSQL cancelled it (57014)', { timedOut })
  t.notOk(isUnavailable(timedOut), 'the server is there: no outage')
  const answer = toStatus(timedOut)
  t.equal(answer.code, status.RESOURCE_EXHAUSTED)
  t.match(answer.details, /ran past the time the database allows it/)
  t.equal(answer.metadata?.get('x-error-code')[0], 'KIT_ERR_QUERY_TIMEOUT')
  t.notOk(isQueryCanceled(await pool.query('SELECT * FROM no_such_table').catch((err: unknown) => err)), 'another refusal is not')
})

t.test('PostgreSQL out of reach is UNAVAILABLE, which callers may retry; a refused statement stays INTERNAL', async (t) => {
  const url = await testDatabase(t)
  const pool = createPool({ url, max: 2, statementTimeoutMs: 1_000, applicationName: 'test' }, log)
  t.teardown(() => pool.end())

  // The server ends the session mid-transaction, as a restart does (57P01, admin_shutdown).
  const ended = await withTransaction(pool, async (c) => {
    await c.query('SELECT pg_terminate_backend(pg_backend_pid())')
  }).catch((err: unknown) => err)
  t.ok(isUnavailable(ended), 'a session the server ended', { ended })
  t.equal(toStatus(ended).code, status.UNAVAILABLE)
  t.match(toStatus(ended).details, /unavailable just now; try again shortly/)
  t.equal(toStatus(ended).metadata?.get('x-error-code')[0], 'KIT_ERR_UNAVAILABLE')
  const { rows } = await pool.query<{ n: number }>('SELECT 1 AS n')
  t.equal(rows[0]?.n, 1, 'the dropped connection left the pool; the next query gets a live one')

  // No server on the port at all.
  const port = await freePort()
  const nowhere = createPool(
    {
      url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      max: 1,
      statementTimeoutMs: 1_000,
      applicationName: 'test',
    },
    log,
  )
  t.teardown(() => nowhere.end())
  const refused = await withTransaction(nowhere, async () => undefined).catch((err: unknown) => err)
  t.ok(isUnavailable(refused), 'a server that refuses connections', { refused })
  t.equal(toStatus(refused).code, status.UNAVAILABLE)

  // A statement the server refuses is the code's fault or the data's: not a retry.
  const bad = await pool.query('SELECT * FROM no_such_table').catch((err: unknown) => err)
  t.notOk(isUnavailable(bad))
  t.equal(toStatus(bad).code, status.INTERNAL)
  // 08P01 is in the connection class, but a wrong number of parameters raises it: a bug, not an outage.
  const miscounted = await pool.query('SELECT $1::int AS n', [1, 2]).catch((err: unknown) => err)
  t.equal((miscounted as { code?: string }).code, '08P01')
  t.equal(toStatus(miscounted).code, status.INTERNAL)
})
