import { startTelemetry } from '@catalog/kit/telemetry'

// Tracing starts before the service is imported, so the modules it instruments are patched as they load.
await startTelemetry({ service: 'gateway', edge: true })
await import('./service.ts')
