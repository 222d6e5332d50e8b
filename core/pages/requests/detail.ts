import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isAdmin } from '../../auth/session.ts'
import { TRANSITIONS } from '../../register/index.ts'
import type { FieldErrors } from './form.ts'
import { availableHardware, findRequest, type RequestView } from './queries.ts'

/** The most hardware offered at once for a fulfilment; the search narrows bigger stocks. */
export const OPTION_LIMIT = 100

export type IdRequest = FastifyRequest<{ Params: { id: string }, Querystring: { hardware_q?: string }, Body: Record<string, unknown> | undefined }>

/** The request at :id as this user may see it: an employee's own only, anyone's for an admin (else 404). */
export function requestFor (app: FastifyInstance, request: IdRequest): Promise<RequestView> {
  return findRequest(app.db, request.workspace.id, request.params.id, isAdmin(request) ? {} : { requesterId: request.user!.id })
}

export interface DetailState {
  status?: number
  /** What was typed into the decision forms. */
  values?: { reason?: string, hardware_id?: string }
  errors?: FieldErrors
  /** A message for the whole page: a conflict or a move the request cannot make. */
  problem?: string
}

/** The request's page; for admins, the decisions its status allows, each a form carrying the version. */
export async function renderDetail (app: FastifyInstance, request: IdRequest, reply: FastifyReply, view: RequestView, state: DetailState = {}) {
  const admin = isAdmin(request)
  const can = (to: keyof typeof TRANSITIONS) => admin && TRANSITIONS[to].includes(view.status)
  const actions = { approve: can('approved'), reject: can('rejected'), fulfil: can('fulfilled') }
  const search = (request.query?.hardware_q ?? '').trim().slice(0, 100)
  const hardware = actions.fulfil ? await availableHardware(app.db, request.workspace.id, view.category, search, OPTION_LIMIT) : null
  const values = state.values ?? {}
  return reply.code(state.status ?? 200).view('pages/requests/detail', {
    title: `${view.category} request`,
    request: view,
    actions: actions.approve || actions.reject || actions.fulfil ? actions : null,
    canWithdraw: view.requester_id === request.user!.id && TRANSITIONS.withdrawn.includes(view.status),
    hardwareUrl: view.fulfilled_hardware_id && app.hasRoute({ method: 'GET', url: '/hardware/:id' }) ? `/hardware/${view.fulfilled_hardware_id}` : null,
    hardware: hardware && {
      search,
      more: hardware.more,
      limit: OPTION_LIMIT,
      options: hardware.options.map(h => ({ ...h, selected: h.id === values.hardware_id }))
    },
    values,
    errors: state.errors ?? {},
    problem: state.problem ?? null
  })
}
