// The search service on OpenSearch: its NetworkPolicy lets it reach the cluster (the opensearch
// target of global.networkPolicy.egress) only when config.SEARCH_ENGINE says so.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Doc } from './helpers/charts.ts'
import { builtUmbrella, find, template, tool } from './helpers/charts.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const RELEASE = 'catalog'
const DEV = join(REPO, 'helm/catalog-platform/ci/dev-values.yaml')

const helm = tool('helm')
let umbrella = ''
const egressPorts = async (args: string[]) => {
  const { docs, error } = await template(helm as string, umbrella, RELEASE, ['-f', DEV, ...args])
  const policy = find(docs, 'NetworkPolicy', `${RELEASE}-search`)
  return { error, ports: ((policy?.spec.egress ?? []) as Doc[]).flatMap((rule) => (rule.ports as Doc[]).map((p) => p.port)) }
}

if (!helm) {
  t.fail('helm is not installed: the test command installs it (scripts/lib/k8s-tools.sh)')
} else {
  t.before(async () => {
    umbrella = await builtUmbrella(t, helm)
  })

  t.test('search on OpenSearch may reach the cluster; on PostgreSQL it may not', async (t) => {
    const onPostgres = await egressPorts([])
    if (!t.notOk(onPostgres.error, 'renders on PostgreSQL')) return
    t.notOk(onPostgres.ports.includes(9200), 'no egress to OpenSearch')
    const onOpenSearch = await egressPorts([
      ...['--set', 'search.config.SEARCH_ENGINE=opensearch'],
      ...['--set', 'search.config.OPENSEARCH_URL=https://opensearch.search.svc:9200'],
    ])
    if (!t.notOk(onOpenSearch.error, 'renders on OpenSearch')) return
    t.ok(onOpenSearch.ports.includes(9200), 'egress to the OpenSearch port')
    t.same(
      onOpenSearch.ports.filter((p) => !onPostgres.ports.includes(p)),
      [9200],
      'and nothing else beside what it had',
    )
  })
}
