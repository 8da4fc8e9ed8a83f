import { fieldViolationsOf } from '@catalog/kit'
import { structToJson } from '@catalog/proto'
import { status } from '@grpc/grpc-js'
import t from 'tap'
import { countRows, fields, startCatalog } from './helpers/catalog.ts'

t.test('items: create, read, upsert, update, delete', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')

  await t.test('a created item comes back whole, tags normalised, at version 1', async (t) => {
    const { item } = await cat.client.call(
      'CreateItem',
      { source: 'steam', external_id: '220', fields: fields({ tags: [' fps', 'classic', 'fps '] }) },
      acme,
    )
    t.equal(item?.version, '1')
    t.equal(item?.tenant, 'acme')
    t.same(item?.tags, ['classic', 'fps'])
    t.same(structToJson(item?.attributes), { platform: 'pc' })
    t.same(item?.price, { amount_minor: '999', currency: 'EUR' })
    const got = await cat.client.call('GetItem', { id: item?.id ?? '' }, acme)
    t.same(got.item, item)
  })

  await t.test('a second create of the same natural key is ALREADY_EXISTS', async (t) => {
    await t.rejects(cat.client.call('CreateItem', { source: 'steam', external_id: '220', fields: fields() }, acme), {
      code: status.ALREADY_EXISTS,
    })
  })

  await t.test('an upsert that changes nothing keeps the version and writes no event', async (t) => {
    const first = await cat.client.call(
      'UpsertItem',
      { source: 'steam', external_id: '400', fields: fields({ title: 'Portal' }) },
      acme,
    )
    t.equal(first.created, true)
    const outbox = await countRows(cat.pool, 'outbox_events')
    const again = await cat.client.call(
      'UpsertItem',
      { source: 'steam', external_id: '400', fields: fields({ title: 'Portal', tags: ['fps', 'classic'] }) },
      acme,
    )
    t.equal(again.created, false)
    t.equal(again.changed, false)
    t.equal(again.item?.version, '1')
    t.equal(await countRows(cat.pool, 'outbox_events'), outbox, 'no outbox row for a no-op')
    const changed = await cat.client.call(
      'UpsertItem',
      { source: 'steam', external_id: '400', fields: fields({ title: 'Portal: Still Alive' }) },
      acme,
    )
    t.equal(changed.changed, true)
    t.equal(changed.item?.version, '2')
    t.equal(changed.item?.id, first.item?.id)
  })

  await t.test('an update applies only the masked fields and checks the expected version', async (t) => {
    const { item } = await cat.client.call('CreateItem', { source: 'gog', external_id: 'witcher3', fields: fields() }, acme)
    const id = item?.id ?? ''
    const updated = await cat.client.call(
      'UpdateItem',
      {
        id,
        fields: { title: 'The Witcher 3', description: 'ignored' },
        update_mask: { paths: ['title'] },
        expected_version: '1',
      },
      acme,
    )
    t.equal(updated.changed, true)
    t.equal(updated.item?.title, 'The Witcher 3')
    t.equal(updated.item?.description, item?.description, 'fields outside the mask keep their value')
    t.equal(updated.item?.version, '2')

    await t.rejects(
      cat.client.call(
        'UpdateItem',
        { id, fields: { title: 'Stale' }, update_mask: { paths: ['title'] }, expected_version: '1' },
        acme,
      ),
      { code: status.ABORTED },
      'a stale expected_version fails with ABORTED',
    )
    const noop = await cat.client.call(
      'UpdateItem',
      { id, fields: { title: 'The Witcher 3' }, update_mask: { paths: ['title'] } },
      acme,
    )
    t.equal(noop.changed, false)
    t.equal(noop.item?.version, '2')
    const { item: after } = await cat.client.call('GetItem', { id }, acme)
    t.equal(after?.title, 'The Witcher 3', 'the stale write left nothing behind')
  })

  await t.test('a deleted item is gone; its natural key brings it back with a higher version', async (t) => {
    const { item } = await cat.client.call('CreateItem', { source: 'itch', external_id: 'celeste', fields: fields() }, acme)
    const id = item?.id ?? ''
    await t.rejects(cat.client.call('DeleteItem', { id, expected_version: '7' }, acme), { code: status.ABORTED })
    const { version } = await cat.client.call('DeleteItem', { id, expected_version: '1' }, acme)
    t.equal(version, '2')
    await t.rejects(cat.client.call('GetItem', { id }, acme), { code: status.NOT_FOUND })
    await t.rejects(cat.client.call('DeleteItem', { id }, acme), { code: status.NOT_FOUND })
    await t.rejects(cat.client.call('UpdateItem', { id, fields: fields() }, acme), { code: status.NOT_FOUND })
    const back = await cat.client.call('UpsertItem', { source: 'itch', external_id: 'celeste', fields: fields() }, acme)
    t.equal(back.item?.id, id)
    t.equal(back.item?.version, '3')
    t.equal(back.created, true)
  })

  await t.test('a batch get returns the live items in order and names the missing ids', async (t) => {
    const a = await cat.client.call('CreateItem', { source: 'b', external_id: '1', fields: fields() }, acme)
    const b = await cat.client.call('CreateItem', { source: 'b', external_id: '2', fields: fields() }, acme)
    const missing = '00000000-0000-4000-8000-000000000000'
    const res = await cat.client.call('BatchGetItems', { ids: [b.item?.id ?? '', missing, a.item?.id ?? ''] }, acme)
    t.same(
      res.items.map((i) => i.external_id),
      ['2', '1'],
    )
    t.same(res.missing_ids, [missing])
  })
})

