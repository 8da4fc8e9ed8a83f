// The platform as processes, for the fault suite: its own Kafka broker, Redis and object store (so
// killing them harms no other test), the catalog, search and ingestion services and the gateway
// from their main.ts, each restartable on the same ports with the same settings, kill -9 for any
// of them, and an issuer's JWKS endpoint that can go away.
import type { ChildProcess } from 'node:child_process'
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import type { Socket } from 'node:net'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { ServiceProcess } from '@catalog/kit/testing'
import { freePort, pollUntil, startServiceProcess, testCerts } from '@catalog/kit/testing'
import pg from 'pg'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')

interface Tap {
  teardown(fn: () => unknown): void
  passing(): boolean
}

/**
 * Where each service and gateway writes its whole log, across restarts: a failed test prints the
 * end of each, since what a process said long after it was ready is what explains a stall.
 */
const LOG_DIR = join(ROOT, '.data/faults/logs')
const LOG_TAIL_LINES = 80
let logs = 0

async function keptLog(t: Tap, name: string): Promise<string> {
  // A run starts with an empty folder: no log of an earlier run is taken for this one's.
  const n = ++logs
  if (n === 1) await rm(LOG_DIR, { recursive: true, force: true })
  await mkdir(LOG_DIR, { recursive: true })
  const file = join(LOG_DIR, `${n}-${name}.log`)
  t.teardown(async () => {
    if (t.passing()) return
    const text = await readFile(file, 'utf8').catch(() => '')
    const tail = text.split('\n').slice(-LOG_TAIL_LINES).join('\n')
    process.stderr.write(`\n=== the last ${LOG_TAIL_LINES} lines of ${name}'s log (whole log: ${file})\n${tail}\n`)
  })
  return file
}

/** A free TCP port on 127.0.0.1 whose next one is free too (Kafka uses it as its controller's). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort()
    const next = await new Promise<boolean>((done) => {
      const server = createServer()
        .once('error', () => done(false))
        .listen(port + 1, '127.0.0.1', () => server.close(() => done(true)))
    })
    if (next) return port
  }
}

/**
 * A server that a scripts/lib/<lib>.sh function starts in the background (the same the test
 * command uses), on a fresh data folder and a free port: killable with SIGKILL and restartable
 * on its data. `pidVariable` is the variable the function leaves the server's PID in.
 */
