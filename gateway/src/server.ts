import { isUtf8 } from 'node:buffer'
import { randomUUID } from 'node:crypto'
import type { Check, Logger, Metrics } from '@catalog/kit'
import { currentTraceparent } from '@catalog/kit'
import type { catalog, ingestion, search } from '@catalog/proto'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import Fastify, { LogController } from 'fastify'
import type { TokenVerifier } from './auth/auth-hook.ts'
import { registerAuth } from './auth/auth-hook.ts'
import type { ItemCache } from './cache/item-cache.ts'
import type { SearchCache } from './cache/search-cache.ts'
import type { GatewayConfig } from './config.ts'
import { list } from './config.ts'
import { receiveWithin, registerConnectionLimits } from './connection-limits.ts'
import { codes, GatewayError } from './errors.ts'
import { opsRoutes } from './ops/ops-routes.ts'
import { quietChecks } from './ops/readiness.ts'
import { registerRequestLog } from './ops/request-log.ts'
import { requestLogger } from './ops/request-logger.ts'
import { renderProblem } from './problems/problem.ts'
import { ingestionRoutes } from './routes/ingestions.ts'
import { itemRoutes } from './routes/items.ts'
import { priceRoutes } from './routes/prices.ts'
import { searchRoutes } from './routes/search.ts'
import { SECURITY_HEADERS } from './security-headers.ts'
import { requestTraceparent } from './traceparent.ts'
import type { Backend } from './upstream/backend.ts'
import type { IngestStreams } from './upstream/ingest-stream.ts'
import { validatorCompiler } from './validation.ts'
import './types.ts'

export interface GatewayDeps {
  config: GatewayConfig
  log: Logger
  metrics: Metrics
  verifier: TokenVerifier
  catalog: Backend<catalog.CatalogServiceDefinition>
  search?: Backend<search.SearchServiceDefinition>
  ingestion?: { backend: Backend<ingestion.IngestionServiceDefinition>; streams: IngestStreams; pollMs?: number }
  /** What readiness depends on; /readyz answers each one's name and status, never its message. */
  checks: Record<string, Check>
  /** Installs rate limiting; called before authentication so floods are refused before any token work. */
  rateLimit?: (app: FastifyInstance) => void
  /** The caches the routes read through (cache/caching.ts); none: every read goes to its backend. */
  cache?: { items?: ItemCache; search?: SearchCache }
}

const BULK_TIMEOUT_MS = 60 * 60 * 1000
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

function malformed(where: 'path' | 'query'): GatewayError {
  return new GatewayError(codes.validation, {
    detail: 'The request is not valid.',
    violations: [{ field: 'uri', description: `${where} is not valid percent-encoding` }],
  })
}

/** Whether every `%` escape in a query string decodes (to UTF-8); cheap when there is none. */
function wellEncoded(query: string): boolean {
  if (!query.includes('%')) return true
  try {
    decodeURIComponent(query)
    return true
  } catch {
    return false
  }
}

