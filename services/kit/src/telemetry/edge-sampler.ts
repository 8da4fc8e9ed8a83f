import type { Context, SpanKind } from '@opentelemetry/api'
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base'
import { ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'

/**
 * The sampler of the public edge (the gateway). Behind it, every service follows its parent's
 * decision, as OTEL_TRACES_SAMPLER=parentbased_* asks; at the edge the parent is a client, and a
 * client that sets the sampled flag of its `traceparent` (or picks trace ids a ratio sampler keeps)
 * would make the whole platform trace every request it sends. So the edge keeps the client's trace
 * id, for correlation, but decides by itself, with the configured ratio and a random draw.
 *
 * undefined when the configured sampler does not follow a parent anyway (always_on, traceidratio...):
 * the SDK's own reading of OTEL_TRACES_SAMPLER then stands.
 */
export function edgeSampler(env: NodeJS.ProcessEnv = process.env): Sampler | undefined {
  const name = env.OTEL_TRACES_SAMPLER || 'parentbased_always_on'
  if (!name.startsWith('parentbased_')) return undefined
  const ratio =
    name === 'parentbased_always_off' ? 0 : name === 'parentbased_traceidratio' ? ratioOf(env.OTEL_TRACES_SAMPLER_ARG) : 1
  const own = new RandomRatioSampler(ratio)
  return new ParentBasedSampler({
    root: new TraceIdRatioBasedSampler(ratio),
    remoteParentSampled: own,
    remoteParentNotSampled: own,
  })
}

/** As the SDK reads OTEL_TRACES_SAMPLER_ARG: a number in [0, 1], anything else is 1. */
function ratioOf(arg: string | undefined): number {
  const ratio = Number(arg)
  return arg !== undefined && arg !== '' && ratio >= 0 && ratio <= 1 ? ratio : 1
}

/**
 * Samples `ratio` of what it is asked, by a random draw rather than by the trace id: the trace id
 * of a remote parent is the client's choice. (The SDK has no such sampler; it is this one line.)
 */
class RandomRatioSampler implements Sampler {
  readonly #ratio: number

  constructor(ratio: number) {
    this.#ratio = ratio
  }

  shouldSample(_context: Context, _traceId: string, _name: string, _kind: SpanKind): SamplingResult {
    return { decision: Math.random() < this.#ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD }
  }

  toString(): string {
    return `EdgeRandomRatio{${this.#ratio}}`
  }
}
