import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
/**
 * A closed-loop load generator: `concurrency` workers call `op` back to back for `seconds`, and
 * the run reports throughput and latency percentiles. Bounded in time and count.
 */
export interface LoadResult {
  name: string
  ops: number
  errors: number
  seconds: number
  opsPerSec: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
}

export async function load(
  name: string,
  options: { concurrency: number; seconds: number; maxOps?: number },
  op: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const maxOps = options.maxOps ?? 5_000_000
  const start = performance.now()
  const end = start + options.seconds * 1000
  const worker = async () => {
    while (performance.now() < end && next < maxOps) {
      const i = next++
      const t0 = performance.now()
      try {
        await op(i)
        latencies.push(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return {
    name,
    ops: latencies.length,
    errors,
    seconds,
    opsPerSec: latencies.length / seconds,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
  }
}

export function printComparison(title: string, subject: LoadResult, baseline: LoadResult): void {
  const row = (r: LoadResult) =>
    `  ${r.name.padEnd(28)} ${r.opsPerSec.toFixed(0).padStart(8)} ops/s   p50 ${r.p50Ms.toFixed(2).padStart(7)} ms   p99 ${r.p99Ms
      .toFixed(2)
      .padStart(7)} ms   errors ${r.errors}`
  console.log(`\n${title}`)
  console.log(row(subject))
  console.log(row(baseline))
  console.log(`  ratio (throughput vs baseline): ${(subject.opsPerSec / baseline.opsPerSec).toFixed(2)}`)
}

export const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`

/** Writes a bench's figures to bench/out/<name>.json, where scripts/bench/report.ts gathers them. */
export async function writeResult(name: string, data: Record<string, unknown>): Promise<void> {
  const dir = join(import.meta.dirname, '../../bench/out')
  await mkdir(dir, { recursive: true })
  const result = { bench: name, at: new Date().toISOString(), machine: machine(), ...data }
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`)
}
