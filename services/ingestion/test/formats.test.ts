import { gzipSync } from 'node:zlib'
import t from 'tap'
import type { InputShape } from '../src/formats/read-records.ts'
import { readRecords, shapeOf } from '../src/formats/read-records.ts'
import type { DecodedRecord } from '../src/formats/record-decoder.ts'

async function* from(...chunks: (string | Buffer)[]) {
  for (const c of chunks) yield Buffer.from(c)
}

async function read(shape: InputShape, ...chunks: (string | Buffer)[]): Promise<{ records: DecodedRecord[]; thrown?: string }> {
  const records: DecodedRecord[] = []
  try {
    for await (const r of readRecords(from(...chunks), shape, { maxDecompressedBytes: 1_000_000 })) records.push(r)
  } catch (err) {
    return { records, thrown: (err as Error).message }
  }
  return { records }
}
const brief = (rs: DecodedRecord[]) => rs.map((r) => (r.error ? [r.position, r.error.reason] : [r.position, r.value]))

t.test('NDJSON: lines across chunks, blank and CRLF lines, bad JSON, invalid UTF-8 and overlong lines are records', async (t) => {
  const { records } = await read(
    { format: 'ndjson', gzip: false },
    '{"a":1}\n\n{"b"',
    ':2}\r\n[1]\nnot json\n',
    Buffer.from([0xff, 0x0a]),
    `${'x'.repeat(1_100_000)}\n{"c":3}`,
  )
  t.same(brief(records), [
    [1, { a: 1 }],
    [3, { b: 2 }],
    [4, 'must be a JSON object'],
    [5, 'not valid JSON: Unexpected token \'o\', "not json" is not valid JSON'],
    [6, 'not valid UTF-8'],
    [7, 'line longer than 1048576 bytes'],
    [8, { c: 3 }],
  ])
})

t.test('NDJSON: a line nested past the depth limit is a record error, checked before parsing', async (t) => {
  const { records } = await read(
    { format: 'ndjson', gzip: false },
    `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n{"ok":1}\n`,
  )
  t.same(brief(records), [
    [1, 'nested deeper than 32 levels'],
    [2, { ok: 1 }],
  ])
})

t.test('JSON array: elements cut by structure, with strings holding brackets; bombs and cuts are caught', async (t) => {
  const ok = await read({ format: 'json', gzip: false }, '\ufeff[ {"a":"x,]}\\""}', ' , {"b":[1,2', ']}, 3 ]  ')
  t.same(brief(ok.records), [
    [1, { a: 'x,]}"' }],
    [2, { b: [1, 2] }],
    [3, 'must be a JSON object'],
  ])
  const deep = await read({ format: 'json', gzip: false }, `[${'['.repeat(100_000)}${']'.repeat(100_000)},{"ok":1}]`)
  t.same(brief(deep.records), [
    [1, 'element nested deeper than 32 levels'],
    [2, { ok: 1 }],
  ])
  t.equal((await read({ format: 'json', gzip: false }, '[{"a":1},')).thrown, 'the JSON array is cut short')
  t.equal((await read({ format: 'json', gzip: false }, '{"a":1}')).thrown, 'the input must be a JSON array of items')
  t.equal((await read({ format: 'json', gzip: false }, '[1] x')).thrown, 'content after the end of the JSON array')
  t.same((await read({ format: 'json', gzip: false }, '')).records, [], 'an empty input has no records')
})

t.test('CSV: header mapping, quoted newlines, malformed and overlong rows as records, unknown columns refused', async (t) => {
  const { records } = await read(
    { format: 'csv', gzip: false },
    'external_id,title,tags,price_amount_minor,price_currency,attributes.color\n1,Hello,a|b,100,EUR,red\n2,"multi\nline",,,,\n3,bad"quote,x\n',
    `4,${'y'.repeat(1_100_000)},,,,\n5,ok,,,,\n`,
  )
  // Refused rows may come a little out of line order (the guard runs ahead of the parser).
  t.same(brief(records.sort((a, b) => a.position - b.position)), [
    [
      2,
      {
        external_id: '1',
        title: 'Hello',
        tags: ['a', 'b'],
        price: { amount_minor: '100', currency: 'EUR' },
        attributes: { color: 'red' },
      },
    ],
    [4, { external_id: '2', title: 'multi\nline', tags: [] }],
    [5, 'malformed CSV row: Invalid Opening Quote: a quote is found on field "title" at line 5, value is "bad"'],
    [6, 'record longer than 1048576 bytes'],
    [7, { external_id: '5', title: 'ok', tags: [] }],
  ])
  t.equal((await read({ format: 'csv', gzip: false }, 'external_id,title,colour\n1,a,b\n')).thrown, 'unknown CSV column "colour"')
})

t.test('gzip: read through, a truncated stream and a bomb end the input with a clear error', async (t) => {
  const gz = gzipSync('{"a":1}\n{"b":2}\n')
  t.equal((await read({ format: 'ndjson', gzip: true }, gz)).records.length, 2)
  t.match((await read({ format: 'ndjson', gzip: true }, gz.subarray(0, gz.length - 10))).thrown, /cut short or corrupt/)
  t.equal(
    (await read({ format: 'ndjson', gzip: true }, gzipSync(Buffer.alloc(5_000_000, 0x0a)))).thrown,
    'the gzip input expands past 1000000 bytes',
  )
})

t.test('formats are known by extension and content type', async (t) => {
  t.same(shapeOf('a/b.JSONL.gz'), { format: 'ndjson', gzip: true })
  t.same(shapeOf('x.csv'), { format: 'csv', gzip: false })
  t.same(shapeOf('blob', 'application/x-ndjson', 'gzip'), { format: 'ndjson', gzip: true })
  t.equal(shapeOf('x.xml'), undefined)
})
