import type { SpanContext } from '@opentelemetry/api'
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api'
import { SamplingDecision } from '@opentelemetry/sdk-trace-base'
import t from 'tap'
import { edgeSampler } from '../src/telemetry/edge-sampler.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
/** A context whose parent came over the wire, as a client's traceparent does. */
const remoteParent = (flags: TraceFlags) => {
  const parent: SpanContext = { traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: flags, isRemote: true }
  return trace.setSpanContext(ROOT_CONTEXT, parent)
}
const decisions = (env: NodeJS.ProcessEnv, ctx = remoteParent(TraceFlags.SAMPLED), n = 200) => {
  const sampler = edgeSampler(env)
  if (!sampler) throw new Error('no edge sampler')
  const seen = new Set<SamplingDecision>()
  for (let i = 0; i < n; i++) seen.add(sampler.shouldSample(ctx, TRACE_ID, 'GET /v1/items/:id', SpanKind.SERVER, {}, []).decision)
  return [...seen]
}

t.test("a client's sampled flag does not make the edge trace", async (t) => {
  const off = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }
  t.same(decisions(off), [SamplingDecision.NOT_RECORD], 'ratio 0: a sampled client parent is not traced')
  t.same(decisions({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }), [SamplingDecision.NOT_RECORD], 'always off')
  t.same(decisions(off, ROOT_CONTEXT), [SamplingDecision.NOT_RECORD], 'no parent: the ratio decides')
})

t.test("a client's unsampled flag does not stop the edge from tracing", async (t) => {
  t.same(decisions({}, remoteParent(TraceFlags.NONE)), [SamplingDecision.RECORD_AND_SAMPLED], 'default (always on)')
  const half = decisions({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' })
  t.same(
    half.sort(),
    [SamplingDecision.NOT_RECORD, SamplingDecision.RECORD_AND_SAMPLED].sort(),
    'ratio 0.5: a draw, not the trace id',
  )
})

t.test('samplers that ignore parents anyway are left to the SDK', async (t) => {
  t.equal(edgeSampler({ OTEL_TRACES_SAMPLER: 'always_on' }), undefined)
  t.equal(edgeSampler({ OTEL_TRACES_SAMPLER: 'traceidratio' }), undefined)
})
