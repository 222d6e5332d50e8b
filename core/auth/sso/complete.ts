// The end of every SSO sign-in once the plugin has verified who it is: match the person, refuse
// the inactive, apply the role mapping, start the session, audit, and go to the return path.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../audit/index.ts'
import { ValidationError } from '../../register/index.ts'
import type { SignInPolicy, VerifiedIdentity } from '../../sdk/sign-in.ts'
import { redirectPage } from '../../admin/errors.ts'
import { unstorableRule } from '../../boundary/unstorable.ts'
import { matchPerson } from './match-person.ts'
import { auditSsoSignIn, refusalPage } from './outcome.ts'
import { mappedRole } from './role-mapping.ts'

export interface VerifiedSignIn {
  pluginId: string
  pluginName: string
  method: string
  identity: VerifiedIdentity
  policy: SignInPolicy
  returnPath: string
}

const EMAIL = /^[^\s@]+@[^\s@]+$/

/** What the plugin returned, checked before anything is matched or written. */
function identityProblem (identity: VerifiedIdentity): string | null {
  if (typeof identity?.email !== 'string' || identity.email.length > 320 || !EMAIL.test(identity.email)) return 'no usable email address'
  if (typeof identity.subject !== 'string' || identity.subject === '' || identity.subject.length > 1024) return 'no usable subject'
  if (!Array.isArray(identity.groups) || !identity.groups.every(g => typeof g === 'string')) return 'no list of groups'
  for (const value of [identity.email, identity.subject, identity.firstName, identity.lastName, ...identity.groups]) {
    if (value !== undefined && value !== null && (typeof value !== 'string' || unstorableRule(value) !== null)) return 'a value that cannot be stored (not text, a NUL character or broken Unicode)'
  }
  return null
}

export async function completeSignIn (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, signIn: VerifiedSignIn) {
  const { pluginId, method, identity, policy } = signIn
  const audit = { pluginId, method }
  const problem = identityProblem(identity)
  if (problem !== null) {
    await auditSsoSignIn(app, request, { ...audit, outcome: 'failure', reason: 'invalid_identity', extra: { problem } })
    return refusalPage(request, reply, `${signIn.pluginName} answered with ${problem}, so Stocktake cannot tell who you are.`, 502)
  }
  const email = identity.email.trim()
  const actor: Actor = { type: 'system', id: null, label: `${signIn.pluginName} sign-in`, requestId: request.id }
  const role = mappedRole(policy, identity.groups)
  const match = await matchPerson(app, { workspaceId: request.workspace.id, pluginId, method }, { ...identity, email }, policy, role ?? policy.defaultRole, actor)
  if (!match.ok) {
    await auditSsoSignIn(app, request, { ...audit, outcome: 'denied', reason: match.reason, email, userId: match.userId ?? null })
    return refusalPage(request, reply, match.message)
  }
  const user = match.user
  if (user.status !== 'active') {
    await auditSsoSignIn(app, request, { ...audit, outcome: 'denied', reason: user.status, email, userId: user.id })
    const why = user.status === 'offboarded' ? 'has been offboarded' : 'is marked inactive'
    return refusalPage(request, reply, `Your account ${email} ${why} in this workspace, so it cannot sign in. Ask your IT admin if this is a mistake.`)
  }
  const extra: Record<string, unknown> = { ...(match.created ? { created: true } : {}), ...(match.linked ? { linked: true } : {}) }
  if (role !== null && role !== user.role && !match.created) {
    try {
      await app.registry.people.changeRole(request.workspace.id, actor, user.id, role)
      extra.role = { old: user.role, new: role }
      user.role = role
    } catch (err) {
      if (!(err instanceof ValidationError) || !err.errors.some(e => e.rule === 'last_super_admin')) throw err
      // The mapping would leave the workspace without an active super-admin: they stay one.
      extra.role_kept = { role: user.role, mapped: role, reason: 'last_super_admin' }
    }
  }
  await reply.startSession(user)
  await auditSsoSignIn(app, request, { ...audit, outcome: 'success', email: user.email, userId: user.id, extra })
  reply.header('Cache-Control', 'no-store')
  return redirectPage(request, reply, signIn.returnPath)
}
