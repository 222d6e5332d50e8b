import type { FastifyInstance, FastifyReply } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { ConflictError, TRANSITIONS, ValidationError } from '../../register/index.ts'
import { renderDetail, requestFor, type IdRequest } from './detail.ts'
import { field, fieldMessages, versionOf } from './form.ts'
import { findRequest, type RequestView } from './queries.ts'
import { statusLabel } from '../../admin/status-labels.ts'

export type Decision = 'approve' | 'reject' | 'fulfil'

/** A request's status inside a sentence: "submitted". */
export const inWords = (status: string): string => statusLabel('request', status).toLowerCase()

const MOVES: Record<Decision, keyof typeof TRANSITIONS> = { approve: 'approved', reject: 'rejected', fulfil: 'fulfilled' }

const FORM = {
  labels: { reason: 'Reason', hardware_id: 'Hardware' },
  messages: {
    'reason.required': 'Give a reason for the rejection: the requester sees it.',
    'hardware_id.required': 'Choose the hardware to hand over.',
    'hardware_id.format': 'Choose the hardware to hand over.',
    'hardware_id.exists': 'Choose hardware from this workspace.'
  }
}

function done (decision: Decision, view: RequestView): string {
  if (decision === 'approve') return 'Request approved.'
  if (decision === 'reject') return 'Request rejected. The reason is shown to the requester.'
  return `Request fulfilled: the hardware is now assigned to ${view.requester_name}.`
}

/**
 * Approve, reject or fulfil through the register (which audits and emits the event), at the
 * version the admin saw. A refusal comes back on the request's page with what was typed.
 */
export async function decide (app: FastifyInstance, request: IdRequest, reply: FastifyReply, decision: Decision) {
  const ws = request.workspace.id
  const view = await requestFor(app, request)
  const values = { reason: field(request.body, 'reason'), hardware_id: field(request.body, 'hardware_id') }
  const expectedVersion = versionOf(request.body)
  if (expectedVersion === undefined) {
    return renderDetail(app, request, reply, view, { status: 422, values, problem: 'The form did not say which version of the request you saw. Reload the page and decide again.' })
  }
  const requests = app.registry.requests
  const actor = request.actor()
  try {
    if (decision === 'approve') await requests.approve(ws, actor, view.id, { expectedVersion })
    else if (decision === 'reject') await requests.reject(ws, actor, view.id, values.reason, { expectedVersion })
    else await requests.fulfil(ws, actor, view.id, values.hardware_id, { expectedVersion })
  } catch (err) {
    if (!(err instanceof ConflictError) && !(err instanceof ValidationError)) throw err
    const fresh = await findRequest(app.db, ws, view.id)
    if (err instanceof ConflictError) {
      return renderDetail(app, request, reply, fresh, {
        status: 409, values, problem: `Someone changed this request after you opened it: it is now ${inWords(fresh.status)}. Check it below and decide again.`
      })
    }
    const to = MOVES[decision]
    if (!TRANSITIONS[to].includes(fresh.status)) {
      return renderDetail(app, request, reply, fresh, { status: 409, values, problem: `This request is ${inWords(fresh.status)}, so it cannot be ${to} now.` })
    }
    const { errors, other } = fieldMessages(err, FORM)
    // The request could move, so a status refusal is about the chosen hardware (e.g. assigned meanwhile).
    if (decision === 'fulfil' && other.length > 0 && !errors.hardware_id) errors.hardware_id = `${other.shift()!.replace(/^./, c => c.toUpperCase())}.`
    return renderDetail(app, request, reply, fresh, { status: 422, values, errors, problem: other.length > 0 ? other.join('; ') : undefined })
  }
  reply.flash('success', done(decision, view))
  return redirectPage(request, reply, `/requests/${view.id}`)
}
