// The Kubernetes packaging, validated offline: every application chart under helm/ that no other chart
// depends on (the umbrella) builds its file:// dependencies, lints strictly and renders with each
// ci/*-values.yaml (else its defaults) and each Argo CD environment's values; kubeconform checks what it
// renders and the Argo CD manifests against local schemas only (Kubernetes and the custom resources,
// both strict); kube-score judges the workloads with deploy/kube-score.yaml.
//
// Tools and schemas come from `ensure_k8s_tools` (scripts/lib/k8s-tools.sh), which the test command
// runs. CHARTS_ROOT and ARGOCD_ROOT point the test at other charts and Argo CD manifests.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { tool } from './helpers/charts.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const CHARTS_ROOT = resolve(process.env.CHARTS_ROOT ?? join(REPO, 'helm'))
const ARGOCD_ROOT = resolve(process.env.ARGOCD_ROOT ?? join(REPO, 'deploy/argocd'))
const SCHEMAS = resolve(process.env.K8S_SCHEMAS ?? join(REPO, '.tools/k8s-schemas'))
const INSTALL = `bash -c 'source scripts/toolchain.sh && source scripts/lib/k8s-tools.sh && ensure_k8s_tools'`

interface Result {
  code: number
  stdout: string
  /** The command, then what it printed: the diagnostic of a failed assertion. */
  output: string
}

const work = mkdtempSync(join(tmpdir(), 'k8s-validate-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
// Helm keeps its repositories, cache and plugins here, never in the user's home.
const helmEnv = {
  HELM_CACHE_HOME: join(work, 'helm/cache'),
  HELM_CONFIG_HOME: join(work, 'helm/config'),
  HELM_DATA_HOME: join(work, 'helm/data'),
}

function run(command: string, args: string[]): Promise<Result> {
  return new Promise((done) => {
    const env = { ...process.env, ...helmEnv }
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0
      const output = `$ ${[command, ...args].join(' ')}\n${stdout}${stderr}${err && code === 127 ? err.message : ''}`
      done({ code, stdout, output })
    })
  })
}

/** The one Kubernetes version whose schemas ensure_k8s_tools installed (kubernetes/v1.33.0-local-strict). */
function schemaVersion(): string | undefined {
  const dir = join(SCHEMAS, 'kubernetes')
  const versions = existsSync(dir) ? readdirSync(dir).flatMap((d) => /^v(\d+\.\d+\.\d+)-local-strict$/.exec(d)?.[1] ?? []) : []
  return versions.length === 1 ? versions[0] : undefined
}

const helm = tool('helm')
const kubeconform = tool('kubeconform')
const kubeScore = tool('kube-score')
const K8S_VERSION = schemaVersion()
const missing = [
  ...(helm ? [] : ['helm']),
  ...(kubeconform ? [] : ['kubeconform']),
  ...(kubeScore ? [] : ['kube-score']),
  ...(K8S_VERSION && existsSync(join(SCHEMAS, 'crds/index.json')) ? [] : [`the Kubernetes and CRD schemas in ${SCHEMAS}`]),
]

interface Chart {
  dir: string
  name: string
  type: string
  dependencies: { name: string; repository?: string }[]
  /** Why its Chart.yaml does not parse. */
  error?: string
}

/** The charts in the folders of root, by their Chart.yaml. */
function charts(root: string): Chart[] {
  if (!existsSync(root)) return []
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'Chart.yaml')))
    .map((d) => {
      const dir = join(root, d.name)
      try {
        const meta = parseYaml(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as Partial<Chart>
        return { dir, name: meta.name ?? d.name, type: meta.type ?? 'application', dependencies: meta.dependencies ?? [] }
      } catch (err) {
        return { dir, name: d.name, type: 'unknown', dependencies: [], error: (err as Error).message }
      }
    })
}

/** The chart folder a file:// dependency names, if it is one. */
const localDependencies = (chart: Chart, dep: { repository?: string }) =>
  dep.repository?.startsWith('file://') ? [resolve(chart.dir, dep.repository.slice('file://'.length))] : []

/** Charts with dependencies, each after the charts it depends on (a subchart is packaged with its own). */
function buildOrder(all: Chart[]): Chart[] {
  const byDir = new Map(all.map((c) => [c.dir, c]))
  const order: Chart[] = []
  const seen = new Set<Chart>()
  const visit = (chart: Chart) => {
    if (seen.has(chart)) return
    seen.add(chart)
    for (const dir of chart.dependencies.flatMap((dep) => localDependencies(chart, dep))) {
      const local = byDir.get(dir)
      if (local) visit(local)
    }
    order.push(chart)
  }
  for (const chart of all) visit(chart)
  return order.filter((c) => c.dependencies.length > 0)
}

