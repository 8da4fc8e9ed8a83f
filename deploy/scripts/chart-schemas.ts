// The values.schema.json of every chart under helm/, written from one description, so the four
// components' shared settings are described once and a value misspelt anywhere fails `helm install`
// with the path that is wrong, instead of rendering a manifest that silently ignores it.
//
//   node deploy/scripts/chart-schemas.ts          rewrite helm/*/values.schema.json
//
// deploy/test/chart-schemas.test.ts fails when a file differs from what this writes.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type Schema = { [key: string]: unknown }

/** An object that takes no keys beyond those named; `required` lists the ones it must have. */
const object = (properties: Record<string, Schema>, required: string[] = [], description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required } : {}),
})
const str = (description?: string, extra: Schema = {}): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
  ...extra,
})
const int = (minimum: number, maximum?: number, description?: string): Schema => ({
  type: 'integer',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  ...(description ? { description } : {}),
})
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) })
const mapOf = (values: Schema, description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  additionalProperties: values,
})
const listOf = (items: Schema, description?: string): Schema => ({
  type: 'array',
  ...(description ? { description } : {}),
  items,
})
/** Kubernetes objects passed through as they are (affinity, tolerations, volumes): the API server checks them. */
const kube = (description: string): Schema => ({ type: 'object', description })
const kubeList = (description: string): Schema => listOf({ type: 'object' }, description)
const intOrPercent: Schema = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\d{1,3}%$' },
  ],
}
const quantity: Schema = {
  oneOf: [
    { type: 'string', pattern: '^\\d+(\\.\\d+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$' },
    { type: 'number', minimum: 0 },
  ],
}
const duration = str('a Go duration, e.g. 2160h', { pattern: '^(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))+$' })
const COMPONENTS = ['catalog', 'search', 'ingestion', 'gateway'] as const
const EGRESS_TARGETS = ['dns', 'postgres', 'kafka', 'redis', 's3', 'jwks', 'opensearch', 'otlp', 'github']
/** The keys of global.kafka.sasl.users and of the password Secret. */
const KAFKA_PRINCIPALS = ['admin', 'catalog', 'search', 'ingestion'] as const

const resources = (description: string): Schema =>
  object(
    {
      requests: object({ cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }, ['cpu', 'memory']),
      limits: object({ cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }, ['memory']),
    },
    ['requests', 'limits'],
    description,
  )

const autoscaling = (kafka: boolean, prometheus: boolean): Schema =>
  object(
    {
      enabled: bool('false: a fixed replicaCount'),
      minReplicas: int(1),
      maxReplicas: int(1, undefined, kafka ? 'at most the partitions of keda.kafka.topic; the chart refuses more' : undefined),
      targetCPUUtilizationPercentage: int(1, 100),
      keda: object(
        {
          enabled: bool('false: a plain HorizontalPodAutoscaler on CPU'),
          pollingInterval: int(1),
          cooldownPeriod: int(0),
          ...(kafka
            ? {
                kafka: object(
                  {
                    enabled: bool(),
                    topic: str('a topic of global.kafka.topics'),
                    lagThreshold: int(1, undefined, 'records behind, per replica, before another is added'),
                    activationLagThreshold: int(0, undefined, 'below this lag the consumers stay at minReplicas'),
                  },
                  ['enabled', 'topic', 'lagThreshold', 'activationLagThreshold'],
                ),
              }
            : {}),
          ...(prometheus
            ? {
                prometheus: object(
                  {
                    enabled: bool(),
                    serverAddress: str(undefined, { pattern: '^(https?://.+)?$' }),
                    query: str('PromQL; templated, so it may name the release'),
                    threshold: { type: 'number', exclusiveMinimum: 0 },
                    activationThreshold: { type: 'number', minimum: 0 },
                  },
                  ['enabled', 'serverAddress', 'query', 'threshold', 'activationThreshold'],
                ),
              }
            : {}),
        },
        ['enabled'],
      ),
    },
    ['enabled', 'minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage'],
  )

