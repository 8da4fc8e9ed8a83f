import t from 'tap'
import { events, jsonToStruct, loadCatalog, rpcStatus, structToJson } from '../src/index.ts'

t.test('an ItemUpserted survives the wire with int64 versions and nested attributes intact', async (t) => {
  const attributes = { platform: ['pc', 'mac'], rating: 4.5, meta: { sealed: true, note: null } }
  const bytes = events.itemUpserted.encode({
    item: {
      id: '0b7f2a4e-1c43-4c55-9b1a-9b8e0e7c0c11',
      version: '9007199254740993',
      attributes: jsonToStruct(attributes),
      price: { amount_minor: '9223372036854775807', currency: 'EUR' },
    },
  })
  const decoded = events.itemUpserted.decode(bytes)
  t.equal(decoded.item?.version, '9007199254740993')
  t.equal(decoded.item?.price?.amount_minor, '9223372036854775807')
  t.same(structToJson(decoded.item?.attributes), attributes)
  t.equal(decoded.item?.published_at, null, 'an unset message field decodes as null, as the gRPC loader does')
})

t.test('a google.rpc.Status carries a BadRequest naming the field', async (t) => {
  const detail = rpcStatus.badRequest.encode({ field_violations: [{ field: 'title', description: 'too long' }] })
  const bytes = rpcStatus.status.encode({
    code: 3,
    message: 'bad',
    details: [{ type_url: rpcStatus.BAD_REQUEST_TYPE_URL, value: detail }],
  })
  const status = rpcStatus.status.decode(bytes)
  const first = status.details[0]
  t.ok(first)
  t.equal(first?.type_url, rpcStatus.BAD_REQUEST_TYPE_URL)
  t.same(rpcStatus.badRequest.decode(first?.value ?? Buffer.alloc(0)).field_violations[0]?.field, 'title')
})

t.test('the catalog service definition loads with every method of the contract', async (t) => {
  const { grpc } = loadCatalog()
  const methods = Object.keys(grpc.catalog.v1.CatalogService.service).sort()
  t.same(methods, [
    'BatchGetItems',
    'CreateItem',
    'DeleteItem',
    'GetItem',
    'ListPriceChanges',
    'ListPriceHistory',
    'RepublishItems',
    'SummarizePriceHistory',
    'UpdateItem',
    'UpsertItem',
  ])
})
