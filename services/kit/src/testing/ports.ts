import { randomInt } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'

/**
 * Ports a test may take: below the kernel's ephemeral range, so no outgoing connection (a pool,
 * a Kafka client) can take a port between the moment it is picked and the moment a server binds it,
 * or while a test has a server down to restart it on the same port.
 */
const RANGE = { low: 20_000, high: 32_000 }

async function ephemeralRange(): Promise<[number, number]> {
  try {
    const [low, high] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number]
  } catch {}
  return [32_768, 60_999]
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/** Where the ephemeral range covers ours, whatever the kernel gives. */
async function kernelPick(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A TCP port on 127.0.0.1 that was free a moment ago: for a server a test starts, or one it knows is not there. */
export async function freePort(): Promise<number> {
  const [low, high] = await ephemeralRange()
  if (low <= RANGE.low && high >= RANGE.high) return kernelPick()
  for (let tries = 0; tries < 200; tries++) {
    const port = randomInt(RANGE.low, RANGE.high)
    if (port >= low && port <= high) continue
    if (await bindable(port)) return port
  }
  throw new Error(`no free port in ${RANGE.low}-${RANGE.high} outside the ephemeral range ${low}-${high}`)
}
