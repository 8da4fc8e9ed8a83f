import { runner } from 'node-pg-migrate'
import pg from 'pg'
import type { Logger } from './log.ts'

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

/** Errors of the connection, not of the statement: the server refuses or drops connections. */
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: a stop or restart ended the session
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// What pg and pg-pool throw, without a code, when a connection ends or cannot be had in time.
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/

/**
 * Whether `err` says PostgreSQL cannot be reached just now (a restart, a failover, no connection
 * free), as opposed to refusing the statement: the caller may try again shortly, so it is a 503,
 * not a 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const { code, message } = err as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) return true
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}

/** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // A connection the server dropped goes, not back to the pool for the next caller to fail on.
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    if (isDatabaseUnavailable(err)) broken = err as Error
    else await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release(broken)
  }
}
