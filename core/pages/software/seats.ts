import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { fieldMessages, numberInput, type FormSpec } from '../../admin/form.ts'
import { first } from '../../admin/list/index.ts'
import { ConflictError, NotFoundError, ValidationError, type SeatHolder, type SoftwarePatch } from '../../register/index.ts'
import { postedVersion } from '../hardware/access.ts'
import { findAssignee } from '../hardware/queries.ts'
import { renderDetail } from './detail.ts'
import type { IdRequest } from './form-page.ts'
import { SOFTWARE_FORM } from './form.ts'
import { findSeat, findSoftware, type SeatView } from './queries.ts'

export type SeatRequest = FastifyRequest<{ Params: { id: string, seatId: string }, Querystring: Record<string, unknown>, Body: Record<string, unknown> | undefined }>

/** The assign form's fields, for the register's messages about them. */
const SEAT_FORM: FormSpec<'person' | 'external_email'> = {
  id: 'seat',
  groups: [{
    legend: 'Assign a seat',
    fields: [{ name: 'person', label: 'This person', registerField: 'user_id' }, { name: 'external_email', label: 'This address', type: 'email' }]
  }]
}

/** Gives a seat by hand: to an active person of the workspace, or to an outside email address. */
export async function assignSeat (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const software = await findSoftware(app.db, workspaceId, request.params.id)
  const values = { person: first(request.body?.person), external_email: first(request.body?.external_email) }
  const refuse = (errors: Record<string, string>, problem?: string) =>
    renderDetail(app, request, reply, software, { status: 422, assign: values, errors, problem })
  if (!values.person === !values.external_email) {
    return refuse({
      person: values.person
        ? 'Fill in one of the two: a person of the workspace, or an outside email address.'
        : 'Choose a person, or enter an outside email address.'
    })
  }
  let holder: SeatHolder = { externalEmail: values.external_email }
  let label = values.external_email
  if (values.person) {
    const found = await findAssignee(app.db, workspaceId, values.person, 'hold a seat')
    if ('error' in found) return refuse({ person: found.error })
    holder = { userId: found.person.id }
    label = found.person.name
  }
  try {
    await app.registry.software.assignSeat(workspaceId, request.actor(), software.id, holder)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    const { fields, form } = fieldMessages(SEAT_FORM, err.errors)
    return refuse(fields, form.join(' ') || undefined)
  }
  reply.flash('success', `${label} now holds a seat of ${software.name}.`)
  return redirectPage(request, reply, `/software/${software.id}`)
}

/**
 * Revokes a seat through the register and goes back to `back`; a seat revoked meanwhile is
 * `refused` with a message for the page. Shared by the software and the person pages.
 */
export async function revokeSeat (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, seat: SeatView & { software_name: string },
  back: string, refused: (problem: string) => Promise<unknown>) {
  try {
    await app.registry.software.revokeSeat(request.workspace.id, request.actor(), seat.id)
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    return refused(`The ${seat.software_name} seat of ${seat.holder_name} was already revoked, so nothing was done.`)
  }
  reply.flash('success', `Revoked the ${seat.software_name} seat of ${seat.holder_name}.`)
  return redirectPage(request, reply, back)
}

/** Revoke on the software's page: the seat must be one of this title's. */
export async function revokeFromSoftware (app: FastifyInstance, request: SeatRequest, reply: FastifyReply) {
  const software = await findSoftware(app.db, request.workspace.id, request.params.id)
  const seat = await findSeat(app.db, request.workspace.id, request.params.seatId)
  if (seat.software_id !== software.id) throw new NotFoundError('Seat', seat.id)
  return revokeSeat(app, request, reply, seat, `/software/${software.id}`,
    problem => renderDetail(app, request, reply, software, { status: 409, problem }))
}

/** The count of seats in use kept by hand, for a tool with no API; blank goes back to counting assigned seats. */
export async function saveSeatCount (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const software = await findSoftware(app.db, workspaceId, request.params.id)
  const count = first(request.body?.manual_seat_count)
  try {
    await app.registry.software.update(workspaceId, request.actor(), software.id,
      { manual_seat_count: numberInput(count, 'whole') } as SoftwarePatch, { expectedVersion: postedVersion(request.body) })
  } catch (err) {
    if (err instanceof ConflictError) {
      const latest = await findSoftware(app.db, workspaceId, software.id)
      return renderDetail(app, request, reply, latest, {
        status: 409, count, problem: `Someone changed ${software.name} since you opened this page, so the count was not saved. Check the figures below and try again.`
      })
    }
    if (!(err instanceof ValidationError)) throw err
    const { fields } = fieldMessages(SOFTWARE_FORM, err.errors)
    return renderDetail(app, request, reply, software, { status: 422, count, errors: { manual_seat_count: fields.manual_seat_count } })
  }
  reply.flash('success', count === ''
    ? `${software.name}: the seats assigned here are counted again.`
    : `${software.name}: ${Number(count)} seats in use, counted by hand.`)
  return redirectPage(request, reply, `/software/${software.id}`)
}
