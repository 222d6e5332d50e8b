// Settings → Sign-in: "Require single sign-on" (workspaces.require_sso), for super-admins. It is
// offered only while at least one sign-in method is enabled, so nobody requires what cannot be
// used; turning it off is always possible.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { OWNER_ROLES } from '../auth/roles.ts'
import { enabledSignInMethods } from '../auth/sso/methods.ts'
import { redirectPage } from '../admin/errors.ts'

/** The section's view: the enabled methods' names and whether SSO is required. */
export async function signInSettingsView (app: FastifyInstance, request: FastifyRequest) {
  const methods = await enabledSignInMethods(app, request.workspace.id, request.log)
  return {
    methods: methods.map(m => m.label),
    hasMethods: methods.length > 0,
    required: request.workspace.require_sso,
    offered: methods.length > 0 || request.workspace.require_sso
  }
}

export async function signInSettingsRoutes (app: FastifyInstance) {
  app.post('/settings/sign-in', { preHandler: requireUser(OWNER_ROLES) }, async (request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>, reply) => {
    const ws = request.workspace
    const wanted = request.body?.require_sso !== undefined
    if (wanted && (await enabledSignInMethods(app, ws.id, request.log)).length === 0) {
      reply.flash('error', 'Single sign-on cannot be required: no sign-in method is enabled. Connect one under Settings → Integrations first.')
      return redirectPage(request, reply, '/settings#sign-in-heading')
    }
    if (wanted === ws.require_sso) {
      reply.flash('info', 'Nothing to save: the sign-in settings are unchanged.')
      return redirectPage(request, reply, '/settings#sign-in-heading')
    }
    await app.db.transaction(async trx => {
      await trx('workspaces').where({ id: ws.id }).update({ require_sso: wanted, updated_at: trx.fn.now() })
      await app.audit.record(trx, ws.id, request.actor(), {
        action: 'workspace.updated', target: { type: 'workspace', id: ws.id, label: ws.name }, changes: { require_sso: { old: ws.require_sso, new: wanted } }
      })
    })
    reply.flash('success', wanted
      ? 'Single sign-on is now required: people sign in with the identity provider of the workspace. Only super-admins may still use a password or a sign-in link.'
      : 'Single sign-on is no longer required: passwords and sign-in links work again for everyone.')
    return redirectPage(request, reply, '/settings#sign-in-heading')
  })
}
