import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, writeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { testCerts } from './certs.ts'

export interface ServiceProcess {
  child: ChildProcess
  /** The JSON log lines read until the ready line, the ready line last. */
  lines: Record<string, unknown>[]
  stderr(): string
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>
}

/**
 * Runs a service's main.ts as its own process (as in production), and resolves once it logs
 * `readyMessage`, or rejects with its stderr when it exits first or takes longer than `timeoutMs`.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  options: {
    readyMessage: string
    nodeArgs?: string[]
    timeoutMs?: number
    /** Appends everything the process writes, stdout and stderr, for its whole life (not only until ready). */
    logFile?: string
  },
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // A test or bench that dies must not leave its services running.
  const reap = () => child.kill('SIGKILL')
  process.once('exit', reap)
  child.once('exit', () => process.off('exit', reap))
  if (options.logFile) {
    // Written as it comes (synchronously: a reader never finds it behind, and a process killed
    // mid-write loses nothing it had written), closed once stdout and stderr are closed, which may
    // be after the process exited.
    const fd = openSync(options.logFile, 'a')
    const write = (d: Buffer | string) => {
      writeSync(fd, typeof d === 'string' ? Buffer.from(d) : d)
    }
    write(`--- ${new Date().toISOString()} ${entry} started, pid ${child.pid}\n`)
    child.stdout?.on('data', write)
    child.stderr?.on('data', write)
    child.once('close', (code, signal) => {
      write(`--- exited: ${signal ?? code}\n`)
      closeSync(fd)
    })
  }
  let stderr = ''
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  const lines: Record<string, unknown>[] = []
  const ready = (async () => {
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      const entry = JSON.parse(line) as Record<string, unknown>
      lines.push(entry)
      if (entry.msg === options.readyMessage) return
    }
    throw new Error(`${entry} exited before it was ready: ${stderr}`)
  })()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${entry} was not ready in time: ${stderr}`)), options.timeoutMs ?? 30_000)
  })
  try {
    await Promise.race([ready, timeout])
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  } finally {
    clearTimeout(timer)
  }
  child.stdout?.resume()
  return {
    child,
    lines,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const [code] = await once(child, 'exit')
      return code as number | null
    },
  }
}

/** The first value of `key` in the logged lines (a port, say). */
export function logged<T>(lines: Record<string, unknown>[], key: string): T | undefined {
  return lines.find((l) => l[key] !== undefined)?.[key] as T | undefined
}

export interface ServiceMain extends ServiceProcess {
  /** Its mTLS gRPC address (`localhost:<port>`). */
  address: string
  /** Its ops server (`/metrics`, `/readyz`). */
  opsUrl: string
}

/**
 * A platform service's main.ts as its own process, as `startServiceProcess` runs it, on free
 * ports with the service's test certificate (`env` adds to or overrides them), ready once it logs
 * `<service> ready`, killed when the test ends.
 */
export async function startServiceMain(
  t: { teardown(fn: () => unknown): void },
  entry: string,
  service: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; logFile?: string } = {},
): Promise<ServiceMain> {
  const proc = await startServiceProcess(
    entry,
    { GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', HEALTH_PORT: '0', METRICS_PORT: '0', ...testCerts().env(service), ...env },
    { readyMessage: `${service} ready`, timeoutMs: options.timeoutMs ?? 60_000, logFile: options.logFile },
  )
  t.teardown(() => proc.child.kill('SIGKILL'))
  return Object.assign(proc, {
    address: `localhost:${logged<number>(proc.lines, 'port') ?? 0}`,
    opsUrl: `http://127.0.0.1:${logged<number>(proc.lines, 'metricsPort') ?? 0}`,
  })
}
