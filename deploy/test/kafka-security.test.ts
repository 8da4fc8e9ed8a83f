// How the charts connect every pod that talks to Kafka (the services, the topics Job, the drops
// CronJob) to brokers that need TLS: the brokers' CA, from a Secret or a ConfigMap, mounted where
// KAFKA_TLS_CA_FILE points, or the image's system CAs when chosen explicitly; and the settings that
// would fail at run time (TLS with no CA, a CA that would be ignored, KEDA without credentials)
// refused at render time, naming the value to set.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { Doc } from './helpers/charts.ts'
import { builtUmbrella, envOf, pods, template, tool } from './helpers/charts.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const RELEASE = 'catalog'
/** The CI scenario that renders every Kafka client: the three services and the drops CronJob... */
const DEV = join(REPO, 'helm/catalog-platform/ci/dev-values.yaml')
/** ...and the topics Job (topics.mode job), with KEDA allowed to read the lag, and the gateway's item cache. */
const EVERY_KAFKA_CLIENT = [
  ...['-f', DEV, '--set', 'catalog.topics.mode=job'],
  ...['--set', 'global.kafka.kedaAuthenticationRef=catalog-kafka-keda'],
  ...['--set', 'gateway.config.CACHE_ITEMS=true'],
]
const KAFKA_CLIENTS = [
  `CronJob/${RELEASE}-ingestion-drops`,
  `Deployment/${RELEASE}-catalog`,
  `Deployment/${RELEASE}-gateway`,
  `Deployment/${RELEASE}-ingestion`,
  `Deployment/${RELEASE}-search`,
  `Job/${RELEASE}-catalog-topics`,
]

const helm = tool('helm')
let umbrella = ''
const render = (args: string[]) => template(helm as string, umbrella, RELEASE, args)

/** The pods whose container is given the brokers' address, by kind/name. */
function kafkaClients(docs: Doc[]) {
  return pods(docs)
    .filter(({ spec }) => envOf(spec.containers[0]).has('KAFKA_BROKERS'))
    .sort((a, b) => a.owner.localeCompare(b.owner))
}

/** The volume mounted over the directory of KAFKA_TLS_CA_FILE, and that file's name in it. */
function caVolume(spec: Doc): { volume?: Doc; mount?: Doc; file?: string } {
  const [container] = spec.containers as Doc[]
  const file = envOf(container ?? {}).get('KAFKA_TLS_CA_FILE')?.value as string | undefined
  if (!file) return {}
  const mount = (container?.volumeMounts as Doc[] | undefined)?.find((m) => m.mountPath === dirname(file))
  const volume = (spec.volumes as Doc[] | undefined)?.find((v) => v.name === mount?.name)
  return { volume, mount, file: file.slice(dirname(file).length + 1) }
}