/**
 * Values files a top-level chart is rendered with, by label: its ci/*-values.yaml, else its defaults
 * (as chart-testing does: a chart whose defaults cannot install, for want of a broker or a
 * database, says so with ci/ values), and each Argo CD environment's values.
 */
function scenarios(chartDir: string): Map<string, string | undefined> {
  const yamls = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : []).sort()
  const ci = yamls(join(chartDir, 'ci')).filter((f) => /-values\.ya?ml$/.test(f))
  const found = new Map<string, string | undefined>(ci.length > 0 ? [] : [['defaults', undefined]])
  for (const f of ci) found.set(`ci/${f}`, join(chartDir, 'ci', f))
  for (const f of yamls(join(ARGOCD_ROOT, 'values'))) found.set(`argocd values/${f}`, join(ARGOCD_ROOT, 'values', f))
  return found
}

interface KubeScoreConfig {
  flags: Record<string, string>
  enable: Record<string, string>
  ignore: Record<string, string>
}

/** The installed tools, set up once: kubeconform on local schemas only, kube-score as configured. */
function checkers(helm: string, kubeconform: string, kubeScore: string, k8sVersion: string) {
  const crds = JSON.parse(readFileSync(join(SCHEMAS, 'crds/index.json'), 'utf8')) as {
    group: string
    version: string
    kind: string
  }[]
  const schemaLocations = [
    `${SCHEMAS}/kubernetes/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    `${SCHEMAS}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
  ]
  const config = parseYaml(readFileSync(join(REPO, 'deploy/kube-score.yaml'), 'utf8')) as KubeScoreConfig
  const scoreArgs = [
    ...['score', '--color', 'never', '--kubernetes-version', `v${k8sVersion.split('.').slice(0, 2).join('.')}`],
    ...Object.keys(config.flags).map((flag) => `--${flag}`),
    ...Object.keys(config.enable).flatMap((check) => ['--enable-optional-test', check]),
    ...Object.keys(config.ignore).flatMap((check) => ['--ignore-test', check]),
  ]
  return {
    helm,
    kubeScore,
    k8sVersion,
    config,
    // The target cluster runs the operators whose schemas are installed: charts that ask
    // .Capabilities.APIVersions render their custom resources, and kubeconform sees them.
    apiVersions: [...new Set(crds.flatMap((c) => [`${c.group}/${c.version}`, `${c.group}/${c.version}/${c.kind}`]))],
    conform: (files: string[]) =>
      run(kubeconform, [
        ...['-strict', '-summary', '-kubernetes-version', k8sVersion],
        ...schemaLocations.flatMap((l) => ['-schema-location', l]),
        ...files,
      ]),
    score: (file: string) => run(kubeScore, [...scoreArgs, file]),
  }
}
type Checkers = ReturnType<typeof checkers>

function testKubeScoreConfig({ kubeScore, config }: Checkers) {
  t.test(
    'deploy/kube-score.yaml names only checks kube-score knows, each with its reason, and decides every optional one',
    async (t) => {
      const list = await run(kubeScore, ['list'])
      t.equal(list.code, 0, 'kube-score list', { output: list.output })
      // id,kind,description,default|optional (the description may hold commas)
      const rows = list.stdout.split('\n').flatMap((line) => (/^[a-z0-9-]+,/.test(line) ? [line.split(',')] : []))
      const checks = new Map(rows.map((f) => [f[0] as string, f.at(-1)]))
      const help = (await run(kubeScore, ['score', '--help'])).output
      t.same(Object.keys(config).sort(), ['enable', 'flags', 'ignore'], 'its sections are flags, enable and ignore')
      for (const [section, entries] of Object.entries(config)) {
        for (const [name, why] of Object.entries(entries as Record<string, unknown>)) {
          t.ok(typeof why === 'string' && why.trim().length > 0, `${section}.${name} says why`)
          t.ok(section === 'flags' ? help.includes(`--${name} `) : checks.has(name), `${section}.${name} is known to kube-score`)
        }
      }
      for (const [check, kind] of checks) {
        if (kind === 'optional') t.ok(check in config.enable || check in config.ignore, `the optional check ${check} is decided`)
      }
    },
  )
}

function testStrictness({ conform, score }: Checkers) {
  t.test('the checks are strict: they reject a ScaledObject with an unknown field and a Deployment without limits', async (t) => {
    const file = join(work, 'broken.yaml')
    writeFileSync(file, BROKEN)
    const conformed = await conform([file])
    t.not(conformed.code, 0, 'kubeconform fails', { output: conformed.output })
    t.match(conformed.output, /ScaledObject broken is invalid.*'minReplicas' not allowed/, 'naming the ScaledObject field')
    const scored = await score(file)
    t.not(scored.code, 0, 'kube-score fails', { output: scored.output })
    t.match(scored.output, /Memory limit is not set/, 'naming the missing memory limit')
  })
}

