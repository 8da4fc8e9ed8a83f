import { fieldViolationsOf } from '@catalog/kit'
import t from 'tap'
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
