// The baseline of the gateway bench: Fastify with nothing but a "hello" route, in its own process.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/hello', async () => ({ hello: 'world' }))
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
console.log(JSON.stringify({ msg: 'bare fastify ready', port: Number(new URL(address).port) }))
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
