import fp from 'fastify-plugin'
import type { FastifyReply } from 'fastify'

const FLASH_COOKIE = 'stocktake_flash'
export interface Flash { type: 'success' | 'error' | 'info', message: string }

declare module 'fastify' {
  interface FastifyReply {
    flash: (type: Flash['type'], message: string) => FastifyReply
  }
}

/** One-request messages ("Saved.") carried across a redirect in a signed cookie. */
export default fp(async (app) => {
  app.decorateReply('flash', function (this: FastifyReply, type: Flash['type'], message: string) {
    this.setCookie(FLASH_COOKIE, JSON.stringify({ type, message }), { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 60 })
    return this
  })
  app.addHook('preHandler', async (request, reply) => {
    const raw = request.cookies[FLASH_COOKIE]
    if (!raw) return
    const unsigned = request.unsignCookie(raw)
    reply.clearCookie(FLASH_COOKIE, { path: '/' })
    if (!unsigned.valid || !unsigned.value) return
    try {
      reply.locals = { ...reply.locals, flash: JSON.parse(unsigned.value) as Flash }
    } catch {}
  })
}, { name: 'flash', dependencies: ['session'] })
