import { runService } from '@catalog/kit'
import { composeGateway } from './compose.ts'
import { loadGatewayConfig } from './config.ts'

await runService({
  name: 'gateway',
  loadConfig: loadGatewayConfig,
  start: async ({ config, log, metrics, tls }) => {
    const { app, stop } = await composeGateway(config, { log, metrics, tls })
    return {
      // The ops port answers /readyz with the same checks (one log line per change of cause).
      checks: app.readinessChecks,
      opsHost: config.HOST,
      async listen() {
        const address = await app.listen({ host: config.HOST, port: config.PORT })
        return { address, port: (app.server.address() as { port: number }).port }
      },
      stop,
    }
  },
})
