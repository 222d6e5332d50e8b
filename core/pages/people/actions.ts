import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { redirectPage } from '../../admin/errors.ts'
import { first } from '../../admin/list/index.ts'
import { displayName } from '../../auth/users.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../register/index.ts'
import { postedVersion } from '../hardware/access.ts'
import { findSeat } from '../software/queries.ts'
import { revokeSeat } from '../software/seats.ts'
import { personFor, type IdRequest } from './access.ts'
import { renderDetail } from './detail.ts'

type HardwareRequest = FastifyRequest<{ Params: { id: string, hardwareId: string }, Body: Record<string, unknown> | undefined }>
type SeatRequest = FastifyRequest<{ Params: { id: string, seatId: string }, Body: Record<string, unknown> | undefined }>

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/**
 * Offboards the person through the register (which emits user.offboarded) once the admin ticked
 * the confirmation, then shows their page with what they still hold, to recover and revoke.
 */
export async function offboard (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const person = await personFor(app, request)
  const name = displayName(person)
  if (person.id === request.user!.id) {
    return renderDetail(app, request, reply, person, { status: 422, problem: 'You cannot offboard yourself: ask another admin.' })
  }
  if (first(request.body?.confirm) !== 'yes') {
    return renderDetail(app, request, reply, person, { status: 422, errors: { confirm: `Tick the box to confirm that ${name} is leaving.` } })
  }
  let result
  try {
    result = await app.registry.people.offboard(workspaceId, request.actor(), person.id, { expectedVersion: postedVersion(request.body) })
  } catch (err) {
    if (err instanceof ValidationError && err.errors.some(e => e.rule === 'last_super_admin')) {
      return renderDetail(app, request, reply, person, { status: 422, problem: `${name} is the last active super-admin of this workspace: make someone else super-admin first, then offboard them.` })
    }
    if (!(err instanceof ConflictError)) throw err
    const latest = await app.registry.people.get(workspaceId, person.id)
    return renderDetail(app, request, reply, latest, {
      status: 409, problem: `Someone changed ${name} since you opened this page, so they were not offboarded. Check the details below and try again.`
    })
  }
  const held = [count(result.hardware.length, 'device'), count(result.seats.length, 'software seat')].join(' and ')
  const message = person.status === 'offboarded'
    ? `${name} was already offboarded.`
    : result.hardware.length + result.seats.length > 0
      ? `${name} is offboarded. They still hold ${held}: recover them below.`
      : `${name} is offboarded. They hold no hardware or software seats.`
  reply.flash(result.hardware.length + result.seats.length > 0 ? 'info' : 'success', message)
  return redirectPage(request, reply, `/people/${person.id}`)
}

/** Recover, from the person's page: the hardware comes back available and the admin stays on the page. */
export async function recoverHardware (app: FastifyInstance, request: HardwareRequest, reply: FastifyReply) {
  const workspaceId = request.workspace.id
  const person = await personFor(app, request)
  const hardware = await app.registry.hardware.get(workspaceId, request.params.hardwareId)
  const refused = (problem: string) => renderDetail(app, request, reply, person, { status: 409, problem })
  if (hardware.assigned_user_id !== person.id) {
    return refused(`${hardware.asset_tag} is no longer assigned to ${displayName(person)}, so nothing was done.`)
  }
  try {
    await app.registry.hardware.recover(workspaceId, request.actor(), hardware.id, { expectedVersion: postedVersion(request.body) })
  } catch (err) {
    if (err instanceof ConflictError) return refused(`Someone changed ${hardware.asset_tag} since you opened this page, so nothing was done. Check it below and try again.`)
    if (err instanceof ValidationError) return refused(err.errors.map(e => `${e.message[0].toUpperCase()}${e.message.slice(1)}.`).join(' '))
    throw err
  }
  reply.flash('success', `${hardware.asset_tag} is recovered from ${displayName(person)} and available again.`)
  return redirectPage(request, reply, `/people/${person.id}`)
}

/** Revoke, from the person's page: the seat must be one of theirs. */
export async function revokePersonSeat (app: FastifyInstance, request: SeatRequest, reply: FastifyReply) {
  const person = await personFor(app, request)
  const seat = await findSeat(app.db, request.workspace.id, request.params.seatId)
  if (seat.user_id !== person.id) throw new NotFoundError('Seat', seat.id)
  return revokeSeat(app, request, reply, seat, `/people/${person.id}`,
    problem => renderDetail(app, request, reply, person, { status: 409, problem }))
}
