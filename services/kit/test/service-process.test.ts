import { fileURLToPath } from 'node:url'
import t from 'tap'
import { pollUntil } from '../src/testing/poll.ts'
import { logged, startServiceProcess } from '../src/testing/service-process.ts'

const PARENT = fileURLToPath(new URL('./fixtures/processes/parent.ts', import.meta.url))
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`a test process ended by ${signal} takes the services it started with it`, async (t) => {
    const parent = await startServiceProcess(PARENT, {}, { readyMessage: 'parent ready' })
    const child = logged<number>(parent.lines, 'child') as number
    t.ok(alive(child), 'the service runs')
    const died = new Promise((resolve) => parent.child.once('exit', (_code, s) => resolve(s)))
    parent.child.kill(signal)
    t.equal(await died, signal, 'the parent still dies of the signal')
    await pollUntil(
      () => alive(child),
      (a) => !a,
      10_000,
    )
    t.notOk(alive(child), 'and its service is gone')
  })
}
