import type { Server } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export type ReadinessCheck = () => Promise<void>

/**
 * A check whose failure the process reports but serves through (`degraded`): the catalog keeps
 * taking writes into its outbox while Kafka is down, search keeps answering from its index. Taking
 * such a pod out of its Service would turn a partial outage into a full one.
 */
export interface SoftCheck {
  soft: true
  check: ReadinessCheck
}

export type Check = ReadinessCheck | SoftCheck

/**
 * The side HTTP port: `/metrics` for Prometheus, `/healthz` (the process answers) and `/readyz`
 * (every readiness check passes). It carries no user traffic and no user data.
 */
export async function startOpsServer(options: {
  host?: string
  port: number
  registry: Registry
  checks: Record<string, Check>
  isShuttingDown?: () => boolean
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end()
      return
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      )
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    } else if (path === '/readyz') {
      readiness(options.checks, options.isShuttingDown?.() ?? false).then((result) => {
        res.writeHead(result.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(result))
      })
    } else {
      res.writeHead(404).end()
    }
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve())
  })
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return { server, port: (server.address() as AddressInfo).port, close }
}

const CHECK_TIMEOUT_MS = 2_000

/**
 * Runs every readiness check (each bounded in time) and says whether all hard ones passed, whether
 * a soft one failed (`degraded`), and what each said.
 */
export async function readiness(
  checks: Record<string, Check>,
  shuttingDown: boolean,
): Promise<{ ready: boolean; degraded?: true; checks: Record<string, string> }> {
  const results: Record<string, string> = {}
  const soft = new Set(Object.entries(checks).flatMap(([name, c]) => (typeof c === 'function' ? [] : [name])))
  await Promise.all(
    Object.entries(checks).map(async ([name, entry]) => {
      const check = typeof entry === 'function' ? entry : entry.check
      let timer: NodeJS.Timeout | undefined
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)
          }),
        ])
        results[name] = 'ok'
      } catch (err) {
        results[name] = err instanceof Error ? err.message : 'failed'
      } finally {
        clearTimeout(timer)
      }
    }),
  )
  if (shuttingDown) results.shutdown = 'shutting down'
  const ready = Object.entries(results).every(([name, r]) => r === 'ok' || soft.has(name))
  const degraded = [...soft].some((name) => results[name] !== 'ok')
  return { ready, ...(degraded ? { degraded: true as const } : {}), checks: results }
}
