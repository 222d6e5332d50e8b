import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import jwt from '@fastify/jwt'
import csrf from '@fastify/csrf-protection'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { findUserForSession, displayName, type SessionUser } from './users.ts'
import { ADMIN_ROLES, type Role } from './roles.ts'

export const SESSION_COOKIE = 'stocktake_session'
const SESSION_HOURS = 12

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string, ws: string }
    user: SessionUser | null
  }
}

declare module 'fastify' {
  interface FastifyReply {
    startSession: (user: Pick<SessionUser, 'id' | 'workspace_id'>) => Promise<void>
    endSession: () => void
  }
  interface FastifyRequest {
    actor: () => Actor
  }
}

export class ForbiddenError extends Error {
  statusCode = 403
  constructor (readonly needed: readonly Role[]) {
    super(`This page needs the ${needed.join(' or ')} role.`)
  }
}

export class SignInRequiredError extends Error {
  statusCode = 401
  constructor () { super('Please sign in.') }
}

/**
 * Page sessions: a JWT in an httpOnly, SameSite=Lax cookie, checked against the user row on every
 * request (so offboarding or a password change ends it), plus CSRF protection on every form post.
 */
export default fp<{ secret: string, secure: boolean }>(async (app, opts) => {
  await app.register(cookie, { secret: opts.secret })
  await app.register(jwt, {
    secret: opts.secret,
    cookie: { cookieName: SESSION_COOKIE, signed: false },
    sign: { expiresIn: `${SESSION_HOURS}h` }
  })
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'stocktake_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure, signed: true }
  })

  app.decorateReply('startSession', async function (this: FastifyReply, user) {
    const token = await this.jwtSign({ sub: user.id, ws: user.workspace_id })
    this.setCookie(SESSION_COOKIE, token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: SESSION_HOURS * 3600
    })
  })
  app.decorateReply('endSession', function (this: FastifyReply) {
    this.clearCookie(SESSION_COOKIE, { path: '/' })
  })
  app.decorateRequest('actor', function (this: FastifyRequest): Actor {
    const user = this.user
    return user
      ? { type: 'user', id: user.id, label: user.email, requestId: this.id }
      : { type: 'user', id: null, label: 'anonymous', requestId: this.id }
  })

  app.addHook('onRequest', async (request) => {
    let payload: { sub: string, ws: string, iat: number } | null = null
    if (request.cookies[SESSION_COOKIE]) {
      // jwtVerify also assigns the raw payload to request.user; the hook overwrites it below.
      payload = await request.jwtVerify<{ sub: string, ws: string, iat: number }>({ onlyCookie: true }).catch(() => null)
    }
    request.user = payload && payload.ws === request.workspace.id
      ? await findUserForSession(app.db, payload.ws, payload.sub, new Date(payload.iat * 1000)) ?? null
      : null
  })

  app.addHook('preHandler', (request, reply, done) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return done()
    app.csrfProtection(request, reply, done)
  })
}, { name: 'session', dependencies: ['tenancy'] })

/** preHandler: the page needs a signed-in user, with one of these roles when given. */
export function requireUser (roles?: readonly Role[]) {
  return async (request: FastifyRequest) => {
    if (!request.user) throw new SignInRequiredError()
    if (roles && !roles.includes(request.user.role)) throw new ForbiddenError(roles)
  }
}

/** Whether the signed-in user has one of the roles of the admin pages. */
export function isAdmin (request: FastifyRequest): boolean {
  return Boolean(request.user && ADMIN_ROLES.includes(request.user.role))
}

export { displayName }
