import type { FastifyReply } from 'fastify'

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8'

/** A SCIM answer: `application/scim+json`, as Entra's guidelines ask. */
export function sendScim (reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body))
}
