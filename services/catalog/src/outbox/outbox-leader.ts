import type { Logger, Pool, PoolClient } from '@catalog/kit'

export const CHANNEL = 'outbox_inserted'

// One relay at a time publishes, so events of one item leave in the order they were written.
const LEADER_LOCK = 7_134_001

/**
 * The relay's own session: it LISTENs for other replicas' writes and, once it holds the advisory
 * lock, is the leader's. The leader publishes on it, never waiting for a pool connection behind
 * the writes it publishes. A session that fails is dropped, and leadership with it.
 */
export function createLeaderSession(pool: Pool, log: Logger, onNotify: () => void) {
  let client: PoolClient | undefined
  let leader = false

  const drop = async () => {
    const dropped = client
    client = undefined
    if (leader) log.info('outbox relay lost leadership')
    leader = false
    dropped?.release(true)
  }
  const listen = async (): Promise<PoolClient> => {
    const session = await pool.connect()
    session.on('notification', onNotify)
    session.on('error', (err) => {
      log.warn({ err }, 'outbox listener lost its connection')
      void drop()
    })
    await session.query(`LISTEN ${CHANNEL}`)
    client = session
    return session
  }

  return {
    /** The session, leading if it could take the lock; undefined while another replica leads. */
    async lead(): Promise<PoolClient | undefined> {
      const session = client ?? (await listen())
      if (!leader) {
        const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK])
        leader = rows[0]?.ok === true
        if (leader) log.info('outbox relay is the leader')
      }
      return leader ? session : undefined
    },
    get leader() {
      return leader
    },
    drop,
    /** Gives up the lock, then the session. */
    async close(): Promise<void> {
      if (client && leader) await client.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined)
      await drop()
    },
  }
}
