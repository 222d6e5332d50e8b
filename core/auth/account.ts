import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from './session.ts'
import { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts'
import { findUserByEmail, setPasswordHash } from './users.ts'

interface PasswordForm { current_password?: string, new_password?: string, confirm_password?: string }

const bodySchema = {
  type: 'object',
  properties: {
    current_password: { type: 'string', maxLength: 1024 },
    new_password: { type: 'string', maxLength: 1024 },
    confirm_password: { type: 'string', maxLength: 1024 },
    _csrf: { type: 'string' }
  }
} as const

/** The signed-in user's own account: set or change their password. */
export default async function accountRoutes (app: FastifyInstance) {
  app.get('/account', { preHandler: requireUser() }, async (request, reply) => {
    const user = await findUserByEmail(app.db, request.workspace.id, request.user!.email)
    return reply.view('pages/account', { title: 'Your account', hasPassword: Boolean(user?.password_hash), errors: {} })
  })

  app.post('/account/password', { preHandler: requireUser(), schema: { body: bodySchema } }, async (request: FastifyRequest<{ Body: PasswordForm }>, reply) => {
    const workspaceId = request.workspace.id
    const user = (await findUserByEmail(app.db, workspaceId, request.user!.email))!
    const hasPassword = Boolean(user.password_hash)
    const { current_password: current = '', new_password: next = '', confirm_password: confirm = '' } = request.body
    const errors: Record<string, string> = {}
    if (hasPassword && !(await verifyPassword(current, user.password_hash))) errors.current_password = 'Current password is not correct.'
    if (next.length < MIN_PASSWORD_LENGTH) errors.new_password = `New password must be at least ${MIN_PASSWORD_LENGTH} characters.`
    else if (next !== confirm) errors.confirm_password = 'The two new passwords differ.'
    if (Object.keys(errors).length > 0) {
      return reply.code(422).view('pages/account', { title: 'Your account', hasPassword, errors })
    }
    const hash = await hashPassword(next)
    await app.db.transaction(async trx => {
      await setPasswordHash(trx, workspaceId, user.id, hash)
      await app.audit.record(trx, workspaceId, request.actor(), { action: 'auth.password_set', target: { type: 'user', id: user.id, label: user.email } })
    })
    // Setting a password ends every session, this one included: start a fresh one.
    await reply.startSession(user)
    reply.flash('success', 'Password saved. Other sessions were signed out.')
    return reply.redirect('/account', 303)
  })
}