/** What every component chart takes (the platform-lib templates read these). */
function component(kind: 'grpc' | 'http', own: Record<string, Schema>, scaling: { kafka: boolean; prometheus: boolean }): Schema {
  const grpc = kind === 'grpc'
  const properties: Record<string, Schema> = {
    // Set by the umbrella chart (global, and the condition that turns the component on).
    global: { type: 'object', description: 'release-wide settings: see the umbrella chart' },
    // Helm hands each chart's dependencies their share of the values, the library chart too.
    'platform-lib': { type: 'object' },
    enabled: bool('whether the umbrella chart installs this component'),
    kind: { const: kind },
    replicaCount: int(0, undefined, 'replicas when autoscaling is off'),
    image: object(
      {
        repository: str(undefined, { minLength: 1 }),
        tag: str('empty: global.image.tag, else the chart appVersion', { not: { const: 'latest' } }),
        digest: str('sha256:…, pins the image over the tag', { pattern: '^(sha256:[a-f0-9]{64})?$' }),
        pullPolicy: { enum: ['IfNotPresent', 'Always', 'Never'] },
      },
      ['repository', 'tag', 'digest', 'pullPolicy'],
    ),
    imagePullSecrets: listOf(object({ name: str() }, ['name'])),
    serviceAccount: object({ create: bool(), name: str(), annotations: mapOf(str()) }, ['create']),
    podAnnotations: mapOf(str()),
    podLabels: mapOf(str()),
    podSecurityContext: object({ runAsUser: int(1, undefined, 'never root'), runAsGroup: int(1), fsGroup: int(1) }, [
      'runAsUser',
      'runAsGroup',
      'fsGroup',
    ]),
    priorityClassName: str(),
    terminationGracePeriodSeconds: int(10, undefined, 'the process drains for this minus 5 seconds'),
    nodeSelector: mapOf(str()),
    tolerations: kubeList('core/v1 Toleration'),
    affinity: kube('core/v1 Affinity; empty: spread replicas over nodes'),
    topologySpread: object({ enabled: bool(), maxSkew: int(1) }, ['enabled', 'maxSkew']),
    resources: resources('the service container'),
    jobResources: resources('the migrations and other one-shot Jobs'),
    tmpSizeLimit: quantity,
    extraEnvFrom: kubeList('core/v1 EnvFromSource'),
    extraVolumes: kubeList('core/v1 Volume'),
    extraVolumeMounts: kubeList('core/v1 VolumeMount'),
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    ports: grpc
      ? object({ grpc: int(1, 65535), health: int(1, 65535), metrics: int(1, 65535) }, ['grpc', 'health', 'metrics'])
      : object({ http: int(1, 65535) }, ['http']),
    probes: object({ startupFailureThreshold: int(1) }, ['startupFailureThreshold']),
    config: mapOf({ type: ['string', 'number', 'boolean'] }, 'plain settings, as environment variables (secrets never go here)'),
    networkPolicy: object(
      {
        peers: listOf({ enum: [...COMPONENTS] }, 'components of this release this one calls over gRPC'),
        egress: listOf({ enum: EGRESS_TARGETS }, 'targets of global.networkPolicy.egress this one reaches'),
        ...(grpc ? {} : { ingressFrom: kubeList('networking/v1 NetworkPolicyPeer; empty: from anywhere') }),
      },
      ['peers', 'egress'],
    ),
    pdb: object({ enabled: bool(), minAvailable: intOrPercent, maxUnavailable: intOrPercent }, ['enabled']),
    autoscaling: autoscaling(scaling.kafka, scaling.prometheus),
    serviceMonitor: object({ enabled: bool(), interval: duration, labels: mapOf(str()) }, ['enabled', 'interval']),
    ...(grpc
      ? {
          database: object(
            {
              existingSecret: str('a Secret, kept outside the chart, holding the URL under existingSecretKey'),
              existingSecretKey: str(undefined, { minLength: 1 }),
              url: str('only without existingSecret: the chart makes the Secret from it', {
                pattern: '^(postgres(ql)?://.+)?$',
              }),
              poolMax: int(1, 200),
              statementTimeoutMs: int(100),
            },
            ['existingSecret', 'existingSecretKey', 'url', 'poolMax', 'statementTimeoutMs'],
          ),
          allowedCallers: listOf({ enum: [...COMPONENTS] }, 'the identities this service accepts calls from'),
          migrations: object({ enabled: bool(), backoffLimit: int(0), activeDeadlineSeconds: int(30) }, [
            'enabled',
            'backoffLimit',
            'activeDeadlineSeconds',
          ]),
        }
      : {}),
    ...own,
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...object(
      properties,
      Object.keys(properties).filter((k) => !['global', 'platform-lib', 'enabled'].includes(k)),
    ),
  }
}