/** The gateway's Fastify app with every route, hook and plugin, not yet listening (tests use inject). */
export async function build(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config, log } = deps
  let shuttingDown = false
  const proxies = list(config.TRUST_PROXY_CIDRS)
  const receiveTimeoutMs = config.REQUEST_TIMEOUT_MS * 2
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Only a peer in these ranges may name the client in X-Forwarded-For: counting hops instead
    // would trust whatever connects directly (any pod of the cluster) as much as the ingress.
    trustProxy: proxies.length > 0 ? proxies : false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    routerOptions: { maxParamLength: 200 },
    connectionTimeout: 60_000,
    // Node's requestTimeout is one value for the whole server, too short for a bulk upload or too
    // long for anything else: connection-limits.ts bounds each request instead, Node the headers.
    requestTimeout: 0,
    http: { headersTimeout: receiveTimeoutMs },
    return503OnClosing: true,
    // One line per request (ops/request-log.ts), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: requestLogger,
    // A path that is not valid percent-encoding never reaches a route: it is a 400 like any other.
    // It skips the onRequest hooks, so it bounds the body's arrival itself, as they would.
    frameworkErrors: (err, request, reply) => {
      receiveWithin(request, reply, receiveTimeoutMs)
      renderProblem(err.code === 'FST_ERR_BAD_URL' ? malformed('path') : err, request, reply, log)
    },
  })
  registerConnectionLimits(app, { maxConnections: config.MAX_CONNECTIONS, receiveTimeoutMs })
  app.setValidatorCompiler(validatorCompiler())
  // JSON only (and JSON merge patch, which is JSON): anything else is 415, not a string body.
  app.removeContentTypeParser('text/plain')
  // JSON bodies are read as bytes and must be UTF-8 (RFC 8259): decoding bad bytes into U+FFFD
  // would store text the client never sent.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  const strictJson = (
    request: Parameters<typeof parseJson>[0],
    body: Buffer,
    done: NonNullable<Parameters<typeof parseJson>[2]>,
  ) => {
    if (!isUtf8(body)) {
      done(
        new GatewayError(codes.validation, {
          detail: 'The request is not valid.',
          violations: [{ field: 'body', description: 'must be UTF-8 encoded' }],
        }),
        undefined,
      )
      return
    }
    parseJson(request, body.toString('utf8'), done)
  }
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, strictJson)
  app.setErrorHandler((err, request, reply) => renderProblem(err, request, reply, log))
  app.setNotFoundHandler((request, reply) =>
    renderProblem(
      new GatewayError(codes.notFound, { detail: `No route ${request.method} ${request.url.split('?')[0]}.` }),
      request,
      reply,
      log,
    ),
  )
  registerRequestLog(app, { metrics: deps.metrics, slowMs: config.LOG_SLOW_REQUEST_MS })
  app.addHook('onClose', async () => {
    shuttingDown = true
  })

  app.decorateRequest('deadline', null as unknown as Date)
  app.decorateRequest('deadlineChosen', false)
  app.decorateRequest('traceparent', '')
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(SECURITY_HEADERS).header('x-request-id', request.id)
    const asked = Number(request.headers['x-request-timeout-ms'])
    request.deadlineChosen = Number.isInteger(asked) && asked > 0 && asked < config.REQUEST_TIMEOUT_MS
    const timeout = request.deadlineChosen ? Math.max(asked, config.REQUEST_TIMEOUT_MIN_MS) : config.REQUEST_TIMEOUT_MS
    request.deadline = new Date(Date.now() + timeout)
    // With tracing on, the HTTP server span (already a child of the caller's traceparent) is this
    // hop; without it, a new span id of the caller's trace, or a new trace.
    request.traceparent = currentTraceparent() ?? requestTraceparent(request.headers.traceparent)
    // The query parser keeps a malformed escape as literal text; a search for `%E0%A4%A` would then
    // look for something the client never meant. Refuse it instead, as Fastify does for the path.
    const query = request.url.indexOf('?')
    if (query >= 0 && !wellEncoded(request.url.slice(query + 1))) return done(malformed('query'))
    done()
  })
  const origins = list(config.CORS_ORIGINS)
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'x-cache', 'retry-after', 'ratelimit', 'ratelimit-policy'],
      maxAge: 600,
    })
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Catalog platform API', version: '1.0.0', description: 'Items with price history, search and ingestion.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  deps.rateLimit?.(app)
  registerAuth(app, deps.verifier)
  const checks = quietChecks(deps.checks, log)
  // The ops port (src/service.ts) answers /readyz with the same checks: one log line per change of cause.
  app.decorate('readinessChecks', checks)
  opsRoutes(app, { checks, isShuttingDown: () => shuttingDown })
  itemRoutes(app, deps.catalog, deps.cache?.items)
  priceRoutes(app, deps.catalog)
  if (deps.search) searchRoutes(app, deps.search, deps.cache?.search)
  if (deps.ingestion) {
    ingestionRoutes(app, {
      ...deps.ingestion,
      bulkLimitBytes: config.BULK_BODY_LIMIT_BYTES,
      bulkTimeoutMs: BULK_TIMEOUT_MS,
      streamsPerTenant: config.SSE_STREAMS_PER_TENANT,
      streamMaxMs: config.SSE_STREAM_MAX_MS,
    })
  }
  return app
}
