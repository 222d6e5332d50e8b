// What the settings pages that mint tokens share (Settings → API & webhooks, Settings → SCIM): a
// token's row in the list, the sentence beside a refused name, and the route that revokes one.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import type { Role } from '../auth/roles.ts'
import { redirectPage } from '../admin/errors.ts'
import type { FieldError } from '../register/index.ts'
import type { ApiTokens, ListedToken } from './tokens.ts'

/**
 * A token as its list shows it: active, expired or revoked, `all` when it has no abilities, and
 * who minted it (a person, or the command line, which records no person).
 */
export function tokenView (token: ListedToken, now: number) {
  const expired = token.expires_at !== null && token.expires_at.getTime() <= now
  return {
    ...token,
    all: token.abilities.length === 0,
    state: token.revoked_at ? 'revoked' : expired ? 'expired' : 'active',
    mintedBy: token.creator ?? { name: 'stocktake CLI', email: null, role: null }
  }
}

/** What an admin reads beside a token name the service refused; `example` says what to name it after. */
export function nameMessage (e: FieldError, example: string): string {
  if (e.rule === 'maxLength') return 'Use at most 100 characters.'
  if (e.rule === 'nul' || e.rule === 'unicode') return `The name ${e.message}.`
  return `Give the token a name, such as ${example}.`
}

/**
 * POST `<page>/tokens/:id/revoke` for the roles that manage the page's tokens: revokes one of the
 * request's workspace's tokens (any other id is a 404), then back to the page with a flash. The
 * service audits it.
 */
export function revokeTokenRoute (app: FastifyInstance, tokens: ApiTokens, page: string, roles: readonly Role[]): void {
  app.post(`${page}/tokens/:id/revoke`, { preHandler: requireUser(roles) }, async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const token = await tokens.revoke(request.workspace.id, request.actor(), request.params.id)
    reply.flash('success', `The token “${token.name}” is revoked: requests with it are refused from now on.`)
    return redirectPage(request, reply, page)
  })
}
