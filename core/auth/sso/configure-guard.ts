// Who may configure a sign-in plugin: only super-admins. Whoever configures an identity provider
// (its keys, its role mappings, just-in-time creation) can sign in as anyone, super-admins
// included, so it is a super-admin power; admins see such a plugin read-only.
import type { FastifyRequest } from 'fastify'
import { ForbiddenError } from '../session.ts'
import { OWNER_ROLES } from '../roles.ts'
import type { DiscoveredPlugin } from '../../integrations/discovery.ts'

/** A plugin that offers sign-in (whether or not a workspace has it connected). */
export const offersSignIn = (plugin: Pick<DiscoveredPlugin, 'connector'>): boolean => plugin.connector?.signIn !== undefined

export const SIGN_IN_CONFIGURATION_NOTE = 'Only a super admin can change a sign-in integration: whoever configures an identity provider can sign in as anyone in this workspace.'

/** Whether the signed-in user may change this plugin's settings, connection or page. */
export function mayConfigure (request: FastifyRequest, plugin: Pick<DiscoveredPlugin, 'connector'>): boolean {
  return !offersSignIn(plugin) || (request.user !== null && OWNER_ROLES.includes(request.user.role))
}

/** Refuses (403, audited as a denied attempt) a change to a sign-in plugin by anyone but a super-admin. */
export async function guardConfiguration (request: FastifyRequest, plugin: Pick<DiscoveredPlugin, 'connector'>): Promise<void> {
  if (request.user === null || mayConfigure(request, plugin)) return
  await request.server.audit.denied(request, request.workspace.id, request.actor(), { reason: 'role', needed: OWNER_ROLES })
  throw new ForbiddenError(OWNER_ROLES)
}
