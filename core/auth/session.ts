import { createHmac } from 'node:crypto'
import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import jwt from '@fastify/jwt'
import csrf from '@fastify/csrf-protection'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { findUserForSession, displayName, type SessionUser } from './users.ts'
import { createSession, deleteSession } from './session-store.ts'
import { ADMIN_ROLES, type Role } from './roles.ts'
import { isUuid } from '../register/index.ts'

export const SESSION_COOKIE = 'stocktake_session'
const SESSION_HOURS = 12

declare module '@fastify/jwt' {
  interface FastifyJWT {
    /** The user, their workspace and the session row (sid) that must still exist. */
    payload: { sub: string, ws: string, sid: string }
    user: SessionUser | null
  }
}

declare module 'fastify' {
  interface FastifyReply {
    startSession: (user: Pick<SessionUser, 'id' | 'workspace_id'>) => Promise<void>
    endSession: () => Promise<void>
    /** A CSRF token for this request's forms, bound to its session (or to none, signed out). */
    csrfToken: () => string
  }
  interface FastifyContextConfig {
    /** No CSRF check: the route carries its own proof (a SAML callback posted cross-site by the identity provider). */
    csrfExempt?: boolean
  }
  interface FastifyRequest {
    actor: () => Actor
    /** The session the cookie names (its signature checked), whether or not its row still exists. */
    sessionId: string | null
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

type SessionPayload = { sub: string, ws: string, sid?: string }

/** What a CSRF token is bound to; never empty (the library refuses an empty one). */
const csrfUserInfo = (request: FastifyRequest): string => request.sessionId ? `session:${request.sessionId}` : 'signed-out'

/**
 * Page sessions: a JWT in an httpOnly, SameSite=Lax cookie naming a session row, checked with the
 * user row on every request (so sign-out, offboarding or a password change ends it), plus CSRF
 * protection on every form post with tokens bound to the session.
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
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure, signed: true },
    // A token is good only with the session it was made for (or, signed out, for none: the sign-in form).
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: createHmac('sha256', opts.secret).update('stocktake csrf tokens').digest() }
  })

  app.decorateRequest('sessionId', null)
  app.decorateReply('startSession', async function (this: FastifyReply, user) {
    const previous = this.request.sessionId
    if (previous) await deleteSession(app.db, user.workspace_id, previous)
    const sid = await createSession(app.db, user.workspace_id, user.id, SESSION_HOURS)
    const token = await this.jwtSign({ sub: user.id, ws: user.workspace_id, sid })
    this.setCookie(SESSION_COOKIE, token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: SESSION_HOURS * 3600
    })
  })
  app.decorateReply('endSession', async function (this: FastifyReply) {
    const sid = this.request.sessionId
    if (sid) await deleteSession(app.db, this.request.workspace.id, sid)
    this.clearCookie(SESSION_COOKIE, { path: '/' })
  })
  app.decorateReply('csrfToken', function (this: FastifyReply) {
    return this.generateCsrf({ userInfo: csrfUserInfo(this.request) })
  })
  app.decorateRequest('actor', function (this: FastifyRequest): Actor {
    const user = this.user
    return user
      ? { type: 'user', id: user.id, label: user.email, requestId: this.id }
      : { type: 'user', id: null, label: 'anonymous', requestId: this.id }
  })

  app.addHook('onRequest', async (request) => {
    let payload: SessionPayload | null = null
    if (request.cookies[SESSION_COOKIE]) {
      // jwtVerify also assigns the raw payload to request.user; the hook overwrites it below.
      payload = await request.jwtVerify<SessionPayload>({ onlyCookie: true }).catch(() => null)
    }
    // A cookie from before sessions were rows (no sid) names no session.
    const sid = payload && payload.ws === request.workspace.id && typeof payload.sid === 'string' && isUuid(payload.sid) ? payload.sid : null
    request.sessionId = sid
    request.user = sid ? await findUserForSession(app.db, payload!.ws, payload!.sub, sid) ?? null : null
  })

  app.addHook('preHandler', (request, reply, done) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return done()
    // A route that carries its own proof (an identity provider's signed answer, posted cross-site) says so in its config.
    if (request.routeOptions.config?.csrfExempt === true) return done()
    app.csrfProtection(request, reply, done)
  })
}, { name: 'session', dependencies: ['tenancy'] })

type Guard = (request: FastifyRequest) => Promise<void>
const guardRoles = new WeakMap<Guard, readonly Role[] | null>()

/** preHandler: the page needs a signed-in user, with one of these roles when given. */
export function requireUser (roles?: readonly Role[]): Guard {
  const guard: Guard = async (request) => {
    if (!request.user) throw new SignInRequiredError()
    if (roles && !roles.includes(request.user.role)) {
      await request.server.audit.denied(request, request.workspace.id, request.actor(), { reason: 'role', needed: roles })
      throw new ForbiddenError(roles)
    }
  }
  guardRoles.set(guard, roles ?? null)
  return guard
}

/**
 * Who a route's preHandler lets in, read from its requireUser guard: the roles, null for any
 * signed-in user, or undefined when it has no such guard.
 */
export function rolesAllowed (preHandler: unknown): readonly Role[] | null | undefined {
  for (const handler of [preHandler].flat()) {
    if (typeof handler === 'function' && guardRoles.has(handler as Guard)) return guardRoles.get(handler as Guard)
  }
  return undefined
}

/** Whether the signed-in user has one of the roles of the admin pages. */
export function isAdmin (request: FastifyRequest): boolean {
  return Boolean(request.user && ADMIN_ROLES.includes(request.user.role))
}

export { displayName }
