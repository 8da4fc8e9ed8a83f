import type { Logger, Pool } from '@catalog/kit'
import { JobFailure, jobCodes } from '../errors.ts'
import { isCancelRequested } from './job-store.ts'

/**
 * How a job notices a cancel at once, whatever it waits for. A cancel asked of this process
 * aborts the job's signal; one asked of another replica sets the job's flag, which the runner
 * reads at each save, and which `cancelWatch` reads while the runner cannot save (it waits for a
 * source that went quiet, or for Kafka). Every wait of the runner races the signal.
 */

/** The error a wait ends with when the job is cancelled; the runner ends the job cancelled. */
export const cancelledJob = () => new JobFailure(jobCodes.cancelled)

/** `work`, or `reason()` as soon as `signal` aborts: the work itself is left to end on its own. */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal, reason: () => Error = cancelledJob): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined)
    return Promise.reject(reason())
  }
  return new Promise<T>((resolve, reject) => {
    // A listener per wait, removed when the wait ends: a promise raced for the job's whole life
    // would keep a reaction for each of its millions of reads.
    const abort = () => reject(reason())
    signal.addEventListener('abort', abort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort)
        reject(err)
      },
    )
  })
}

/** The chunks of `input`, ending with `reason()` as soon as `signal` aborts, even while a read waits. */
export async function* abortable<T>(
  input: AsyncIterable<T>,
  signal: AbortSignal,
  reason: () => Error = cancelledJob,
): AsyncGenerator<T> {
  const iterator = input[Symbol.asyncIterator]()
  let reading = false
  try {
    for (;;) {
      reading = true
      const next = await unlessAborted(iterator.next(), signal, reason)
      reading = false
      if (next.done) return
      yield next.value
    }
  } finally {
    // Closing an input while its read waits would wait with it: the source's own signal (or its
    // timeout) ends that read. Otherwise the consumer stopped early, and the input closes now.
    if (!reading) await iterator.return?.()
  }
}

/**
 * While the runner has not saved for two progress intervals, reads the job's cancel flag every
 * interval (renewing its lease: the process is alive), and aborts `controller` when it is set (or
 * the job is no longer running). Stopped by the returned function.
 */
export function cancelWatch(
  deps: { pool: Pool; log: Logger },
  jobId: string,
  options: { progressMs: number; lastSave: () => number },
  controller: AbortController,
): () => void {
  let checking = false
  const timer = setInterval(() => {
    if (checking || controller.signal.aborted || Date.now() - options.lastSave() < 2 * options.progressMs) return
    checking = true
    isCancelRequested(deps.pool, jobId)
      .then(
        (requested) => {
          if (requested) controller.abort()
        },
        (err: unknown) => deps.log.warn({ err, job: jobId }, 'could not read whether a waiting job was cancelled'),
      )
      .finally(() => {
        checking = false
      })
  }, options.progressMs)
  timer.unref()
  return () => clearInterval(timer)
}
