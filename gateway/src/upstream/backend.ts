import type { CallOptions, Logger, RequestOf, ResponseOf, UnaryClient, UnaryKeys } from '@catalog/kit'
import { isServiceError } from '@catalog/kit'
import type { ServiceError } from '@grpc/grpc-js'
import { status } from '@grpc/grpc-js'
import CircuitBreaker from 'opossum'
import type { Histogram } from 'prom-client'
import { codes, GatewayError } from '../errors.ts'
import { BACKEND_FAULTS } from '../problems/grpc-status.ts'

export interface BackendOptions {
  name: string
  retries: number
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeout: number }
  log: Logger
  latency: Histogram<'backend' | 'method' | 'code'>
}

export interface BackendCall extends CallOptions {
  deadline: Date
  /**
   * The deadline is shorter than the gateway's because the client asked: its expiry is the client's
   * choice, not a backend fault, and never counts toward opening the circuit.
   */
  clientDeadline?: boolean
  /** Reads may be retried on UNAVAILABLE; writes never are (they may have happened). */
  idempotent: boolean
}

/**
 * A gRPC backend as the gateway uses it: every call has a deadline, idempotent reads are retried
 * with backoff and full jitter on UNAVAILABLE only (within the deadline), and a circuit breaker
 * per backend answers 503 with Retry-After at once while the backend keeps failing. Business
 * errors (NOT_FOUND, INVALID_ARGUMENT, ...) are answers, not failures: they never open the circuit;
 * nor does a deadline the client chose, or any tenant could open it for all with tiny deadlines.
 */
export function createBackend<D>(client: UnaryClient<D>, options: BackendOptions) {
  const { name, log, latency } = options
  const attempt = async (method: string, request: unknown, call: BackendCall): Promise<unknown> => {
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    try {
      const response = await (client.call as (m: string, r: unknown, o: CallOptions) => Promise<unknown>)(method, request, call)
      latency.observe({ backend: name, method, code: 'OK' }, seconds())
      return response
    } catch (err) {
      latency.observe({ backend: name, method, code: (isServiceError(err) && status[err.code]) || 'UNKNOWN' }, seconds())
      throw err
    }
  }
  const withRetries = async (method: string, request: unknown, call: BackendCall): Promise<unknown> => {
    for (let n = 0; ; n++) {
      try {
        return await attempt(method, request, call)
      } catch (err) {
        const retryable = call.idempotent && isServiceError(err) && err.code === status.UNAVAILABLE && n < options.retries
        const pause = Math.random() * Math.min(1_000, 50 * 2 ** n)
        if (!retryable || Date.now() + pause >= call.deadline.getTime()) throw err
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    }
  }
  const breaker = new CircuitBreaker(withRetries, {
    ...options.breaker,
    timeout: false, // the gRPC deadline bounds every call already
    // Nothing reads the latency percentiles; keeping them costs each call.
    rollingPercentilesEnabled: false,
    // A filtered error counts as an answer (opossum has no neutral outcome). Opossum passes the
    // call's arguments after the error: (method, request, call).
    errorFilter: (err: ServiceError, ...args: unknown[]) =>
      !BACKEND_FAULTS.has(err.code) ||
      (err.code === status.DEADLINE_EXCEEDED && (args[2] as BackendCall | undefined)?.clientDeadline === true),
  })
  breaker.on('open', () => log.warn({ backend: name }, 'circuit opened: failing fast'))
  breaker.on('halfOpen', () => log.info({ backend: name }, 'circuit half-open: probing'))
  breaker.on('close', () => log.info({ backend: name }, 'circuit closed'))
  const retryAfter = String(Math.ceil(options.breaker.resetTimeout / 1000))

  return {
    async call<K extends UnaryKeys<D>>(method: K, request: RequestOf<D[K]>, call: BackendCall): Promise<ResponseOf<D[K]>> {
      try {
        return (await breaker.fire(method, request, call)) as ResponseOf<D[K]>
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') {
          throw new GatewayError(codes.circuitOpen, {
            detail: `The ${name} service is failing; calls are paused for a moment.`,
            headers: { 'retry-after': retryAfter },
          })
        }
        throw err
      }
    },
    get open() {
      return breaker.opened
    },
    shutdown() {
      breaker.shutdown()
      client.close()
    },
  }
}

export type Backend<D> = ReturnType<typeof createBackend<D>>
