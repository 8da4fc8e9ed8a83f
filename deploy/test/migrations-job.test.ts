import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { testDatabase } from '@catalog/kit/testing'
import pg from 'pg'
import t from 'tap'

const run = promisify(execFile)
const services = ['catalog', 'search', 'ingestion']
const entry = (service: string) => fileURLToPath(new URL(`../../services/${service}/src/migrate.ts`, import.meta.url))

async function migrateJob(service: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry(service)], { env: { PATH: process.env.PATH, ...env } })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

for (const service of services) {
  t.test(`the ${service} migrations Job migrates its database once, then finds nothing to do`, async (t) => {
    const url = await testDatabase(t)
    const env = { SERVICE_NAME: service, DATABASE_URL: url }
    const first = await migrateJob(service, env)
    t.equal(first.code, 0, first.stderr)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.teardown(() => client.end())
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')
    t.ok(rows[0] && rows[0].n > 0, 'migrations are recorded')
    const again = await migrateJob(service, env)
    t.equal(again.code, 0, again.stderr)
    t.match(again.stdout, /"applied":0/, 'a second run applies nothing')
  })
}

t.test('the migrations Job refuses a wrong DATABASE_URL with one line naming it', async (t) => {
  const res = await migrateJob('catalog', { SERVICE_NAME: 'catalog', DATABASE_URL: 'mysql://nope' })
  t.equal(res.code, 1)
  t.match(res.stderr, /^catalog migrations failed: invalid configuration: .*DATABASE_URL/)
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace')
})
