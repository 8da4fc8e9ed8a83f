// The gateway behind an Ingress or an HTTPRoute: every request then arrives from a proxy's
// address, and the per-IP rate limits see the client only when TRUST_PROXY_CIDRS names the
// proxies. The chart refuses a route in without it (unless rateLimit.keyByProxyAddress accepts one
// budget for all), and a range the gateway itself would refuse at start.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { builtUmbrella, find, template, tool } from './helpers/charts.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const RELEASE = 'catalog'
const DEV = join(REPO, 'helm/catalog-platform/ci/dev-values.yaml')
const INGRESS = ['--set', 'gateway.ingress.enabled=true', '--set', 'gateway.ingress.hosts[0]=catalog.example.com']
const HTTP_ROUTE = ['--set', 'gateway.httpRoute.enabled=true', '--set', 'gateway.httpRoute.parentRefs[0].name=public']
const proxies = (cidrs: string) => ['--set-string', `gateway.config.TRUST_PROXY_CIDRS=${cidrs.replaceAll(',', '\\,')}`]

/** The widest proxy range the gateway accepts at start (gateway/src/config.ts). */
function widestPrefix(): number {
  const source = readFileSync(join(REPO, 'gateway/src/config.ts'), 'utf8')
  return Number(/const WIDEST_PROXY_PREFIX = (\d+)/.exec(source)?.[1])
}

const helm = tool('helm')
let umbrella = ''
const render = (args: string[]) => template(helm as string, umbrella, RELEASE, ['-f', DEV, ...args])
const trustedProxies = async (args: string[]) => {
  const { docs, error } = await render(args)
  return { error, cidrs: find(docs, 'ConfigMap', `${RELEASE}-gateway`)?.data?.TRUST_PROXY_CIDRS as string | undefined }
}

if (!helm) {
  t.fail('helm is not installed: the test command installs it (scripts/lib/k8s-tools.sh)')
} else {
  t.before(async () => {
    umbrella = await builtUmbrella(t, helm)
  })

  t.test('behind an Ingress or an HTTPRoute, an empty TRUST_PROXY_CIDRS is refused, naming what to set', async (t) => {
    for (const [what, route] of [
      ['Ingress', INGRESS],
      ['HTTPRoute', HTTP_ROUTE],
    ] as const) {
      const { error } = await render(route)
      t.match(
        error ?? 'rendered',
        /config\.TRUST_PROXY_CIDRS is empty behind an Ingress or HTTPRoute.*set it to the addresses or ranges of the ingress controller's .*or set rateLimit\.keyByProxyAddress: true/,
        what,
      )
    }
  })

  t.test('the proxies named, or one budget for all accepted, the gateway renders behind a route', async (t) => {
    const named = await trustedProxies([...INGRESS, ...HTTP_ROUTE, ...proxies('10.0.12.0/28,fd00:12::/64')])
    t.notOk(named.error, 'renders with TRUST_PROXY_CIDRS')
    t.equal(named.cidrs, '10.0.12.0/28,fd00:12::/64', 'the gateway reads the proxies from its ConfigMap')
    const accepted = await trustedProxies([...INGRESS, '--set', 'gateway.rateLimit.keyByProxyAddress=true'])
    t.notOk(accepted.error, 'renders with rateLimit.keyByProxyAddress')
    t.equal(accepted.cidrs, '', 'the socket address is the client')
  })

  t.test('without a route in, no proxies are needed', async (t) => {
    const { error, cidrs } = await trustedProxies([])
    t.notOk(error, 'renders')
    t.equal(cidrs, '')
  })

  t.test('a proxy range wider than the gateway accepts is refused before it rolls', async (t) => {
    const prefix = widestPrefix()
    t.ok(prefix > 0, 'the gateway states its bound')
    const widest = await trustedProxies([...INGRESS, ...proxies(`10.1.2.3,10.0.0.0/${prefix}`)])
    t.notOk(widest.error, `/${prefix} renders`)
    const wider = await trustedProxies([...INGRESS, ...proxies(`10.1.2.3,10.0.0.0/${prefix - 1}`)])
    t.match(
      wider.error ?? 'rendered',
      `config.TRUST_PROXY_CIDRS: 10.0.0.0/${prefix - 1} is wider than /${prefix}`,
      `/${prefix - 1}`,
    )
  })
}