const consumerGroup = str('the Kafka consumer group, also the one KEDA reads the lag of', { minLength: 1 })

/** Where the brokers' CA is: a Secret's or a ConfigMap's key; empty name: none. */
const kafkaCa = (description: string): Schema =>
  object({ name: str(), key: str(undefined, { minLength: 1 }) }, ['name', 'key'], description)

const topic = object({ partitions: int(1), retentionMs: int(60_000) }, ['partitions', 'retentionMs'])

const globalValues = object(
  {
    image: object({ registry: str(), tag: str(undefined, { not: { const: 'latest' } }) }, ['registry', 'tag']),
    imagePullSecrets: listOf(object({ name: str() }, ['name'])),
    trustDomain: str('workload identities are spiffe://<trustDomain>/<component>', { minLength: 1 }),
    tls: object(
      {
        issuer: object({ name: str(undefined, { minLength: 1 }), kind: { enum: ['Issuer', 'ClusterIssuer'] } }, ['name', 'kind']),
        duration,
        renewBefore: duration,
        refreshMs: int(0, undefined, 'how often services re-read their certificate'),
      },
      ['issuer', 'duration', 'renewBefore', 'refreshMs'],
    ),
    kafka: object(
      {
        brokers: str('host:port[,host:port…]; required', { pattern: '^([^,\\s]+(,[^,\\s]+)*)?$' }),
        kedaAuthenticationRef: str(),
        sasl: object(
          {
            mechanism: { enum: ['', 'SCRAM-SHA-512', 'SCRAM-SHA-256'], description: 'empty: clients connect without SASL' },
            existingSecret: str(
              "the Secret with each principal's password, keyed admin, catalog, search, ingestion (and gateway with its item cache)",
            ),
            users: object(
              {
                ...Object.fromEntries(KAFKA_PRINCIPALS.map((p) => [p, str(undefined, { minLength: 1 })])),
                gateway: str(
                  "the gateway's user, for its item cache (CACHE_ITEMS); the topics Job grants it reading catalog.item.v1",
                  {
                    minLength: 1,
                  },
                ),
                objectStore: str(
                  "the object store's user, for event-driven drops; the topics Job grants it writing s3.events.v1 (empty: no grant)",
                ),
              },
              [...KAFKA_PRINCIPALS],
              'the SASL user of each component, and of the topics Job (admin)',
            ),
            acls: bool('the topics Job grants each user its topics and group'),
          },
          ['mechanism', 'existingSecret', 'users', 'acls'],
        ),
        tls: object(
          {
            enabled: bool('TLS to the brokers; then a CA (caSecret or caConfigMap) or systemTrustStore is required'),
            caSecret: kafkaCa("a Secret of the release's namespace holding the brokers' CA in PEM"),
            caConfigMap: kafkaCa("a ConfigMap of the release's namespace holding the brokers' CA in PEM"),
            systemTrustStore: bool("verify the brokers against the image's system CAs (a publicly signed cluster)"),
          },
          ['enabled', 'caSecret', 'caConfigMap', 'systemTrustStore'],
        ),
        topics: mapOf(topic, 'the platform topics; partitions bound the consumer replicas'),
      },
      ['brokers', 'sasl', 'tls', 'topics'],
    ),
    otel: object(
      {
        endpoint: str('the OTLP collector; empty: no tracing', { pattern: '^(https?://.+)?$' }),
        protocol: { enum: ['http/protobuf', 'http/json', 'grpc'] },
        sampler: {
          enum: [
            'always_on',
            'always_off',
            'traceidratio',
            'parentbased_always_on',
            'parentbased_always_off',
            'parentbased_traceidratio',
          ],
        },
        samplerArg: str('the ratio of the traceidratio samplers', { pattern: '^(0(\\.\\d+)?|1(\\.0+)?)$' }),
        environment: str(undefined, { minLength: 1 }),
      },
      ['endpoint', 'protocol', 'sampler', 'samplerArg', 'environment'],
    ),
    networkPolicy: object(
      {
        enabled: bool(),
        metricsFrom: kubeList('networking/v1 NetworkPolicyPeer'),
        egress: object(
          Object.fromEntries(
            EGRESS_TARGETS.map((name) => [
              name,
              object({ to: kubeList('networking/v1 NetworkPolicyPeer; empty: any address'), ports: listOf(int(1, 65535)) }, [
                'to',
                'ports',
              ]),
            ]),
          ),
          EGRESS_TARGETS,
        ),
      },
      ['enabled', 'metricsFrom', 'egress'],
    ),
  },
  ['image', 'imagePullSecrets', 'trustDomain', 'tls', 'kafka', 'otel', 'networkPolicy'],
)

