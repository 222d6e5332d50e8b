import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * Fastify's per-request log lines, with one change of level: an answer of 429 (rate-limited) is
 * logged at debug. The "incoming request" line is written before anyone knows the answer, so it
 * is at debug for every request and the "request completed" line carries the request (method, URL,
 * client) at info: still one info line for every request, and none for a flood of refusals (20 s
 * of 429s had written 63 MB at info).
 */
export class RequestLogging extends LogController {
  override incomingRequest (request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    } else if (reply.statusCode === 429) {
      reply.log.debug({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed: rate-limited')
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
    }
  }
}