if (!helm) {
  t.fail('helm is not installed: the test command installs it (scripts/lib/k8s-tools.sh)')
} else {
  t.before(async () => {
    umbrella = await builtUmbrella(t, helm)
  })

  t.test('the scenario renders every Kafka client, and nothing else is given the brokers', async (t) => {
    const { docs, error } = await render(EVERY_KAFKA_CLIENT)
    if (!t.notOk(error, 'renders')) return
    t.same(
      kafkaClients(docs).map((p) => p.owner),
      KAFKA_CLIENTS,
      'the services, the topics Job, the drops CronJob and the gateway with its item cache',
    )
  })

  for (const [source, set, kind, name] of [
    ['a Secret', 'caSecret', 'secret', 'secretName'],
    ['a ConfigMap', 'caConfigMap', 'configMap', 'name'],
  ] as const) {
    t.test(`with TLS on, every Kafka client mounts the brokers' CA from ${source} where KAFKA_TLS_CA_FILE points`, async (t) => {
      const { docs, error } = await render([
        ...EVERY_KAFKA_CLIENT,
        ...['--set', 'global.kafka.tls.enabled=true'],
        ...['--set', `global.kafka.tls.${set}.name=catalog-kafka-ca`, '--set', `global.kafka.tls.${set}.key=bundle.pem`],
      ])
      if (!t.notOk(error, 'renders')) return
      const clients = kafkaClients(docs)
      t.same(
        clients.map((p) => p.owner),
        KAFKA_CLIENTS,
        'every Kafka client',
      )
      for (const { owner, spec } of clients) {
        const env = envOf(spec.containers[0])
        t.equal(env.get('KAFKA_TLS')?.value, 'true', `${owner}: KAFKA_TLS`)
        const { volume, mount, file } = caVolume(spec)
        t.ok(mount?.readOnly, `${owner}: a read-only mount over the directory of KAFKA_TLS_CA_FILE`)
        t.equal(volume?.[kind]?.[name], 'catalog-kafka-ca', `${owner}: the volume is the named ${source}`)
        t.same(volume?.[kind]?.items, [{ key: 'bundle.pem', path: file }], `${owner}: its key, as the file the variable names`)
      }
      for (const { owner, spec } of pods(docs).filter((p) => !KAFKA_CLIENTS.includes(p.owner))) {
        t.notOk(envOf(spec.containers[0]).has('KAFKA_TLS_CA_FILE'), `${owner}: no Kafka CA where no Kafka is reached`)
        t.notOk(
          (spec.volumes as Doc[]).some(
            (v) => v.secret?.secretName === 'catalog-kafka-ca' || v.configMap?.name === 'catalog-kafka-ca',
          ),
          `${owner}: nor its volume`,
        )
      }
    })
  }

  t.test('with TLS on and the system trust store chosen, no CA is mounted', async (t) => {
    const { docs, error } = await render([
      ...EVERY_KAFKA_CLIENT,
      ...['--set', 'global.kafka.tls.enabled=true', '--set', 'global.kafka.tls.systemTrustStore=true'],
    ])
    if (!t.notOk(error, 'renders')) return
    for (const { owner, spec } of kafkaClients(docs)) {
      const env = envOf(spec.containers[0])
      t.equal(env.get('KAFKA_TLS')?.value, 'true', `${owner}: KAFKA_TLS`)
      t.notOk(env.has('KAFKA_TLS_CA_FILE'), `${owner}: the system CAs`)
    }
  })

  t.test('with TLS off, no Kafka TLS setting is rendered', async (t) => {
    const { docs, error } = await render(EVERY_KAFKA_CLIENT)
    if (!t.notOk(error, 'renders')) return
    for (const { owner, spec } of kafkaClients(docs)) {
      const env = envOf(spec.containers[0])
      t.notOk(env.has('KAFKA_TLS') || env.has('KAFKA_TLS_CA_FILE'), `${owner}: plaintext, as asked`)
    }
  })

  t.test('the charts refuse Kafka security settings that would fail at run time, naming what to set', async (t) => {
    const tls = ['--set', 'global.kafka.tls.enabled=true']
    const cases: [string, string[], RegExp][] = [
      [
        'TLS without a CA or the system trust store',
        tls,
        /global\.kafka\.tls\.enabled: the brokers' CA is required: set global\.kafka\.tls\.caSecret\.name \(or caConfigMap\.name\).*or set global\.kafka\.tls\.systemTrustStore: true/,
      ],
      [
        'a CA with TLS off',
        ['--set', 'global.kafka.tls.caSecret.name=catalog-kafka-ca'],
        /global\.kafka\.tls: .* is set but global\.kafka\.tls\.enabled is false/,
      ],
      [
        'a Secret and a ConfigMap',
        [...tls, '--set', 'global.kafka.tls.caSecret.name=a', '--set', 'global.kafka.tls.caConfigMap.name=b'],
        /both caSecret\.name and caConfigMap\.name are set/,
      ],
      [
        'a CA and the system trust store',
        [...tls, '--set', 'global.kafka.tls.caSecret.name=a', '--set', 'global.kafka.tls.systemTrustStore=true'],
        /systemTrustStore is true and a CA is named too/,
      ],
      [
        'a CA without its key',
        [...tls, '--set', 'global.kafka.tls.caSecret.name=a', '--set', 'global.kafka.tls.caSecret.key='],
        /global\/kafka\/tls\/caSecret\/key/,
      ],
      [
        'KEDA lag scaling against SASL brokers without a TriggerAuthentication',
        [
          ...['-f', DEV, '--set', 'global.kafka.sasl.mechanism=SCRAM-SHA-512'],
          ...['--set', 'global.kafka.sasl.existingSecret=catalog-kafka-users'],
        ],
        /global\.kafka\.kedaAuthenticationRef: the brokers need SASL or TLS/,
      ],
    ]
    for (const [what, args, message] of cases) {
      const { error } = await render(args[0] === '-f' ? args : [...EVERY_KAFKA_CLIENT, ...args])
      t.match(error ?? 'rendered', message, what)
    }
  })
  t.test("event-driven drops: the service reads the drop folder's object store events, the CronJob still scans it", async (t) => {
    const events = [
      ...EVERY_KAFKA_CLIENT,
      ...['--set', 'ingestion.drops.events.enabled=true', '--set', 'global.kafka.sasl.mechanism=SCRAM-SHA-512'],
      ...['--set', 'global.kafka.sasl.existingSecret=catalog-kafka-users', '--set', 'global.kafka.sasl.users.objectStore=minio'],
    ]
    const { docs, error } = await render(events)
    if (!t.notOk(error, 'renders')) return
    const env = (owner: string) => {
      const pod = pods(docs).find((p) => p.owner === owner)
      return new Map([...envOf(pod?.spec.containers[0] ?? {})].map(([k, v]) => [k, v.value]))
    }
    const service = env(`Deployment/${RELEASE}-ingestion`)
    t.same(
      ['DROP_URI', 'DROP_TENANT', 'DROP_CRON', 'DROP_EVENTS_TOPIC', 'DROP_EVENTS_GROUP'].map((k) => service.get(k)),
      ['s3://drops/tenants/default/daily/', 'default', '', 's3.events.v1', 'ingestion-drop-events'],
      'the service reads the events of the drop folder and schedules no scan of its own',
    )
    const cron = pods(docs).find((p) => p.owner === `CronJob/${RELEASE}-ingestion-drops`)
    const names = ((cron?.spec.containers[0].env ?? []) as { name: string }[]).map((e) => e.name)
    t.equal(names.filter((n) => n === 'DROP_URI').length, 1, 'the CronJob names its folder once')
    t.notOk(names.includes('DROP_EVENTS_TOPIC'), 'and reads no events')
    t.equal(
      env(`CronJob/${RELEASE}-ingestion-drops`).get('DROP_FULL_LISTING_MS'),
      '604800000',
      'and lists incrementally between weekly whole listings',
    )
    t.equal(
      env(`Job/${RELEASE}-catalog-topics`).get('KAFKA_OBJECT_STORE_USER'),
      'minio',
      "the topics Job grants the object store's user",
    )
    const { error: noFolder } = await render([...events, '--set', 'ingestion.drops.uri='])
    t.match(noFolder ?? 'rendered', /drops\.uri is required when drops\.events\.enabled/, 'events need a drop folder')
  })
}
