import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isAdmin } from '../../auth/session.ts'
import { signInLinkRefusal } from '../../auth/send-sign-in-link.ts'
import { formatDate } from '../../admin/dates.ts'
import { displayName } from '../../auth/users.ts'
import type { Person } from '../../register/index.ts'
import { personFor, type IdRequest } from './access.ts'

const TRAIL_LIMIT = 50

const signInLinkOffer = (refusal: ReturnType<typeof signInLinkRefusal>) => ({ allowed: refusal === null, ssoRequired: refusal === 'sso_required' })

export interface DetailState {
  status?: number
  /** The offboard form's message when its confirmation was not ticked. */
  errors?: { confirm?: string }
  /** A message for the whole page: a conflict, or something no longer held. */
  problem?: string
}

function facts (app: FastifyInstance, p: Person, dateFormat: string) {
  return [
    ['Email', p.email], ['Job title', p.job_title], ['Department', p.department], ['Location', p.location],
    ['Cost center', p.cost_center], ['Start date', formatDate(p.start_date, dateFormat)], ['End date', formatDate(p.end_date, dateFormat)],
    ['Source', app.integrations.plugin(p.source)?.manifest.name ?? p.source]
  ].map(([label, value]) => ({ label, value: value || null }))
}

/**
 * A person's page: their HR fields, what they hold and, for admins, the audit trail, the Recover
 * and Revoke buttons and the Offboard form. An employee sees their own page, read-only.
 */
export async function renderDetail (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, person: Person, state: DetailState = {}) {
  const workspaceId = request.workspace.id
  const admin = isAdmin(request)
  const [holdings, manager, trail] = await Promise.all([
    app.registry.people.holdings(workspaceId, person.id),
    person.manager_id ? app.registry.people.get(workspaceId, person.manager_id) : null,
    admin ? app.audit.trail(workspaceId, 'person', person.id, TRAIL_LIMIT) : []
  ])
  const self = person.id === request.user!.id
  const name = displayName(person)
  return reply.code(state.status ?? 200).view('pages/people/detail', {
    title: name,
    person: { ...person, name },
    admin,
    self,
    facts: facts(app, person, request.workspace.date_format),
    manager: manager && { id: manager.id, name: displayName(manager), email: manager.email },
    hardware: holdings.hardware,
    seats: holdings.seats,
    holds: holdings.hardware.length + holdings.seats.length,
    offboarded: person.status === 'offboarded',
    // Offboarding yourself would end your own session half-way through recovering what you hold.
    canOffboard: admin && person.status !== 'offboarded' && !self,
    signInLink: admin && person.status === 'active' ? signInLinkOffer(signInLinkRefusal(request.user!, person, request.workspace)) : null,
    trail,
    trailLimited: trail.length === TRAIL_LIMIT,
    errors: state.errors ?? {},
    problem: state.problem ?? null
  })
}

export async function showDetail (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  return renderDetail(app, request, reply, await personFor(app, request))
}
