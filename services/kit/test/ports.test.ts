import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import t from 'tap'
import { freePort } from '../src/testing/ports.ts'

t.test('a free port is bindable and outside the range outgoing connections take theirs from', async (t) => {
  const [low, high] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number)
  for (let i = 0; i < 20; i++) {
    const port = await freePort()
    t.ok(port < (low as number) || port > (high as number), `${port} is outside ${low}-${high}`)
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', resolve)
    })
    await new Promise((resolve) => server.close(resolve))
  }
})
