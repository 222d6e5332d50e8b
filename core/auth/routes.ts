import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { verifyPassword } from './passwords.ts'
import { consumeSignInLink } from './sign-in-links.ts'
import { claimSignInAttempt, pruneSignInCounters, releaseSignInAttempt } from './sign-in-limit.ts'
import { findUserByEmail } from './users.ts'
import { safeNext } from './safe-next.ts'
import { workspaceUrl } from '../config.ts'
import { errorPage, redirectPage } from '../admin/errors.ts'
import { printable, unstorableField } from '../boundary/unstorable.ts'
import { enabledSignInMethods } from './sso/methods.ts'
import { passwordPathVerdict, SSO_REQUIRED_MESSAGE } from './sso/required.ts'

const signInBody = {
  type: 'object',
  properties: {
    email: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 1024 },
    next: { type: 'string', maxLength: 2048 },
    _csrf: { type: 'string' }
  }
} as const

export default async function authRoutes (app: FastifyInstance) {
  const nextOf = (request: FastifyRequest, next: unknown) => safeNext(next, workspaceUrl(app.config, request.workspace.slug))

  /** The sign-in page: the workspace's single sign-on buttons above the email and password form. */
  async function signInPage (request: FastifyRequest, reply: FastifyReply, view: { next: string, values: Record<string, string>, errors?: Record<string, string>, formError?: string }) {
    const ssoMethods = await enabledSignInMethods(app, request.workspace.id, request.log, view.next)
    return reply.view('pages/sign-in', { title: 'Sign in', ...view, ssoMethods, ssoRequired: request.workspace.require_sso })
  }

  app.get('/sign-in', async (request: FastifyRequest<{ Querystring: { next?: string } }>, reply) => {
    if (request.user) return reply.redirect(nextOf(request, request.query.next), 303)
    return signInPage(request, reply, { next: nextOf(request, request.query.next), values: {} })
  })

  app.post('/sign-in', { schema: { body: signInBody } }, async (request: FastifyRequest<{ Body: { email?: string, password?: string, next?: string } }>, reply: FastifyReply) => {
    const email = (request.body.email ?? '').trim()
    const password = request.body.password ?? ''
    const next = nextOf(request, request.body.next)
    const workspaceId = request.workspace.id
    const errors: Record<string, string> = {}
    const unstorable = unstorableField('email', email)
    if (!email) errors.email = 'Enter your email address.'
    else if (unstorable) errors.email = `Enter your email address as it is: it ${unstorable.message}.`
    if (!password) errors.password = 'Enter your password.'
    if (Object.keys(errors).length > 0) {
      return signInPage(request, reply.code(422), { next, values: { email: printable(email) }, errors })
    }
    const audit = (outcome: 'success' | 'failure' | 'denied', userId: string | null, reason?: string, breakGlass = false) =>
      app.audit.record(app.db, workspaceId, { type: 'user', id: userId, label: email.toLowerCase(), requestId: request.id }, {
        action: 'auth.sign_in', outcome, target: { type: 'user', id: userId, label: email.toLowerCase() }, details: { ip: request.ip, method: 'password', ...(reason ? { reason } : {}), ...(breakGlass ? { break_glass: true } : {}) }
      })

    const claim = await claimSignInAttempt(app.db, workspaceId, email, request.ip)
    if (!claim.allowed) {
      await audit('denied', null, 'rate_limited')
      const minutes = Math.ceil(claim.retryAfterSeconds / 60)
      return signInPage(request, reply.code(429).header('retry-after', String(claim.retryAfterSeconds)), {
        next,
        values: { email },
        formError: `Too many failed attempts from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, ` +
          'or sign in with a one-time sign-in link, which still works: your IT admin can send you one from your page in Stocktake.'
      })
    }
    const user = await findUserByEmail(app.db, workspaceId, email)
    const ok = await verifyPassword(password, user?.password_hash ?? null)
    if (!user || !ok || user.status !== 'active') {
      await audit('failure', user?.id ?? null, !user ? 'unknown_email' : !ok ? 'bad_password' : 'inactive')
      return signInPage(request, reply.code(401), { next, values: { email }, formError: 'That email and password do not match an active account.' })
    }
    await releaseSignInAttempt(app.db, workspaceId, claim.keys)
    await pruneSignInCounters(app.db, workspaceId)
    // Checked once the password is known to be right: the refusal tells nothing to someone guessing.
    const verdict = passwordPathVerdict(request.workspace, user.role)
    if (verdict === 'sso_required') {
      await audit('denied', user.id, 'sso_required')
      return signInPage(request, reply.code(403), { next, values: { email }, formError: SSO_REQUIRED_MESSAGE })
    }
    await audit('success', user.id, undefined, verdict === 'break_glass')
    await reply.startSession(user)
    return redirectPage(request, reply, next)
  })

  app.get('/sign-in/link/:token', async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const workspaceId = request.workspace.id
    const userId = await consumeSignInLink(app.db, workspaceId, request.params.token)
    const user = userId ? await app.db('users').where({ workspace_id: workspaceId, id: userId, status: 'active' }).first() : undefined
    if (!user) {
      await app.audit.record(app.db, workspaceId, { type: 'user', id: null, label: 'anonymous', requestId: request.id }, {
        action: 'auth.sign_in', outcome: 'failure', details: { ip: request.ip, method: 'link', reason: 'invalid_link' }
      })
      return errorPage(request, reply, {
        status: 410,
        title: 'Link expired',
        message: 'This sign-in link was already used or has expired. Each link works once.',
        detail: 'Ask your IT admin to send you a new one: they make it on your page in Stocktake. If you have a password, sign in with it.',
        signIn: true
      })
    }
    const verdict = passwordPathVerdict(request.workspace, user.role)
    await app.audit.record(app.db, workspaceId, { type: 'user', id: user.id, label: user.email, requestId: request.id }, {
      action: 'auth.sign_in',
      outcome: verdict === 'sso_required' ? 'denied' : 'success',
      target: { type: 'user', id: user.id, label: user.email },
      details: { ip: request.ip, method: 'link', ...(verdict === 'sso_required' ? { reason: 'sso_required' } : {}), ...(verdict === 'break_glass' ? { break_glass: true } : {}) }
    })
    if (verdict === 'sso_required') {
      return errorPage(request, reply, { status: 403, title: 'Single sign-on required', message: SSO_REQUIRED_MESSAGE, signIn: true })
    }
    await reply.startSession(user)
    return reply.redirect('/', 303)
  })

  app.post('/sign-out', async (request, reply) => {
    if (request.user) {
      await app.audit.record(app.db, request.workspace.id, request.actor(), { action: 'auth.sign_out', target: { type: 'user', id: request.user.id, label: request.user.email } })
    }
    await reply.endSession()
    return redirectPage(request, reply, '/sign-in')
  })
}
