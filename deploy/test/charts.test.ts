// What the charts promise, asserted on what they render for every environment: pods that run as
// non-root with limits, NetworkPolicies that admit only each service's named callers (the same
// identities its mTLS policy accepts), KEDA never scaling consumers past their topic's partitions,
// pinned images, probes where the services answer them, and only settings the services read.
// The values schemas are checked to be what deploy/scripts/chart-schemas.ts writes, and to refuse.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PLATFORM_TOPICS } from '@catalog/kit'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { chartSchemas, render as renderSchema, schemaFile } from '../scripts/chart-schemas.ts'
import type { Doc } from './helpers/charts.ts'
import { builtUmbrella, envOf, find, pods, template, tool } from './helpers/charts.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const RELEASE = 'catalog'
const SERVICES = { catalog: 'services/catalog', search: 'services/search', ingestion: 'services/ingestion', gateway: 'gateway' }
type Component = keyof typeof SERVICES
const GRPC: Component[] = ['catalog', 'search', 'ingestion']
/** What each service's NetworkPolicy and mTLS policy admit: the platform's call graph (DESIGN.md). */
const CALLERS: Record<string, string[]> = { catalog: ['gateway'], search: ['gateway'], ingestion: ['gateway'] }
/** Variables read by Node, the AWS SDK or the tracing start (services/kit/src/telemetry/telemetry.ts), not the services' config. */
const RUNTIME_ENV = new Set([
  'NODE_OPTIONS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'SERVICE_VERSION',
  'K8S_POD_NAME',
  'K8S_NAMESPACE_NAME',
])
const runtimeEnv = (name: string) => RUNTIME_ENV.has(name) || name.startsWith('OTEL_')

const helm = tool('helm')

