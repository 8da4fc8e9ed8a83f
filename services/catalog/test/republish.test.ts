import { fieldViolationsOf } from '@catalog/kit'
import t from 'tap'
import { REPUBLISH } from '../src/items/item-changes.ts'
import { countRows, fields, startCatalog } from './helpers/catalog.ts'

t.test('RepublishItems publishes every live item of the tenant again, page by page, and changes nothing', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const ids: string[] = []
  for (let i = 0; i < 7; i++) {
    const { item } = await cat.client.call('CreateItem', { source: 'shop', external_id: `sku-${i}`, fields: fields() }, acme)
    ids.push(item?.id ?? '')
  }
  await cat.client.call('DeleteItem', { id: ids[3] ?? '' }, acme)
  await cat.client.call('CreateItem', { source: 'shop', external_id: 'theirs', fields: fields() }, cat.as('other'))
  await cat.pool.query('DELETE FROM outbox_events')

  const pages: number[] = []
  let after = ''
  do {
    const page = await cat.client.call('RepublishItems', { after_id: after, limit: 3 }, acme)
    pages.push(page.published)
    after = page.next_after_id
  } while (after)
  t.same(pages, [3, 3, 0], 'pages of the limit; the last full page is followed by an empty one')

  const { rows } = await cat.pool.query<{ key: string; type: string; tenant: string; headers: object; version: string }>(
    "SELECT key, type, tenant, headers, data->>'version' AS version FROM outbox_events ORDER BY id",
  )
  const live = ids.filter((_, i) => i !== 3).sort()
  t.same(
    rows.map((r) => r.key),
    live,
    'one event per live item, in id order: not the deleted one, not another tenant’s',
  )
  t.ok(
    rows.every((r) => r.type === 'item.upserted' && r.tenant === 'acme' && r.version === '1'),
    'item.upserted at the version the item holds',
  )
  t.same(rows[0]?.headers, { republished: 'true' }, 'marked, so readers apply it at the version they hold')
  t.equal(await countRows(cat.pool, 'price_history'), 8, 'no price row')
  const { item } = await cat.client.call('GetItem', { id: ids[0] ?? '' }, acme)
  t.equal(item?.version, '1', 'the item is unchanged')

  const fieldOf = async (req: { after_id?: string; limit?: number }) =>
    fieldViolationsOf(await cat.client.call('RepublishItems', req, acme).catch((e) => e)).map((v) => v.field)
  t.same(await fieldOf({ after_id: 'nope' }), ['after_id'])
  t.same(await fieldOf({ limit: 10_001 }), ['limit'])
})

t.test('a page of RepublishItems reads only its tenant’s live items, by index, however many others hold', async (t) => {
  const cat = await startCatalog(t)
  await cat.pool.query(
    `INSERT INTO items (id, tenant, source, external_id, title)
     SELECT gen_random_uuid(), CASE WHEN n % 10 = 0 THEN 'acme' ELSE 'others-' || (n % 7) END, 'shop', 'sku-' || n, 'x'
       FROM generate_series(1, 50000) AS n`,
  )
  await cat.pool.query('ANALYZE items')
  const { rows } = await cat.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${REPUBLISH}`, [
    'acme',
    '00000000-0000-0000-0000-000000000000',
    100,
  ])
  const scans = nodes(rows[0]?.['QUERY PLAN']).filter((n) => n['Relation Name'] === 'items')
  t.same(
    scans.map((n) => [n['Node Type'], n['Index Name']]),
    [['Index Scan', 'items_tenant_live_id']],
    'one range scan of the tenant’s live ids, in order: no walk of every item, no sort',
    { scans },
  )
  t.match(scans[0]?.['Index Cond'], /tenant = .*id > /, 'tenant and the keyset bound are both index conditions')
})

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] }

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function nodes(plan: unknown): PlanNode[] {
  const out: PlanNode[] = []
  const stack = ((plan as { Plan: PlanNode }[] | undefined) ?? []).map((p) => p.Plan)
  for (let node = stack.pop(); node; node = stack.pop()) {
    out.push(node)
    stack.push(...(node.Plans ?? []))
  }
  return out
}
