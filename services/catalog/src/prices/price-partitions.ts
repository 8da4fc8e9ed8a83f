import type { Logger, Metrics, Pool } from '@catalog/kit'
import { Gauge } from 'prom-client'

/*
 * The months of price_history (partitioned by changed_at, one partition per UTC month named
 * price_history_YYYY_MM): made ahead so a write always has its month, and dropped whole once past
 * the retention, a catalog replica at a time (an advisory lock), at start and every few hours.
 */

const NAME = /^price_history_(\d{4})_(\d{2})$/
/** Any number, the same in every replica: one maintenance at a time. */
const LOCK = 7_767_500_000

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1))
const nameOf = (month: Date) => `price_history_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`

/** The partitions price_history has, by month, oldest first. */
export async function pricePartitions(db: Pick<Pool, 'query'>): Promise<{ name: string; month: Date }[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'price_history'::regclass`,
  )
  return rows
    .flatMap(({ name }) => {
      const m = NAME.exec(name)
      return m ? [{ name, month: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) }] : []
    })
    .sort((a, b) => a.month.getTime() - b.month.getTime())
}

/** Makes the month partitions from `from`'s month through `to`'s that do not exist yet; answers the ones it made. */
export async function ensurePricePartitions(db: Pick<Pool, 'query'>, from: Date, to: Date): Promise<string[]> {
  const existing = new Set((await pricePartitions(db)).map((p) => p.name))
  const made: string[] = []
  for (let month = monthStart(from); month <= to; month = addMonths(month, 1)) {
    const name = nameOf(month)
    if (existing.has(name)) continue
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF price_history
         FOR VALUES FROM ('${month.toISOString()}') TO ('${addMonths(month, 1).toISOString()}')`,
    )
    made.push(name)
  }
  return made
}

/**
 * Price history at chosen instants, as the write path writes it (one row per change, versions
 * from `firstVersion` up, each with the price it replaced: the item's previous row), in months
 * made for them: the write path stamps a change with now(), tests and benches need the past.
 * A change is [instant, amount in minor units or null for a removed price, currency (EUR)].
 */
export async function writePriceHistory(
  db: Pick<Pool, 'query'>,
  tenant: string,
  itemId: string,
  changes: [string, number | null, string?][],
  firstVersion = 2,
): Promise<void> {
  const instants = changes.map(([at]) => new Date(at).getTime())
  if (instants.length > 0) await ensurePricePartitions(db, new Date(Math.min(...instants)), new Date(Math.max(...instants)))
  for (const [i, [at, amount, currency = 'EUR']] of changes.entries()) {
    await db.query(
      `INSERT INTO price_history (item_id, item_version, tenant, amount_minor, currency, changed_at, old_amount_minor, old_currency)
       SELECT $1, $2, $3, $4, $5, $6, o.amount_minor, o.currency
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (SELECT amount_minor, currency FROM price_history
                             WHERE item_id = $1 AND item_version < $2 ORDER BY item_version DESC LIMIT 1) o ON true`,
      [itemId, firstVersion + i, tenant, amount, amount === null ? null : currency, at],
    )
  }
}

/**
 * Drops the months that end at or before `before` (whole months only: a month is kept until all
 * of it is past the retention); answers the partitions dropped.
 */
export async function dropPricePartitions(db: Pick<Pool, 'query'>, before: Date): Promise<string[]> {
  const dropped: string[] = []
  for (const { name, month } of await pricePartitions(db)) {
    if (addMonths(month, 1) > before) break
    await db.query(`DROP TABLE IF EXISTS ${name}`)
    dropped.push(name)
  }
  return dropped
}

export interface PriceRetention {
  /** Months of partitions kept ready past the current one. */
  monthsAhead: number
  /** Changes older than this are dropped, a whole month at a time; 0: kept for ever. */
  retentionDays: number
}

/** One maintenance pass, under the lock (another replica's pass in progress: this one does nothing). */
export async function maintainPricePartitions(
  pool: Pool,
  policy: PriceRetention,
  now = new Date(),
): Promise<{ made: string[]; dropped: string[] } | undefined> {
  const client = await pool.connect()
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOCK])
    if (!rows[0]?.locked) return undefined
    try {
      const made = await ensurePricePartitions(client, now, addMonths(monthStart(now), policy.monthsAhead))
      const dropped =
        policy.retentionDays > 0
          ? await dropPricePartitions(client, new Date(now.getTime() - policy.retentionDays * 86_400_000))
          : []
      return { made, dropped }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK])
    }
  } finally {
    client.release()
  }
}

/**
 * Runs the maintenance at start (a failure stops the start: writes would have no month) and every
 * `everyMs` after (a failure is logged and retried at the next); exports how many months ahead of
 * the current one have their partition.
 */
export async function startPriceMaintenance(
  deps: { pool: Pool; log: Logger; metrics: Metrics },
  policy: PriceRetention,
  everyMs = 6 * 3_600_000,
): Promise<{ stop(): void }> {
  const { pool, log } = deps
  const pass = async () => {
    const started = performance.now()
    const done = await maintainPricePartitions(pool, policy)
    if (done && (done.made.length > 0 || done.dropped.length > 0))
      log.info({ ...done, ms: Math.round(performance.now() - started) }, 'price history partitions maintained')
  }
  await pass()
  let ahead = 0
  new Gauge({
    name: 'catalog_price_partitions_ahead_months',
    help: 'Months past the current one whose price_history partition exists: at 0, next month has no partition and writes of price changes will fail when it begins.',
    registers: [deps.metrics.registry],
    async collect() {
      ahead = await pricePartitions(pool).then(
        (parts) => {
          const months = new Set(parts.map((p) => p.month.getTime()))
          const current = monthStart(new Date())
          let n = 0
          while (months.has(addMonths(current, n + 1).getTime())) n++
          return n
        },
        () => ahead,
      )
      this.set(ahead)
    },
  })
  const timer = setInterval(
    () => void pass().catch((err: unknown) => log.warn({ err }, 'price history maintenance failed')),
    everyMs,
  )
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
