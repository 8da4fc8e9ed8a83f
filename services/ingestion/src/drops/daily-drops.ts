import type { Logger } from '@catalog/kit'
import { childTraceparent, withTraceparent } from '@catalog/kit'
import { Cron } from 'croner'

/**
 * Daily drops: on a cron schedule, lists the files under a folder or bucket prefix and starts a
 * job for each; a file already ingested (same URI and content) answers as a duplicate and is
 * skipped, so each drop is picked up once whatever the number of scans or replicas.
 */
export async function scanDrops(
  deps: { list: (prefix: string) => Promise<string[]>; start: (uri: string) => Promise<{ duplicate: boolean }>; log: Logger },
  prefix: string,
): Promise<{ started: number; skipped: number; failed: number }> {
  const counts = { started: 0, skipped: 0, failed: 0 }
  for (const uri of await deps.list(prefix)) {
    try {
      const { duplicate } = await deps.start(uri)
      counts[duplicate ? 'skipped' : 'started']++
    } catch (err) {
      counts.failed++
      deps.log.warn({ err, uri }, 'could not start a dropped file')
    }
  }
  deps.log.info({ prefix, ...counts }, 'drop scan done')
  return counts
}

export function scheduleDrops(cron: string, scan: () => Promise<unknown>, log: Logger): { stop(): void } {
  const job = new Cron(cron, { protect: true, catch: (err) => log.error({ err }, 'drop scan failed') }, async () => {
    // Each scan starts a trace of its own: the jobs it starts and their records carry it.
    await withTraceparent(childTraceparent(), scan)
  })
  return { stop: () => job.stop() }
}
