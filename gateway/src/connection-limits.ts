/*
 * What one client may hold of the gateway: a bounded number of connections in all, and a request
 * only as long as it takes to arrive at a reasonable pace. Node's requestTimeout would bound the
 * latter, but it is one value for the whole server, and a bulk upload streams for up to an hour:
 * set that long, one byte a minute would hold a socket on any route. So each request has its own
 * timer instead, from its headers until its body has arrived, and the bulk upload lengthens its
 * own once its caller has been admitted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

const kTimer = Symbol('receive-timer')

interface TimedRequest extends FastifyRequest {
  [kTimer]?: NodeJS.Timeout
}

// What Node answers when its own requestTimeout fires.
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

export function registerConnectionLimits(app: FastifyInstance, options: { maxConnections: number; receiveTimeoutMs: number }) {
  // Past it Node closes each new connection at once, so a flood of idle sockets cannot take every
  // file descriptor and the memory their buffers need.
  app.server.maxConnections = options.maxConnections
  app.addHook('onRequest', (request, reply, done) => {
    // Without a body (most reads) the request has arrived whole with its headers: no timer to arm.
    if (announcesBody(request)) receiveWithin(request, reply, options.receiveTimeoutMs)
    done()
  })
}

/** Whether a body follows the headers: only when they announce one (RFC 9112 §6.3). */
function announcesBody(request: FastifyRequest): boolean {
  const { headers } = request
  return (
    headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  )
}

/**
 * Gives the rest of this request `ms` to arrive, from now: the normal bound, or a longer one for a
 * body that streams (a bulk upload). Past it the client gets a 408 and its connection closes.
 */
export function receiveWithin(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  const timed = request as TimedRequest
  if (timed[kTimer]) clearTimeout(timed[kTimer])
  else {
    const stop = () => clearTimeout(timed[kTimer])
    request.raw.once('end', stop).once('close', stop)
  }
  timed[kTimer] = setTimeout(() => {
    // Arrived, if not yet read (a body already in, or a progress stream that answers for minutes): nothing to
    // cut. An injected request (app.inject) has no such flag, and always arrives whole.
    if (request.raw.complete !== false) return
    const socket = request.raw.socket
    request.log.debug({ route: request.routeOptions.url ?? 'unmatched', ms }, 'request not received in time: closing')
    if (reply.raw.headersSent) socket.destroy()
    else socket.end(REQUEST_TIMEOUT, () => socket.destroy())
  }, ms).unref()
}
