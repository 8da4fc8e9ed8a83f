import { sourceForbidden } from '../errors.ts'

/**
 * Each tenant reads only its own area: the same key prefix in every bucket and folder under the
 * file root, made from INGEST_TENANT_PREFIX (`tenants/{tenant}/`: `s3://drops/tenants/acme/…`,
 * `file:///tenants/acme/…`). The prefix ends in `/`, so `acme` never reaches `acme-evil/`.
 */
export const DEFAULT_TENANT_PREFIX = 'tenants/{tenant}/'

/** Relative, ending in `/`, `{tenant}` once as a whole segment, no empty, `.` or `..` segment. */
const SEGMENT = '(?!\\.\\.?/)[^/{}\\\\\\x00-\\x1f%]+/'
export const TENANT_PREFIX_PATTERN = `^(${SEGMENT})*\\{tenant\\}/(${SEGMENT})*$`

/**
 * What a tenant id may be to name a folder: the platform's tenant rule (no `/`, not `.` or `..`).
 * Callers were checked against it already; a tenant outside it has no area at all.
 */
export const TENANT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'
const TENANT_SEGMENT = new RegExp(TENANT_PATTERN)

/** The area of a tenant under `template`: `tenants/acme/`. */
export function tenantArea(template: string, tenant: string): string {
  if (!TENANT_SEGMENT.test(tenant)) throw sourceForbidden('uri', 'this tenant has no file area')
  return template.replace('{tenant}', tenant)
}

/** The path of a URI, decoded: `%zz`, NUL and `.` or `..` segments (either slash) are refused. */
export function decodedPath(url: URL): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0') || path.split(/[/\\]/).some((s) => s === '.' || s === '..')) return undefined
  return path
}

/**
 * Whether `url` (its decoded path) lies in `area`, judged on the URI alone before anything is
 * looked up, so the answer never depends on what exists outside the area.
 */
export function inArea(url: URL, area: string): boolean {
  const path = decodedPath(url)
  return path?.startsWith(`/${area}`) === true
}

/** The answer to a URI outside the caller's area: the same whether anything is there or not. */
export function outsideArea(url: URL, area: string, field = 'uri') {
  const where = url.protocol === 's3:' ? `s3://${url.hostname}/${area}` : `file:///${area}`
  return sourceForbidden(field, `must be under ${where}, the caller's own area`)
}
