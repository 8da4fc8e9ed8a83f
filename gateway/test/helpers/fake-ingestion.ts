import type { CallContext } from '@catalog/kit'
import { PlatformError } from '@catalog/kit'
import { startStubService } from '@catalog/kit/testing'
import type { ingestion } from '@catalog/proto'
import { loadIngestion, toTimestamp } from '@catalog/proto'
import { status } from '@grpc/grpc-js'

interface Tap {
  teardown(fn: () => unknown): void
}

/**
 * What the fake's upload does with a stream: read `after` chunks (after the header), then either
 * fail with gRPC status `fail`, or stop reading and wait (`stall`) until the call goes away.
 * With `holdMs`, it stops reading for that long before it fails: the gateway's writes back up.
 */
export type UploadBehaviour = { after: number; holdMs?: number } & ({ fail: number } | { stall: true })

export const FAKE_JOB_ID = '0190a000-0000-7000-8000-00000000f001'
export const SECRET = 'ingestion stack trace: /srv/ingest-root'

/**
 * A stand-in ingestion service for what the real one cannot be made to do on demand: fail an
 * upload half-way, stall it, or count the reads of a job. Same mTLS and caller policy as the real one.
 */
export async function startFakeIngestion(t: Tap) {
  const calls = { GetIngestion: 0, IngestItems: 0 }
  const seen = { chunks: 0, bytes: 0, cancelled: 0 }
  /** `advance`: each read of the job finds it one record further on, so no two reads look alike. */
  const state = { upload: { after: 0, fail: status.INTERNAL } as UploadBehaviour, job: running(), advance: false }
  const { definition, grpc } = loadIngestion()
  const { server, port } = await startStubService<ingestion.IngestionServiceHandlers>(
    {
      identity: 'ingestion',
      name: 'ingestion.v1.IngestionService',
      definition,
      service: grpc.ingestion.v1.IngestionService.service,
    },
    {
      async IngestItems(requests: AsyncIterable<ingestion.IngestItemsRequest__Output>, ctx: CallContext) {
        calls.IngestItems++
        const behaviour = state.upload
        ctx.signal.addEventListener('abort', () => seen.cancelled++)
        const iterator = requests[Symbol.asyncIterator]()
        await iterator.next()
        for (let n = 0; n < behaviour.after; n++) {
          const next = await iterator.next()
          if (next.done) break
          seen.chunks++
          seen.bytes += next.value.chunk?.length ?? 0
        }
        if (behaviour.holdMs) await new Promise((resolve) => setTimeout(resolve, behaviour.holdMs))
        if ('stall' in behaviour) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        else throw new PlatformError('FAKE_ERR', behaviour.fail, SECRET)
        return { job: state.job, duplicate: false }
      },
      async GetIngestion(req) {
        calls.GetIngestion++
        if (req.id !== state.job.id)
          throw new PlatformError('ING_ERR_NOT_FOUND', status.NOT_FOUND, `ingestion ${req.id} not found`)
        const job = state.job
        if (state.advance) state.job = running(Number(job.processed) + 1)
        return { job }
      },
    },
  )
  let stopped = false
  const stop = (ms: number) => {
    if (stopped) return Promise.resolve()
    stopped = true
    return server.shutdown(ms)
  }
  t.teardown(() => stop(500))
  return { address: `localhost:${port}`, calls, seen, state, stop }
}

/** A job that runs, as GetIngestion answers it; `processed` moves it on. */
export function running(processed = 0, state: ingestion.JobState__Output = 'JOB_STATE_RUNNING'): ingestion.Job {
  const now = toTimestamp(new Date())
  return {
    id: FAKE_JOB_ID,
    tenant: 'acme',
    uri: 'upload:held',
    format: 'ndjson',
    state,
    processed: String(processed),
    eta_seconds: -1,
    created_at: now,
    updated_at: now,
  }
}
