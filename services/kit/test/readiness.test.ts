import t from 'tap'
import { readiness } from '../src/index.ts'

const ok = async () => {}
const down = async () => {
  throw new Error('kafka unreachable: connection refused')
}

t.test('a failing hard check makes the process unready; a failing soft one only degraded', async (t) => {
  t.same(await readiness({ postgres: ok, kafka: { soft: true, check: ok } }, false), {
    ready: true,
    checks: { postgres: 'ok', kafka: 'ok' },
  })
  t.same(await readiness({ postgres: ok, kafka: { soft: true, check: down } }, false), {
    ready: true,
    degraded: true,
    checks: { postgres: 'ok', kafka: 'kafka unreachable: connection refused' },
  })
  t.match(await readiness({ postgres: down, kafka: { soft: true, check: ok } }, false), { ready: false })
  t.match(await readiness({ postgres: ok }, true), { ready: false, checks: { shutdown: 'shutting down' } })
})
