import { createLogger } from '@catalog/kit'
import { freePort } from '@catalog/kit/testing'
import t from 'tap'
import { startCatalog, startGateway } from './helpers/gateway.ts'

const catalog = startCatalog(t)

t.test('the public port answers the probes and the API docs, but not the metrics', async (t) => {
  const gw = await startGateway(t, (await catalog).address)
  const status = async (url: string) => (await gw.app.inject({ method: 'GET', url })).statusCode
  t.equal(await status('/metrics'), 404, 'the metrics are on the ops port only')
  t.equal(await status('/healthz'), 200)
  t.equal(await status('/readyz'), 200)
  t.equal(await status('/docs/'), 200, 'the docs describe the public API')
  t.equal(await status('/openapi.json'), 200)
})

t.test('/readyz names each check and its status; the cause goes to the log, once', async (t) => {
  const lines: { msg: string; check?: string; err?: { message: string } }[] = []
  const log = createLogger({ name: 'gateway', level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  const redis = `redis://127.0.0.1:${await freePort()}`
  const gw = await startGateway(t, (await catalog).address, { REDIS_URL: redis }, { log })
  const answers = [await gw.app.inject({ method: 'GET', url: '/readyz' }), await gw.app.inject({ method: 'GET', url: '/readyz' })]
  for (const answer of answers) {
    t.same(answer.json(), { ready: true, degraded: true, checks: { catalog: 'ok', redis: 'failed' } })
    t.notMatch(answer.body, /127\.0\.0\.1|ECONNREFUSED|closed|writeable|store/i, 'no address, no library message')
  }
  const failed = lines.filter((l) => l.msg === 'readiness check failed')
  t.equal(failed.length, 1, 'one log line while the cause stays the same')
  t.match(failed[0], { check: 'redis', err: { message: /rate limit store is away/ } })
})
