import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createPool, migrate, withTransaction } from '../src/index.ts'
import { silentLogger, testDatabase } from '../src/testing/index.ts'

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
