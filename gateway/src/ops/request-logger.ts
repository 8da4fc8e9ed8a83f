import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'

type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>

/** pino's numbers for its levels. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity }

/** Whether `logger` writes lines at `level`; asking a request's logger does not make it. */
export function logsAt(logger: FastifyBaseLogger, level: string): boolean {
  return (LEVELS[level] ?? 0) >= (LEVELS[logger.level] ?? 0)
}

type Args = [unknown, ...unknown[]]

/**
 * A request's logger, made when the request first logs. Fastify makes a child logger for each
 * request, to bind its id, and pino runs the child's bindings through the redaction paths: work
 * for every request, while at full load nearly none of them logs anything.
 */
class RequestLogger implements FastifyBaseLogger {
  #made: FastifyBaseLogger | undefined
  readonly #parent: FastifyBaseLogger
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  get #logger(): FastifyBaseLogger {
    this.#made ??= this.#parent.child(this.#bindings, this.#options)
    return this.#made
  }

  get level(): string {
    return this.#made?.level ?? this.#options.level ?? this.#parent.level
  }

  set level(level: string) {
    this.#logger.level = level
  }

  fatal(...args: Args): void {
    ;(this.#logger.fatal as (...a: Args) => void)(...args)
  }
  error(...args: Args): void {
    ;(this.#logger.error as (...a: Args) => void)(...args)
  }
  warn(...args: Args): void {
    ;(this.#logger.warn as (...a: Args) => void)(...args)
  }
  info(...args: Args): void {
    ;(this.#logger.info as (...a: Args) => void)(...args)
  }
  debug(...args: Args): void {
    ;(this.#logger.debug as (...a: Args) => void)(...args)
  }
  trace(...args: Args): void {
    ;(this.#logger.trace as (...a: Args) => void)(...args)
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options)
  }
}

/** Fastify's childLoggerFactory: each request's logger, made on first use. */
export const requestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new RequestLogger(logger, bindings, options)