/** The variables a component's config declares: its config.ts and the kit's shared fragments. */
function declaredEnv(component: Component): Set<string> {
  const names = new Set<string>()
  for (const file of [`${SERVICES[component]}/src/config.ts`, 'services/kit/src/runtime/config.ts']) {
    for (const m of readFileSync(join(REPO, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)) names.add(m[1] as string)
  }
  return names
}

let umbrella = ''
const render = (args: string[]) => template(helm as string, umbrella, RELEASE, args)

/** The environments whose pods must reach Kafka as SCRAM users over TLS (dev's cluster is plain). */
const KAFKA_SECURED = new Set(['deploy/argocd/values/staging.yaml', 'deploy/argocd/values/prod.yaml'])

const scenarios = [
  ...readdirSync(join(REPO, 'helm/catalog-platform/ci')).map((f) => join(REPO, 'helm/catalog-platform/ci', f)),
  ...readdirSync(join(REPO, 'deploy/argocd/values')).map((f) => join(REPO, 'deploy/argocd/values', f)),
]

t.test('every values.schema.json is what deploy/scripts/chart-schemas.ts writes', async (t) => {
  for (const [chart, schema] of Object.entries(chartSchemas())) {
    const file = schemaFile(chart)
    t.equal(
      existsSync(file) ? readFileSync(file, 'utf8') : '',
      renderSchema(schema),
      `${chart}: run node deploy/scripts/chart-schemas.ts`,
    )
  }
})

t.test('the umbrella chart lists the topics the services create, with their partitions and retention', async (t) => {
  const values = parseYaml(readFileSync(join(REPO, 'helm/catalog-platform/values.yaml'), 'utf8')) as Doc
  t.same(
    values.global.kafka.topics,
    Object.fromEntries(PLATFORM_TOPICS.map((s) => [s.topic, { partitions: s.partitions, retentionMs: s.retentionMs }])),
  )
})

if (!helm) {
  t.fail('helm is not installed: the test command installs it (scripts/lib/k8s-tools.sh)')
} else {
  t.before(async () => {
    umbrella = await builtUmbrella(t, helm)
  })

  for (const values of scenarios) {
    const label = values.slice(REPO.length)
    t.test(`${label}: what the charts promise`, async (t) => {
      const { docs, error } = await render(['-f', values])
      if (!t.notOk(error, 'renders')) return
      const rendered = pods(docs)
      t.ok(rendered.length >= 4, 'a pod for every component')

      for (const { owner, spec } of rendered) {
        t.equal(spec.securityContext?.runAsNonRoot, true, `${owner}: pod runAsNonRoot`)
        t.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${owner}: seccomp RuntimeDefault`)
        t.equal(spec.automountServiceAccountToken, false, `${owner}: no API token`)
        for (const c of spec.containers as Doc[]) {
          const sc = c.securityContext ?? {}
          t.ok(sc.runAsNonRoot === true && sc.runAsUser > 0, `${owner}/${c.name}: non-root`)
          t.equal(sc.allowPrivilegeEscalation, false, `${owner}/${c.name}: no privilege escalation`)
          t.equal(sc.readOnlyRootFilesystem, true, `${owner}/${c.name}: read-only root`)
          t.same(sc.capabilities?.drop, ['ALL'], `${owner}/${c.name}: drops all capabilities`)
          t.ok(c.resources?.limits?.memory, `${owner}/${c.name}: a memory limit`)
          t.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${owner}/${c.name}: cpu and memory requests`)
          t.match(c.image, /(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, `${owner}/${c.name}: a pinned image`)
          t.notMatch(c.image, /:latest$/, `${owner}/${c.name}: not latest`)
        }
      }

      const secured = KAFKA_SECURED.has(label)
      const kafkaPods = rendered.filter(({ spec }) => (spec.containers as Doc[]).some((c) => envOf(c).has('KAFKA_BROKERS')))
      if (secured) t.ok(kafkaPods.length >= 3, 'the services talk to Kafka')
      for (const { owner, spec } of kafkaPods) {
        const env = envOf(spec.containers[0])
        t.notOk(env.get('KAFKA_SASL_PASSWORD')?.value, `${owner}: no Kafka password inline`)
        if (!secured) continue
        t.match(env.get('KAFKA_SASL_MECHANISM')?.value, /^SCRAM-SHA-(256|512)$/, `${owner}: authenticates to Kafka with SCRAM`)
        t.ok(env.get('KAFKA_SASL_USERNAME')?.value, `${owner}: as its own Kafka user`)
        t.ok(env.get('KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef?.name, `${owner}: its Kafka password from a Secret`)
        t.equal(env.get('KAFKA_TLS')?.value, 'true', `${owner}: reaches Kafka over TLS`)
        t.ok(env.get('KAFKA_TLS_CA_FILE')?.value, `${owner}: verifying the brokers against their CA`)
      }
      if (docs.some((d) => d.kind === 'Ingress' || d.kind === 'HTTPRoute'))
        t.ok(
          find(docs, 'ConfigMap', `${RELEASE}-gateway`)?.data?.TRUST_PROXY_CIDRS,
          'behind an Ingress or HTTPRoute the gateway names the proxies it takes the client address from',
        )

      for (const component of Object.keys(SERVICES) as Component[]) {
        const name = `${RELEASE}-${component}`
        const deployment = find(docs, 'Deployment', name)
        if (!deployment) {
          t.fail(`${name}: a Deployment`)
          continue
        }
        const container = deployment.spec.template.spec.containers[0] as Doc
        const env = envOf(container)
        const declared = declaredEnv(component)
        for (const variable of env.keys())
          t.ok(declared.has(variable) || runtimeEnv(variable), `${name}: ${variable} is a setting ${component} reads`)
        const configMap = find(docs, 'ConfigMap', name)
        for (const variable of Object.keys(configMap?.data ?? {}))
          t.ok(
            declared.has(variable) || RUNTIME_ENV.has(variable),
            `${name}: ConfigMap ${variable} is a setting ${component} reads`,
          )

        const certificate = find(docs, 'Certificate', name)
        t.same(certificate?.spec.uris, [`spiffe://catalog.platform/${component}`], `${name}: its workload identity`)
        t.equal(certificate?.spec.issuerRef.name, `${RELEASE}-ca`, `${name}: signed by the platform CA`)

        const policy = find(docs, 'NetworkPolicy', name)
        if (!policy) {
          t.fail(`${name}: a NetworkPolicy`)
          continue
        }
        t.same(policy.spec.policyTypes, ['Ingress', 'Egress'], `${name}: ingress and egress both restricted`)
        if (GRPC.includes(component)) {
          const grpcPort = Number(env.get('GRPC_PORT')?.value)
          const rules = (policy.spec.ingress as Doc[]).filter((r) => r.ports.some((p: Doc) => p.port === grpcPort))
          t.equal(rules.length, 1, `${name}: one rule opens the gRPC port`)
          const admitted = (rules[0]?.from ?? []).map((peer: Doc) => {
            t.same(Object.keys(peer), ['podSelector'], `${name}: callers are pods of this namespace, by label`)
            t.equal(peer.podSelector.matchLabels['app.kubernetes.io/instance'], RELEASE, `${name}: of this release`)
            return peer.podSelector.matchLabels['app.kubernetes.io/name']
          })
          t.same(admitted, CALLERS[component], `${name}: the NetworkPolicy admits only its named callers`)
          t.same(
            env.get(`${component.toUpperCase()}_ALLOWED_CALLERS`)?.value.split(','),
            CALLERS[component],
            `${name}: and its mTLS policy the same identities`,
          )
          t.same(
            Object.keys(container.startupProbe ?? {}).filter((k) => k === 'grpc'),
            ['grpc'],
            `${name}: gRPC health probes`,
          )
          for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
            t.equal(container[probe]?.grpc?.port, Number(env.get('HEALTH_PORT')?.value), `${name}: ${probe} on the health port`)
        } else {
          t.equal(container.readinessProbe?.httpGet?.path, '/readyz', `${name}: HTTP readiness`)
          t.equal(container.livenessProbe?.httpGet?.path, '/healthz', `${name}: HTTP liveness`)
        }
      }

      const hours = (d: string) => Number(/^(\d+)h$/.exec(d)?.[1] ?? Number.NaN)
      const ca = find(docs, 'Certificate', `${RELEASE}-ca`)
      if (ca) {
        for (const cert of docs.filter((d) => d.kind === 'Certificate' && d !== ca))
          t.ok(
            hours(ca.spec.renewBefore) > hours(cert.spec.duration),
            `${cert.metadata.name}: re-issued (with the renewed CA) before the old CA certificate expires`,
          )
      }
      for (const configMap of docs.filter((d) => d.kind === 'ConfigMap'))
        for (const [key, value] of Object.entries(configMap.data ?? {}))
          t.notMatch(value, /^\d(\.\d+)?e\+\d+$/, `${configMap.metadata.name}: ${key} is written as the number it is`)
      const drops = find(docs, 'CronJob', `${RELEASE}-ingestion-drops`)
      if (drops)
        t.equal(
          drops.spec.jobTemplate.spec.template.spec.serviceAccountName,
          `${RELEASE}-ingestion`,
          "the drop scan runs as ingestion's account, with its cloud identity",
        )

      for (const scaled of docs.filter((d) => d.kind === 'ScaledObject')) {
        const name = scaled.metadata.name
        for (const trigger of (scaled.spec.triggers as Doc[]).filter((tr) => tr.type === 'kafka')) {
          if (secured) t.ok(trigger.authenticationRef?.name, `${name}: KEDA reads the lag with the brokers' SASL and TLS`)
          const spec = PLATFORM_TOPICS.find((s) => s.topic === trigger.metadata.topic)
          if (!t.ok(spec, `${name}: scales on a platform topic (${trigger.metadata.topic})`)) continue
          t.ok(
            scaled.spec.maxReplicaCount <= (spec?.partitions ?? 0),
            `${name}: at most ${spec?.partitions} replicas, the partitions of ${spec?.topic}`,
          )
          const [container] = find(docs, 'Deployment', name)?.spec.template.spec.containers ?? []
          const groups = [...envOf(container ?? {}).entries()].filter(([k]) => /_(INGEST|CONSUMER)_GROUP$/.test(k))
          t.same(
            groups.map(([, e]) => e.value),
            [trigger.metadata.consumerGroup],
            `${name}: KEDA reads the lag of the group it consumes with`,
          )
        }
      }

      for (const topic of docs.filter((d) => d.kind === 'KafkaTopic')) {
        const spec = PLATFORM_TOPICS.find((s) => s.topic === topic.spec.topicName)
        t.equal(topic.spec.partitions, spec?.partitions, `KafkaTopic ${topic.spec.topicName}: the services' partitions`)
      }
    })
  }

  t.test('the charts refuse what would break a cluster, naming the value', async (t) => {
    const dev = join(REPO, 'helm/catalog-platform/ci/dev-values.yaml')
    const cases: [string[], RegExp][] = [
      [['--set', 'search.autoscaling.maxReplicas=7'], /maxReplicas \(7\) exceeds the 6 partitions of catalog\.item\.v1/],
      [['--set', 'global.image.tag=latest'], /global\/image\/tag/],
      [['--set', 'gateway.image.tag=latest'], /gateway:[\s\S]*image\/tag/],
      [['--set', 'catalog.replicaCount=two'], /replicaCount': got string, want integer/],
      [['--set', 'search.replicas=3'], /additional properties 'replicas' not allowed/],
      [['--set', 'global.kafka.brokers='], /global\.kafka\.brokers/],
      [['--set', 'global.kafka.sasl.mechanism=SCRAM-SHA-512'], /global\.kafka\.sasl\.existingSecret/],
      [['--set', 'global.kafka.sasl.mechanism=PLAIN'], /global\/kafka\/sasl\/mechanism/],
      [['--set', 'gateway.auth.jwksUrl='], /auth\.jwksUrl/],
      [['--set', 'catalog.allowedCallers[0]=anyone'], /allowedCallers\/0/],
    ]
    for (const [args, message] of cases) {
      const { error } = await render(['-f', dev, ...args])
      t.match(error ?? 'rendered', message, args.join(' '))
    }
  })
}