t.test('bad input is INVALID_ARGUMENT naming the field, and writes nothing', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const deep = (n: number): object => (n === 0 ? { stringValue: 'x' } : { structValue: { fields: { a: deep(n - 1) } } })
  const cases: [string, Record<string, unknown>, string][] = [
    ['an empty title', { title: '  ' }, 'fields.title'],
    ['a title over 500 characters', { title: 'x'.repeat(501) }, 'fields.title'],
    ['a description over 20,000 characters', { description: 'x'.repeat(20_001) }, 'fields.description'],
    ['more than 50 tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'fields.tags'],
    ['attributes over 16 KiB', { attributes: { fields: { blob: { stringValue: 'x'.repeat(17_000) } } } }, 'fields.attributes'],
    ['attributes nested past the limit', { attributes: { fields: { a: deep(40) } } }, 'fields.attributes'],
    ['an unknown currency', { price: { amount_minor: '100', currency: 'XYZ' } }, 'fields.price.currency'],
    ['a lower-case currency', { price: { amount_minor: '100', currency: 'eur' } }, 'fields.price.currency'],
    ['a negative amount', { price: { amount_minor: '-1', currency: 'EUR' } }, 'fields.price.amount_minor'],
    ['a NUL in the title', { title: 'a\u0000b' }, 'fields.title'],
    ['a date past the year 9999', { published_at: { seconds: '999999999999', nanos: 0 } }, 'fields.published_at'],
  ]
  for (const [name, over, field] of cases) {
    const err = await cat.client
      .call('CreateItem', { source: 's', external_id: name, fields: fields(over) }, acme)
      .catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT, name)
    t.ok(
      fieldViolationsOf(err).some((v) => v.field === field),
      `${name} names ${field}`,
    )
  }
  const keyCases: [string, Record<string, unknown>, string][] = [
    ['an empty source', { source: '', external_id: 'x' }, 'source'],
    ['an empty external_id', { source: 's', external_id: '' }, 'external_id'],
  ]
  for (const [name, req, field] of keyCases) {
    const err = await cat.client.call('CreateItem', { ...req, fields: fields() }, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT, name)
    t.same(
      fieldViolationsOf(err).map((v) => v.field),
      [field],
    )
  }
  for (const method of ['GetItem', 'DeleteItem'] as const) {
    const err = await cat.client.call(method, { id: 'not-a-uuid' }, acme).catch((e) => e)
    t.equal(err.code, status.INVALID_ARGUMENT, `${method} with an invalid UUID`)
    t.same(
      fieldViolationsOf(err).map((v) => v.field),
      ['id'],
    )
  }
  const tooMany = await cat.client
    .call('BatchGetItems', { ids: Array.from({ length: 101 }, () => '00000000-0000-4000-8000-000000000000') }, acme)
    .catch((e) => e)
  t.equal(tooMany.code, status.INVALID_ARGUMENT)
  const mask = await cat.client
    .call('UpdateItem', { id: '00000000-0000-4000-8000-000000000000', update_mask: { paths: ['tenant'] } }, acme)
    .catch((e) => e)
  t.same(
    fieldViolationsOf(mask).map((v) => v.field),
    ['update_mask'],
  )
  t.equal(await countRows(cat.pool, 'items'), 0, 'no item was written')
  t.equal(await countRows(cat.pool, 'outbox_events'), 0, 'no event was written')
})

t.test('concurrent patches of different fields all land: none writes back a stale copy of the others', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const { item } = await cat.client.call('CreateItem', { source: 's', external_id: 'patched', fields: fields() }, acme)
  const id = item?.id ?? ''
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => [
      cat.client.call('UpdateItem', { id, fields: { title: `Title ${i}` }, update_mask: { paths: ['title'] } }, acme),
      cat.client.call('UpdateItem', { id, fields: { description: `Text ${i}` }, update_mask: { paths: ['description'] } }, acme),
      cat.client.call('UpdateItem', { id, fields: { tags: [`t${i}`] }, update_mask: { paths: ['tags'] } }, acme),
    ]).flat(),
  )
  const { item: after } = await cat.client.call('GetItem', { id }, acme)
  t.match(after?.title, /^Title \d$/)
  t.match(after?.description, /^Text \d$/)
  t.match(after?.tags[0], /^t\d$/)
  t.equal(after?.version, '31', 'thirty changes, thirty versions')
  t.same(after?.price, { amount_minor: '999', currency: 'EUR' }, 'the unpatched price is untouched')
})

t.test('a deleted item is revived by a create or an upsert of its key, with its id and the next version', async (t) => {
  const cat = await startCatalog(t)
  const acme = cat.as('acme')
  const { item } = await cat.client.call('CreateItem', { source: 's', external_id: 'phoenix', fields: fields() }, acme)
  const id = item?.id ?? ''
  await cat.client.call('DeleteItem', { id }, acme)
  const revived = await cat.client.call('CreateItem', { source: 's', external_id: 'phoenix', fields: fields() }, acme)
  t.same([revived.item?.id, revived.item?.version], [id, '3'])
  await cat.client.call('DeleteItem', { id, expected_version: '3' }, acme)
  const upserted = await cat.client.call('UpsertItem', { source: 's', external_id: 'phoenix', fields: fields() }, acme)
  t.same([upserted.item?.id, upserted.item?.version, upserted.created, upserted.changed], [id, '5', true, true])
  await t.rejects(cat.client.call('DeleteItem', { id, expected_version: '4' }, acme), { code: status.ABORTED })
  const prices = await cat.pool.query('SELECT item_version FROM price_history WHERE item_id = $1 ORDER BY item_version', [id])
  t.same(
    prices.rows.map((r) => r.item_version),
    ['1'],
    'the price never moved: one history row',
  )
})
