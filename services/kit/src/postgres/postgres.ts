import { runner } from 'node-pg-migrate'
import pg from 'pg'
import { isUnavailable } from '../runtime/errors.ts'
import type { Logger } from '../telemetry/log.ts'

export type { Pool, PoolClient } from 'pg'

export interface PoolOptions {
  url: string
  max: number
  statementTimeoutMs: number
  applicationName: string
}

/**
 * A pool whose every connection has a statement timeout and an idle-in-transaction timeout, so a
 * slow query or a stuck transaction cannot hold a connection for ever.
 */
export function createPool(options: PoolOptions, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs,
    idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
    connectionTimeoutMillis: 5_000,
  })
  // An idle client that loses its server (a restart, a failover) must not crash the process.
  pool.on('error', (err) => log.warn({ err }, 'idle postgres client failed'))
  return pool
}

/** Applies the SQL migrations of `dir` in order, under an advisory lock so replicas can race safely. */
export async function migrate(url: string, dir: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl: url,
    dir,
    migrationsTable: 'schema_migrations',
    direction: 'up',
    count: Number.POSITIVE_INFINITY,
    checkOrder: true,
    // A replica that finds another one migrating waits for it, then finds nothing left to do.
    advisoryLockMode: 'wait',
    log: (message) => log.debug(message),
  })
  const names = applied.map((m) => m.name)
  if (names.length > 0) log.info({ migrations: names }, 'applied migrations')
  return names
}

/** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // While it is checked out, pg-pool no longer listens for the client's errors: a server that
  // drops the connection between two statements must not crash the process (the next statement
  // fails instead).
  const ignore = () => undefined
  client.on('error', ignore)
  // A connection the server dropped goes, not back to the pool for the next caller to fail on.
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    if (isUnavailable(err)) broken = err as Error
    else await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.off('error', ignore)
    client.release(broken)
  }
}