function testCharts(c: Checkers) {
  // Built in a copy: `helm dependency build` writes charts/ and Chart.lock into each chart.
  const copy = join(work, 'charts')
  if (existsSync(CHARTS_ROOT)) cpSync(CHARTS_ROOT, copy, { recursive: true })
  const all = charts(copy)
  const dependedOn = new Set(all.flatMap((ch) => ch.dependencies.flatMap((d) => localDependencies(ch, d))))
  const topLevel = all.filter((ch) => !ch.error && ch.type !== 'library' && !dependedOn.has(ch.dir))

  t.test(`every Chart.yaml under ${CHARTS_ROOT} parses`, async (t) => {
    for (const chart of all) t.notOk(chart.error, `${relative(copy, chart.dir)}/Chart.yaml`, { error: chart.error })
  })
  t.test('every chart dependency is a file:// chart, so they build offline', async (t) => {
    for (const chart of all) {
      for (const dep of chart.dependencies) t.match(dep.repository ?? '', /^file:\/\//, `${chart.name} -> ${dep.name}`)
    }
    for (const chart of buildOrder(all)) {
      const built = await run(c.helm, ['dependency', 'build', '--skip-refresh', chart.dir])
      t.equal(built.code, 0, `helm dependency build ${chart.name}`, { output: built.output })
    }
  })
  t.test(`there is a chart to validate under ${CHARTS_ROOT}`, async (t) => {
    t.ok(topLevel.length > 0, 'an application chart that no other chart depends on', { charts: all.map((ch) => ch.name) })
  })
  for (const chart of topLevel) {
    for (const [label, values] of scenarios(chart.dir)) {
      t.test(`${chart.name} with ${label}: lints, renders, validates and scores`, (t) => testScenario(t, c, chart, label, values))
    }
  }
}

async function testScenario(t: Test, c: Checkers, chart: Chart, label: string, values: string | undefined) {
  const valuesArgs = values ? ['-f', values] : []
  // Not --with-subcharts: that lints each subchart with the umbrella's values file as its own, which
  // its strict schema rightly refuses; the umbrella's lint renders the subcharts with their share.
  const lint = await run(c.helm, ['lint', '--strict', '--kube-version', c.k8sVersion, chart.dir, ...valuesArgs])
  t.equal(lint.code, 0, 'helm lint --strict', { output: lint.output })
  const rendered = await run(c.helm, [
    ...['template', chart.name, chart.dir, '--include-crds', '--kube-version', c.k8sVersion],
    ...c.apiVersions.flatMap((v) => ['--api-versions', v]),
    ...valuesArgs,
  ])
  if (!t.equal(rendered.code, 0, 'helm template', { output: rendered.output })) return
  const manifest = join(work, `${chart.name}-${label.replace(/\W+/g, '-')}.yaml`)
  writeFileSync(manifest, rendered.stdout)
  const conformed = await c.conform([manifest])
  t.equal(conformed.code, 0, 'kubeconform -strict', { output: conformed.output })
  const scored = await c.score(manifest)
  t.equal(scored.code, 0, 'kube-score', { output: scored.output })
}

function testArgoCd({ conform }: Checkers) {
  t.test(`the Argo CD manifests in ${ARGOCD_ROOT} validate`, async (t) => {
    const files = existsSync(ARGOCD_ROOT) ? readdirSync(ARGOCD_ROOT).filter((f) => /\.ya?ml$/.test(f)) : []
    if (!t.ok(files.length > 0, 'there are manifests')) return
    const conformed = await conform(files.map((f) => join(ARGOCD_ROOT, f)))
    t.equal(conformed.code, 0, 'kubeconform -strict', { output: conformed.output })
  })
}

const BROKEN = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: broken
spec:
  scaleTargetRef:
    name: broken
  minReplicas: 2
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: "60"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: broken
  template:
    metadata:
      labels:
        app.kubernetes.io/name: broken
    spec:
      containers:
        - name: app
          image: registry.example.org/broken:1.0.0
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
`

if (missing.length > 0) {
  for (const what of missing) t.fail(`missing ${what}: install with ${INSTALL} at the repository root`)
} else {
  const c = checkers(helm as string, kubeconform as string, kubeScore as string, K8S_VERSION as string)
  testKubeScoreConfig(c)
  testStrictness(c)
  testCharts(c)
  testArgoCd(c)
}
