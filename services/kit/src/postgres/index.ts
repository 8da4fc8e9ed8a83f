/** PostgreSQL: the pool, migrations and transactions. */
export { createPool, migrate, type Pool, type PoolClient, withTransaction } from './postgres.ts'
