import type { FastifyInstance, FastifyReply } from 'fastify'
import { isHtmx } from '../../admin/errors.ts'
import { roleLabel } from '../../admin/helpers.ts'
import { sendSignInLink, type SignInLinkRefusal } from '../../auth/send-sign-in-link.ts'
import { displayName } from '../../auth/users.ts'
import type { Person } from '../../register/index.ts'
import { personFor, type IdRequest } from './access.ts'

function refusal (person: Person, minterRole: Person['role'], reason: SignInLinkRefusal): { status: number, problem: string } {
  const name = displayName(person)
  if (reason === 'role_above_minter') {
    return {
      status: 403,
      problem: `Only someone with the ${roleLabel(person.role)} role can send ${name} a sign-in link: the link signs in with ${name}'s powers, ` +
        `and a link you make may grant at most your own (${roleLabel(minterRole)}).`
    }
  }
  if (reason === 'sso_required') {
    return { status: 409, problem: `${name} signs in with single sign-on: this workspace requires it (Settings → Sign-in), so a sign-in link would not work for them. Only super admins may use one.` }
  }
  return { status: 409, problem: `${name} is ${person.status}, so a sign-in link would not work. Make them active first (Edit).` }
}

/**
 * "Send sign-in link" on a person's page or the People list: mints the link and answers the dialog
 * that shows it, once. It is an htmx request that leaves the page's address as it was, so
 * reloading the page never mints another; the dialog is gone once closed and htmx keeps no copy
 * of the page while it is open (hx-history="false").
 */
export async function sendSignInLinkFromPage (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const person = await personFor(app, request)
  const minter = request.user!
  const result = await sendSignInLink(app, request.workspace, { actor: request.actor(), role: minter.role }, person)
  const state = result.sent
    ? { status: 201, link: { url: result.url, expiresAt: result.expiresAt, emailed: result.emailed } }
    : refusal(person, minter.role, result.reason)
  return reply.code(state.status).header('cache-control', 'no-store').view('partials/people/sign-in-link', {
    fragment: isHtmx(request),
    title: `Sign-in link for ${displayName(person)}`,
    person: { id: person.id, name: displayName(person), email: person.email },
    ...state
  })
}
