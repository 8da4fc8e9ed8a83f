import type { Server } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

export type ReadinessCheck = () => Promise<void>

/**
 * The side HTTP port: `/metrics` for Prometheus, `/healthz` (the process answers) and `/readyz`
 * (every readiness check passes). It carries no user traffic and no user data.
 */
export async function startOpsServer(options: {
  host?: string
  port: number
  registry: Registry
  checks: Record<string, ReadinessCheck>
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

/** Runs every readiness check (each bounded in time) and says whether all passed, and what each said. */
export async function readiness(
  checks: Record<string, ReadinessCheck>,
  shuttingDown: boolean,
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {}
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
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
  const ready = Object.values(results).every((r) => r === 'ok')
  return { ready, checks: results }
}
