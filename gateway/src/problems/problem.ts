import type { FieldViolation, Logger } from '@catalog/kit'
import { errorCodeOf, fieldViolationsOf, isServiceError } from '@catalog/kit'
import type { ServiceError } from '@grpc/grpc-js'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayError } from '../errors.ts'
import { codes, isGatewayError } from '../errors.ts'
import { HTTP_STATUS, TITLES } from './grpc-status.ts'

/** An RFC 9457 problem document, as every error of the gateway is answered. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  request_id: string
  code: string
  errors?: { field: string; detail: string }[]
}

const TYPE_PREFIX = 'urn:catalog-platform:problem:'

/** Where a backend's field names live in the REST request. */
const FIELD_ALIASES: [RegExp, string][] = [
  [/^fields\./, 'body.'],
  [/^(source|external_id)$/, 'body.$1'],
  [/^(id|item_id)$/, 'params.id'],
  [/^ids(\[\d+\])?$/, 'body.ids$1'],
  [/^page\.size$/, 'query.limit'],
  [/^page\.cursor$/, 'query.cursor'],
  [/^expected_version$/, 'headers.if-match'],
  [/^update_mask$/, 'body'],
  [/^published_after$/, 'query.after'],
  [/^published_before$/, 'query.before'],
  [
    /^(q|prefix|contains|pattern|tags|min_price|max_price|currency|source|attributes|sort|limit|cursor|facets|facet_size|price_histogram|typo)$/,
    'query.$1',
  ],
  [/^(from|to|order|interval|since|until|direction|min_change_percent)$/, 'query.$1'],
  [/^uri$/, 'body.uri'],
  [/^default_source$/, 'source'],
  [/^idempotency_key$/, 'headers.idempotency-key'],
  [/^header\.format$/, 'headers.content-type'],
]

interface Rendered {
  status: number
  code: string
  title: string
  detail: string
  violations: readonly FieldViolation[]
  headers: Record<string, string>
}

/** The one place where any error becomes the problem+json a client sees; internals go to the log only. */
export function renderProblem(err: unknown, request: FastifyRequest, reply: FastifyReply, log: Logger): FastifyReply {
  const r = render(err, request)
  if (r.status >= 500) log.error({ err, reqId: request.id, code: r.code }, 'request failed')
  else if (isGatewayError(err) && err.reason) log.info({ reqId: request.id, code: r.code, reason: err.reason }, r.detail)
  const body: Problem = {
    type: TYPE_PREFIX + slug(r.code),
    title: r.title,
    status: r.status,
    detail: r.detail,
    instance: request.url.split('?')[0] ?? '/',
    request_id: String(request.id),
    code: r.code,
  }
  if (r.violations.length > 0) body.errors = r.violations.map((v) => ({ field: v.field, detail: v.description }))
  return reply.code(r.status).headers(r.headers).type('application/problem+json').send(body)
}

function render(err: unknown, request: FastifyRequest): Rendered {
  if (isGatewayError(err)) return fromGateway(err)
  if (isServiceError(err)) return fromBackend(err, request)
  const fe = err as Partial<FastifyError>
  if (fe.validation) {
    const where = fe.validationContext === 'querystring' ? 'query' : (fe.validationContext ?? 'body')
    const violations = fe.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {}
      const path = [v.instancePath.replaceAll('/', '.').replace(/^\./, ''), missing.missingProperty ?? missing.additionalProperty]
        .filter(Boolean)
        .join('.')
      return { field: path ? `${where}.${path}` : where, description: v.message ?? 'is invalid' }
    })
    return simple(400, codes.validation, 'The request is not valid.', mostSpecific(violations))
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return fromFastify(fe)
  return simple(500, codes.internal, 'The request could not be completed.')
}

/**
 * A value that fails every branch of a union (`price` is an object or null) yields an error per
 * branch; the client needs the most specific one per field: `body.price.amount_minor`, not also
 * `body.price` twice.
 */
function mostSpecific(violations: FieldViolation[]): FieldViolation[] {
  const fields = violations.map((v) => v.field)
  const seen = new Set<string>()
  return violations.filter(({ field }) => {
    if (seen.has(field) || fields.some((other) => other.startsWith(`${field}.`))) return false
    seen.add(field)
    return true
  })
}

function fromGateway(err: GatewayError): Rendered {
  return {
    status: err.statusCode,
    code: err.code,
    title: err.title,
    detail: err.message,
    violations: err.violations,
    headers: err.headers,
  }
}

function fromBackend(err: ServiceError, request: FastifyRequest): Rendered {
  const backendCode = errorCodeOf(err)
  // A version mismatch answers an If-Match the client sent: that is a failed precondition.
  const status = backendCode?.endsWith('_VERSION_MISMATCH') ? 412 : (HTTP_STATUS[err.code] ?? 500)
  if (status >= 500) {
    const code = status === 504 ? codes.upstreamTimeout : status === 503 ? codes.upstreamUnavailable : codes.internal
    const detail = status === 504 ? 'The request ran past its deadline.' : 'A backend service could not complete the request.'
    return simple(status, code, detail, [], status === 503 ? { 'retry-after': '1' } : {})
  }
  const violations = fieldViolationsOf(err).map((v) => ({ ...v, field: alias(v.field, request) }))
  return simple(status, backendCode ?? `GW_ERR_HTTP_${status}`, err.details || (TITLES[status] ?? 'Error'), violations)
}

function fromFastify(err: Partial<FastifyError>): Rendered {
  const status = err.statusCode ?? 400
  const known: Record<string, [string, string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [codes.payloadTooLarge, 'The request body is too large.'],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [codes.unsupportedMediaType, 'The content type is not supported here.'],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [codes.validation, 'The Content-Length does not match the body.'],
    FST_ERR_CTP_EMPTY_JSON_BODY: [codes.validation, 'The JSON body is empty.'],
    FST_ERR_CTP_INVALID_JSON_BODY: [codes.validation, 'The body is not valid JSON.'],
  }
  const [code, detail] = known[err.code ?? ''] ?? [
    codes.validation,
    status === 413 ? 'The request is too large.' : 'The request is not valid.',
  ]
  return simple(status, code, detail)
}

function simple(
  status: number,
  code: string,
  detail: string,
  violations: readonly FieldViolation[] = [],
  headers = {},
): Rendered {
  return { status, code, title: TITLES[status] ?? 'Error', detail, violations, headers }
}

/**
 * Where the client sent the backend's field: its alias, except that a name the routes take in the
 * query on some and in the body on others (`since`, a price feed's parameter and a replay's) is
 * named in the body when the request carried it there and not in its query.
 */
function alias(field: string, request: FastifyRequest): string {
  for (const [pattern, replacement] of FIELD_ALIASES) {
    if (!pattern.test(field)) continue
    const named = field.replace(pattern, replacement)
    const name = named.startsWith('query.') ? named.slice('query.'.length) : undefined
    const { query, body } = request as { query?: Record<string, unknown>; body?: unknown }
    if (name && query?.[name] === undefined && typeof body === 'object' && body !== null && name in body) return `body.${name}`
    return named
  }
  return field
}

function slug(code: string): string {
  return code
    .replace(/^[A-Z]+_ERR_/, '')
    .toLowerCase()
    .replaceAll('_', '-')
}
