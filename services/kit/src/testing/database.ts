import { randomBytes } from 'node:crypto'
import pg from 'pg'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A fresh, empty database on the test PostgreSQL server (TEST_DATABASE_URL, which the test
 * command starts), dropped when the test ends. Each test file gets its own, so files run alone
 * or in parallel without seeing each other's rows.
 */
export async function testDatabase(t: Teardown): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL
  if (!admin) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through `pnpm test` at the root, or start the test servers with `bash scripts/test.sh --servers-only`',
    )
  }
  const name = `test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  await client.query(`CREATE DATABASE ${name}`)
  await client.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: admin })
    await c.connect()
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.end()
  })
  const url = new URL(admin)
  url.pathname = `/${name}`
  return url.toString()
}