const rolloutStep: Schema = {
  type: 'object',
  description: 'an Argo Rollouts canary step (setWeight, pause, …)',
  minProperties: 1,
}

/** helm/<chart>/values.schema.json, by chart folder. */
export function chartSchemas(): Record<string, Schema> {
  return {
    catalog: component(
      'grpc',
      {
        consumerGroup,
        topics: object(
          {
            mode: { enum: ['job', 'strimzi', 'none'] },
            replicationFactor: int(1, 7),
            minInsyncReplicas: int(1, 7),
            strimzi: object({ cluster: str(), namespace: str() }, ['cluster', 'namespace']),
          },
          ['mode', 'replicationFactor', 'minInsyncReplicas', 'strimzi'],
        ),
      },
      { kafka: true, prometheus: false },
    ),
    search: component('grpc', { consumerGroup }, { kafka: true, prometheus: false }),
    ingestion: component(
      'grpc',
      {
        s3: object(
          {
            existingSecret: str(),
            accessKeyIdKey: str(undefined, { minLength: 1 }),
            secretAccessKeyKey: str(undefined, { minLength: 1 }),
          },
          ['existingSecret', 'accessKeyIdKey', 'secretAccessKeyKey'],
        ),
        drops: object(
          {
            enabled: bool(),
            schedule: str('cron', { minLength: 9 }),
            timeZone: str(undefined, { minLength: 1 }),
            uri: str("file:///… or s3://bucket/prefix/ in the tenant's area (tenants/<tenant>/ by default)", {
              pattern: '^((file|s3)://.+)?$',
            }),
            tenant: str('the tenant the drops belong to and run as', { pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' }),
            activeDeadlineSeconds: int(60),
            resources: resources('the drop scan'),
            events: object(
              {
                enabled: bool(
                  "the service starts each new object of uri (s3:// only) from the object store's event notifications",
                ),
                topic: str('where the object store publishes them (DROP_EVENTS_TOPIC)', { minLength: 1 }),
                group: str('the consumer group reading them (DROP_EVENTS_GROUP)', { minLength: 1 }),
                fullListingMs: int(0, undefined, "the drops CronJob's DROP_FULL_LISTING_MS while events are on"),
              },
              ['enabled', 'topic', 'group', 'fullListingMs'],
            ),
          },
          ['enabled', 'schedule', 'timeZone', 'uri', 'tenant', 'activeDeadlineSeconds', 'resources', 'events'],
        ),
      },
      { kafka: false, prometheus: false },
    ),
    gateway: component(
      'http',
      {
        auth: object(
          {
            jwksUrl: str('the JWKS of the token issuer; required', { pattern: '^(https?://.+)?$' }),
            issuer: str(),
            audience: str(),
          },
          ['jwksUrl', 'issuer', 'audience'],
        ),
        redis: object({ existingSecret: str(), existingSecretKey: str(undefined, { minLength: 1 }) }, [
          'existingSecret',
          'existingSecretKey',
        ]),
        rateLimit: object(
          {
            keyByProxyAddress: bool(
              'behind an Ingress or HTTPRoute without config.TRUST_PROXY_CIDRS, accept one per-IP budget for all clients instead of refusing to render',
            ),
          },
          ['keyByProxyAddress'],
        ),
        rollout: object(
          {
            enabled: bool('an Argo Rollouts canary instead of a rolling update'),
            steps: listOf(rolloutStep),
            analysis: object(
              {
                prometheusAddress: str(undefined, { pattern: '^https?://.+$' }),
                maxErrorRatio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
                maxP99Seconds: { type: 'number', exclusiveMinimum: 0 },
              },
              ['prometheusAddress', 'maxErrorRatio', 'maxP99Seconds'],
            ),
          },
          ['enabled', 'steps', 'analysis'],
        ),
        ingress: object(
          {
            enabled: bool(),
            className: str(),
            annotations: mapOf(str()),
            hosts: listOf(str(undefined, { minLength: 1 })),
            tls: kubeList('networking/v1 IngressTLS'),
          },
          ['enabled'],
        ),
        httpRoute: object(
          {
            enabled: bool(),
            parentRefs: kubeList('gateway.networking.k8s.io/v1 ParentReference'),
            hostnames: listOf(str(undefined, { minLength: 1 })),
          },
          ['enabled'],
        ),
      },
      { kafka: false, prometheus: true },
    ),
    'catalog-platform': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      ...object(
        {
          global: globalValues,
          'platform-lib': { type: 'object' },
          monitoring: object(
            {
              dashboards: object(
                {
                  enabled: bool('a ConfigMap of the Grafana dashboards for the sidecar'),
                  label: str(undefined, { minLength: 1 }),
                  labelValue: str(),
                  folderAnnotation: str(undefined, { minLength: 1 }),
                  folder: str(),
                  namespace: str(),
                },
                ['enabled', 'label', 'labelValue', 'folderAnnotation', 'folder', 'namespace'],
              ),
              rules: object({ enabled: bool('a PrometheusRule of the alerts'), labels: mapOf(str()) }, ['enabled', 'labels']),
            },
            ['dashboards', 'rules'],
          ),
          pki: object({ create: bool('make the platform CA and its Issuer'), duration, renewBefore: duration }, [
            'create',
            'duration',
            'renewBefore',
          ]),
          // Each component's own schema checks the rest.
          ...Object.fromEntries(
            COMPONENTS.map((name) => [name, { type: 'object', properties: { enabled: bool() }, required: ['enabled'] }]),
          ),
        },
        ['global', 'monitoring', 'pki', ...COMPONENTS],
      ),
    },
  }
}

export const HELM = fileURLToPath(new URL('../../helm/', import.meta.url))
export const schemaFile = (chart: string) => join(HELM, chart, 'values.schema.json')
export const render = (schema: Schema) => `${JSON.stringify(schema, null, 2)}\n`

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [chart, schema] of Object.entries(chartSchemas())) {
    writeFileSync(schemaFile(chart), render(schema))
    process.stdout.write(`wrote ${schemaFile(chart)}\n`)
  }
}
