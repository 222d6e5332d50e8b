// Who a verified identity is in the workspace: the person its (plugin, method, subject) is linked
// to, else the person with its email (case-insensitive), then linked; a person already linked to
// another subject of the same method is refused. Unknown people are created just in time when the
// policy allows it, through the register (validated and audited as any new person).
import type { FastifyInstance } from 'fastify'
import type { Actor } from '../../audit/index.ts'
import type { SignInPolicy, VerifiedIdentity } from '../../sdk/sign-in.ts'
import { ValidationError } from '../../register/index.ts'
import type { Role } from '../roles.ts'
import type { SessionUser } from '../users.ts'

export type MatchResult =
  | { ok: true, user: SessionUser, created: boolean, linked: boolean }
  | { ok: false, reason: 'subject_mismatch' | 'not_in_register' | 'invalid_identity', message: string, userId?: string }

const COLUMNS = ['u.id', 'u.workspace_id', 'u.email', 'u.first_name', 'u.last_name', 'u.role', 'u.status']

interface Where { workspaceId: string, pluginId: string, method: string }

export async function matchPerson (app: FastifyInstance, where: Where, identity: VerifiedIdentity, policy: SignInPolicy, initialRole: Role, actor: Actor): Promise<MatchResult> {
  const { workspaceId, pluginId, method } = where
  const db = app.db
  const linked: SessionUser | undefined = await db('sign_in_identities as i').join('users as u', 'u.id', 'i.user_id')
    .where({ 'i.workspace_id': workspaceId, 'i.plugin_id': pluginId, 'i.method': method, 'i.subject': identity.subject, 'u.workspace_id': workspaceId })
    .first(COLUMNS)
  if (linked !== undefined) {
    await db('sign_in_identities').where({ workspace_id: workspaceId, plugin_id: pluginId, method, subject: identity.subject }).update({ last_used_at: db.fn.now() })
    return { ok: true, user: linked, created: false, linked: false }
  }
  let user: SessionUser | undefined = await db('users as u').where('u.workspace_id', workspaceId)
    .whereRaw('lower(u.email) = lower(?)', [identity.email]).first(COLUMNS)
  let created = false
  if (user === undefined) {
    if (!policy.createPeople) {
      return { ok: false, reason: 'not_in_register', message: `${identity.email} is not in this workspace's register, and this sign-in method does not add people. Ask your IT admin to add you.` }
    }
    try {
      const person = await app.registry.people.createIfEmailFree(workspaceId, actor, {
        email: identity.email,
        first_name: identity.firstName?.trim() || null,
        last_name: identity.lastName?.trim() || null,
        role: initialRole,
        source: 'sso'
      })
      created = person !== null
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return { ok: false, reason: 'invalid_identity', message: `The identity provider sent details that cannot be stored for a new person (${err.errors.map(e => `${e.field} ${e.message}`).join('; ')}).` }
    }
    // Created now, or by a parallel sign-in of the same person a moment ago.
    user = await db('users as u').where('u.workspace_id', workspaceId).whereRaw('lower(u.email) = lower(?)', [identity.email]).first(COLUMNS)
    if (user === undefined) throw new Error('a person created just in time could not be read back')
  }
  const [link] = await db('sign_in_identities')
    .insert({ workspace_id: workspaceId, user_id: user.id, plugin_id: pluginId, method, subject: identity.subject })
    .onConflict().ignore().returning('subject')
  if (link === undefined) {
    // Either this person is linked to another subject of the method, or the subject was linked to someone else meanwhile.
    return { ok: false, reason: 'subject_mismatch', userId: user.id, message: `${user.email} is already linked to another account of this identity provider. Sign in with that account, or ask your IT admin.` }
  }
  return { ok: true, user, created, linked: true }
}
