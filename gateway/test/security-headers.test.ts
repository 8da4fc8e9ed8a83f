import helmet from '@fastify/helmet'
import Fastify from 'fastify'
import t from 'tap'
import { SECURITY_HEADERS } from '../src/security-headers.ts'
import { startGateway } from './helpers/gateway.ts'

/** What @fastify/helmet sets with the gateway's CSP: the headers the gateway promised before it wrote them itself. */
async function helmetHeaders(): Promise<Record<string, string>> {
  const reference = Fastify()
  await reference.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  })
  reference.get('/', async () => ({}))
  const { headers } = await reference.inject({ method: 'GET', url: '/' })
  await reference.close()
  const { 'content-type': _type, 'content-length': _length, date: _date, connection: _connection, ...security } = headers
  return security as Record<string, string>
}

t.test("every answer carries helmet's security headers, exactly: a success, a 404, a 401", async (t) => {
  const expected = await helmetHeaders()
  t.same(Object.keys(SECURITY_HEADERS).sort(), Object.keys(expected).sort(), 'the same header names')
  const gw = await startGateway(t, 'localhost:1')
  const answers = {
    'a probe': await gw.app.inject({ method: 'GET', url: '/healthz' }),
    'an unknown path': await gw.app.inject({ method: 'GET', url: '/v1/nowhere' }),
    'a refused token': await gw.app.inject({
      method: 'GET',
      url: '/v1/items/00000000-0000-4000-8000-000000000000',
      headers: { authorization: 'Bearer a.b.c' },
    }),
  }
  t.same(
    Object.values(answers).map((res) => res.statusCode),
    [200, 404, 401],
  )
  for (const [what, res] of Object.entries(answers)) {
    for (const [name, value] of Object.entries(expected)) t.equal(res.headers[name], value, `${what}: ${name}`)
  }
})