async function shellServer(t: Tap, lib: string, startFunction: string, pidVariable: string) {
  const dir = await mkdtemp(join(tmpdir(), `faults-${lib}-`))
  const port = await freePortPair()
  let pid = 0
  const start = async () => {
    const { stdout } = await run(
      'bash',
      ['-c', `source scripts/lib/${lib}.sh && ${startFunction} "$0" "$1" >&2 && echo "$${pidVariable}"`, dir, String(port)],
      { cwd: ROOT, timeout: 120_000 },
    )
    pid = Number(stdout.trim().split('\n').at(-1))
  }
  const kill = () => {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  await start()
  t.teardown(async () => {
    kill()
    await rm(dir, { recursive: true, force: true })
  })
  return { dir, port, start, kill }
}

/**
 * A single-node KRaft broker (scripts/lib/kafka.sh), killable and restartable on its data. It
 * authenticates every client: `env` connects a service as its super user.
 */
export async function startBroker(t: Tap) {
  const server = await shellServer(t, 'kafka', 'start_kafka', 'KAFKA_PID')
  const env = {
    KAFKA_BROKERS: `127.0.0.1:${server.port}`,
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'admin',
    KAFKA_SASL_PASSWORD_FILE: join(server.dir, 'credentials/admin'),
  }
  return { env, start: server.start, kill: server.kill }
}

/**
 * A PostgreSQL server of the suite's own (scripts/infra/postgres.ts, the embedded server the test
 * command runs), restartable on its data; under the repository's .data/, which the postgres user
 * can reach when the suite runs as root.
 */
export async function startDatabaseServer(t: Tap) {
  const dir = join(ROOT, '.data/faults', randomBytes(4).toString('hex'))
  await mkdir(dir, { recursive: true })
  const port = await freePort()
  const admin = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn(process.execPath, [join(ROOT, 'scripts/infra/postgres.ts')], {
      env: { PATH: process.env.PATH ?? '', PG_DATA_DIR: join(dir, 'postgres'), PG_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout?.on('data', (d) => {
      out += d
    })
    await pollUntil(() => out.includes('postgres ready'), Boolean, 120_000)
  }
  /** A clean stop (SIGTERM: the server finishes and flushes), as an operator's restart does. */
  const stop = async () => {
    if (!child || child.exitCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    await exited
  }
  await start()
  t.teardown(async () => {
    await stop()
    await rm(dir, { recursive: true, force: true })
  })
  const database = async (name: string) => {
    const client = new pg.Client({ connectionString: admin })
    await client.connect()
    await client.query(`CREATE DATABASE ${name}`)
    await client.end()
    return `postgres://postgres:postgres@127.0.0.1:${port}/${name}`
  }
  return { start, stop, database }
}

/** An S3-compatible server (MinIO, scripts/lib/s3.sh) of the suite's own, killable and restartable on its data. */
export async function startObjectStore(t: Tap) {
  const server = await shellServer(t, 's3', 'start_s3', 'S3_PID')
  // scripts/lib/s3.sh's development keys.
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    accessKey: 'catalog-dev',
    secretKey: 'catalog-dev-secret',
    start: server.start,
    kill: server.kill,
  }
}

/** A Redis server of the suite's own (scripts/lib/redis.sh), killable and restartable. */
export async function startRedis(t: Tap) {
  const server = await shellServer(t, 'redis', 'start_redis', 'REDIS_PID')
  return { url: `redis://127.0.0.1:${server.port}`, start: server.start, kill: server.kill }
}

/**
 * An issuer's JWKS endpoint over HTTP, serving the file at `jwksPath`, that can go down (every
 * connection cut, new ones refused, as when the issuer is unreachable) and come back on its port.
 */
export async function jwksEndpoint(t: Tap, jwksPath: string) {
  const port = await freePort()
  const body = await readFile(jwksPath)
  const server = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
  const up = () => new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
  const down = () =>
    new Promise<void>((done) => {
      server.close(() => done())
      server.closeAllConnections()
    })
  await up()
  t.teardown(() => down().catch(() => undefined))
  return { url: `http://127.0.0.1:${port}/jwks.json`, up, down }
}

/** The gateway from its main.ts on a fixed port, in front of `catalogAddress`. */
export async function gateway(t: Tap, catalogAddress: string, env: Record<string, string>) {
  const port = await freePort()
  const logFile = await keptLog(t, `gateway-${port}`)
  const current = await startServiceProcess(
    join(ROOT, 'gateway/src/main.ts'),
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      CATALOG_ADDR: catalogAddress,
      ...testCerts().env('gateway'),
      ...env,
    },
    { readyMessage: 'gateway ready', timeoutMs: 60_000, logFile },
  )
  t.teardown(() => current.stop())
  return { url: `http://127.0.0.1:${port}`, process: current, readiness: () => readinessAt(`http://127.0.0.1:${port}/readyz`) }
}

export interface Service {
  name: string
  databaseUrl: string
  address: () => string
  metricsPort: number
  process: () => ServiceProcess
  /** Starts it (again) with the same settings and ports, once it reports ready. */
  start: () => Promise<void>
  kill: () => Promise<void>
}

/** A service from its main.ts, on fixed ports so a restart keeps its address. */
export async function service(
  t: Tap,
  name: 'catalog' | 'search' | 'ingestion',
  databaseUrl: string,
  env: Record<string, string>,
): Promise<Service> {
  const [grpc, health, metrics] = [await freePort(), await freePort(), await freePort()]
  const settings = {
    DATABASE_URL: databaseUrl,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpc),
    HEALTH_PORT: String(health),
    METRICS_PORT: String(metrics),
    ...testCerts().env(name),
    ...env,
  }
  const logFile = await keptLog(t, name)
  let current: ServiceProcess | undefined
  const self: Service = {
    name,
    databaseUrl: settings.DATABASE_URL,
    address: () => `localhost:${grpc}`,
    metricsPort: metrics,
    process: () => current as ServiceProcess,
    async start() {
      current = await startServiceProcess(join(ROOT, `services/${name}/src/main.ts`), settings, {
        readyMessage: `${name} ready`,
        timeoutMs: 120_000,
        logFile,
      })
    },
    async kill() {
      const child = current?.child
      if (!child || child.exitCode !== null) return
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGKILL')
      await exited
    },
  }
  await self.start()
  t.teardown(() => self.kill())
  return self
}

export interface Readiness {
  ready: boolean
  degraded?: boolean
  checks?: Record<string, string>
}

/** GET /readyz of a service's ops port: what it says of itself and its backends, or not ready when it does not answer. */
export const readiness = (s: Service): Promise<Readiness> => readinessAt(`http://127.0.0.1:${s.metricsPort}/readyz`)

async function readinessAt(url: string): Promise<Readiness> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3_000) })
    return (await res.json()) as Readiness
  } catch {
    return { ready: false }
  }
}

/** Ready, with every backend up. */
export const healthy = async (s: Service) => {
  const r = await readiness(s)
  return r.ready && !r.degraded
}

/**
 * A TCP relay in front of a real server that passes its answers at `bytesPerSecond` (so a download
 * is still under way when the fault comes), and can go down (every connection cut, new ones
 * refused) and come back on the same port: the network side of "the S3 server is down mid-file".
 */
export async function slowLink(t: Tap, target: number, bytesPerSecond: number) {
  const port = await freePort()
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk)
      upstream.pause()
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000)
    })
    upstream.on('end', () => client.end())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const listen = () => new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
  const down = async () => {
    await new Promise<void>((done) => {
      server.close(() => done())
      for (const s of sockets) s.destroy()
    })
  }
  await listen()
  t.teardown(() => down().catch(() => undefined))
  return { endpoint: `http://127.0.0.1:${port}`, down, up: listen }
}
