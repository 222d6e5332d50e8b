import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireUser } from './session.ts'
import { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts'
import { passwordPathVerdict } from './sso/required.ts'
import { readName, NAME_MAX_LENGTH, type NameErrors } from './person-name.ts'
import { findUserByEmail, setPasswordHash } from './users.ts'

interface PasswordForm { current_password?: string, new_password?: string, confirm_password?: string }
interface NameForm { first_name?: string, last_name?: string }

const field = { type: 'string', maxLength: 1024 } as const
const passwordBody = {
  type: 'object',
  properties: { current_password: field, new_password: field, confirm_password: field, _csrf: { type: 'string' } }
} as const
// Longer than a name may be, so a long one is a message beside its field rather than a 400 page.
const nameBody = { type: 'object', properties: { first_name: field, last_name: field, _csrf: { type: 'string' } } } as const

interface AccountState {
  status?: number
  /** The name fields as typed (after a refused save), else the person's name. */
  name?: { first_name: string, last_name: string }
  nameErrors?: NameErrors
  passwordErrors?: Record<string, string>
}

async function renderAccount (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, state: AccountState = {}) {
  const user = (await findUserByEmail(app.db, request.workspace.id, request.user!.email))!
  return reply.code(state.status ?? 200).view('pages/account', {
    title: 'Your account',
    hasPassword: Boolean(user.password_hash),
    name: state.name ?? { first_name: user.first_name ?? '', last_name: user.last_name ?? '' },
    nameMax: NAME_MAX_LENGTH,
    nameErrors: state.nameErrors ?? {},
    errors: state.passwordErrors ?? {},
    ssoRequired: passwordPathVerdict(request.workspace, user.role) === 'sso_required'
  })
}

/** The signed-in user's own account: their name, and setting or changing their password. */
export default async function accountRoutes (app: FastifyInstance) {
  app.get('/account', { preHandler: requireUser() }, async (request, reply) => renderAccount(app, request, reply))

  app.post('/account/name', { preHandler: requireUser(), schema: { body: nameBody } }, async (request: FastifyRequest<{ Body: NameForm }>, reply) => {
    const typed = { first_name: request.body.first_name ?? '', last_name: request.body.last_name ?? '' }
    const read = readName(typed.first_name, typed.last_name)
    if ('errors' in read) return renderAccount(app, request, reply, { status: 422, name: typed, nameErrors: read.errors })
    // Through the register, the only writer of people: audited as person.updated by the person themself.
    await app.registry.people.update(request.workspace.id, request.actor(), request.user!.id, read.name)
    reply.flash('success', 'Name saved.')
    return reply.redirect('/account', 303)
  })

  app.post('/account/password', { preHandler: requireUser(), schema: { body: passwordBody } }, async (request: FastifyRequest<{ Body: PasswordForm }>, reply) => {
    const workspaceId = request.workspace.id
    const user = (await findUserByEmail(app.db, workspaceId, request.user!.email))!
    const hasPassword = Boolean(user.password_hash)
    const { current_password: current = '', new_password: next = '', confirm_password: confirm = '' } = request.body
    const errors: Record<string, string> = {}
    if (hasPassword && !(await verifyPassword(current, user.password_hash))) errors.current_password = 'Current password is not correct.'
    if (next.length < MIN_PASSWORD_LENGTH) errors.new_password = `New password must be at least ${MIN_PASSWORD_LENGTH} characters.`
    else if (next !== confirm) errors.confirm_password = 'The two new passwords differ.'
    if (Object.keys(errors).length > 0) return renderAccount(app, request, reply, { status: 422, passwordErrors: errors })
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
