import type { ingestion } from '@catalog/proto'

type Job = ingestion.Job__Output

export interface JobFollower {
  /** Reads the job as this follower's caller may: the poll calls it for all followers. */
  read(): Promise<Job>
  /** Each read, as it comes; the last one of a job that ended is the final state. */
  job(job: Job): void
  /** The read failed: the poll stops, and every follower with it. */
  failed(err: unknown): void
}

interface Watch {
  followers: Set<JobFollower>
  latest: Job | undefined
  timer: NodeJS.Timeout | undefined
  stopped: boolean
}

/**
 * One poll per job however many progress streams follow it (one client's tabs, or a dashboard on
 * several screens): each interval, one read of the job goes to the ingestion service and its
 * answer to every follower. The poll starts with the first follower of a job and stops when the
 * last one leaves, when the job ends, or when a read fails. Keys name the tenant with the job, so
 * followers only ever share what each of them may read.
 */
export function createJobWatch(pollMs: number) {
  const watches = new Map<string, Watch>()

  const stop = (key: string, watch: Watch) => {
    watch.stopped = true
    clearTimeout(watch.timer)
    if (watches.get(key) === watch) watches.delete(key)
  }

  const poll = async (key: string, watch: Watch) => {
    // Read on behalf of the longest-standing follower: any of them may read the job.
    const reader = watch.followers.values().next().value
    if (!reader || watch.stopped) return stop(key, watch)
    let job: Job
    try {
      job = await reader.read()
    } catch (err) {
      if (watch.stopped) return
      stop(key, watch)
      for (const follower of [...watch.followers]) follower.failed(err)
      return
    }
    if (watch.stopped) return
    watch.latest = job
    if (job.state !== 'JOB_STATE_RUNNING' && job.state !== 'JOB_STATE_APPLYING') stop(key, watch)
    else watch.timer = setTimeout(() => void poll(key, watch), pollMs)
    for (const follower of [...watch.followers]) follower.job(job)
  }

  return {
    /** The job as the running poll last read it, for a new follower to start from without a read of its own. */
    latest: (tenant: string, id: string): Job | undefined => watches.get(keyOf(tenant, id))?.latest,

    /** Follows the job from the next poll on; the returned function leaves. */
    follow(tenant: string, id: string, follower: JobFollower): () => void {
      const key = keyOf(tenant, id)
      let watch = watches.get(key)
      if (!watch) {
        const started: Watch = { followers: new Set(), latest: undefined, timer: undefined, stopped: false }
        started.timer = setTimeout(() => void poll(key, started), pollMs)
        watches.set(key, started)
        watch = started
      }
      const joined = watch
      joined.followers.add(follower)
      return () => {
        joined.followers.delete(follower)
        if (joined.followers.size === 0) stop(key, joined)
      }
    },

    /** Jobs polled right now. */
    get polling(): number {
      return watches.size
    },
  }
}

export type JobWatch = ReturnType<typeof createJobWatch>

const keyOf = (tenant: string, id: string) => JSON.stringify([tenant, id.toLowerCase()])
