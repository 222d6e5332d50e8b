import type { Actor } from '../audit/index.ts'
import type { RegisterContext } from './change.ts'
import { NotFoundError, ValidationError } from './errors.ts'
import { requirePerson } from './people.ts'
import { findRow, isUuid, page, targetOf, type Page } from './records.ts'
import { SEAT_COLUMNS, SOFTWARE, validateSeat, type Seat, type SeatHolder, type SeatOptions } from './software.schema.ts'

export interface SeatQuery extends Page { includeRevoked?: boolean }

/** Seats of software: who holds one (a person or an outside address), from when, until revoked. */
export function seatService ({ db, run }: RegisterContext) {
  return {
    /** Gives a holder a seat; a holder has at most one active seat of a title (enforced by a unique index). */
    async assignSeat (workspaceId: string, actor: Actor, softwareId: string, holder: SeatHolder, opts: SeatOptions = {}): Promise<Seat> {
      const lastActiveAt = opts.lastActiveAt instanceof Date ? opts.lastActiveAt.toISOString() : opts.lastActiveAt
      const input = validateSeat(snakeCase({ ...holder, ...opts, lastActiveAt }))
      if ((input.user_id === undefined) === (input.external_email === undefined)) {
        throw ValidationError.of('user_id', 'required', 'give either a person (userId) or an external email (externalEmail), not both')
      }
      const holderField = input.user_id ? 'user_id' : 'external_email'
      return await run(workspaceId, actor, async trx => {
        const software = await findRow(trx, SOFTWARE, workspaceId, softwareId)
        const user = input.user_id ? await requirePerson(trx, workspaceId, input.user_id, 'user_id', false) : null
        const [seat] = await trx('software_assignments')
          .insert({ ...input, workspace_id: workspaceId, software_id: software.id })
          .returning(SEAT_COLUMNS) as Seat[]
        return {
          result: seat,
          audit: [{ action: 'software.assigned', target: targetOf(SOFTWARE, software), details: { seat_id: seat.id, [holderField]: seat[holderField] } }],
          events: [{ type: 'software.assigned', payload: { ...seat, software: { id: software.id, name: software.name, vendor: software.vendor }, user } }]
        }
      }, { software_assignments_active_holder_key: holderField })
    },

    async revokeSeat (workspaceId: string, actor: Actor, assignmentId: string): Promise<Seat> {
      return await run(workspaceId, actor, async trx => {
        const current: Seat | undefined = isUuid(assignmentId)
          ? await trx('software_assignments').select(SEAT_COLUMNS).where({ workspace_id: workspaceId, id: assignmentId }).forUpdate().first()
          : undefined
        if (!current) throw new NotFoundError('Seat', assignmentId)
        if (current.revoked_at) throw ValidationError.of('revoked_at', 'transition', 'this seat is already revoked')
        const [seat] = await trx('software_assignments').where({ workspace_id: workspaceId, id: assignmentId })
          .update({ revoked_at: trx.fn.now() }).returning(SEAT_COLUMNS) as Seat[]
        const software = await findRow(trx, SOFTWARE, workspaceId, seat.software_id)
        const holder = { user_id: seat.user_id, external_email: seat.external_email }
        return {
          result: seat,
          audit: [{ action: 'software.revoked', target: targetOf(SOFTWARE, software), details: { seat_id: seat.id, ...holder } }],
          events: [{ type: 'software.revoked', payload: { ...seat, software: { id: software.id, name: software.name, vendor: software.vendor } } }]
        }
      })
    },

    /** The seats of one title, active ones only unless asked. */
    async listSeats (workspaceId: string, softwareId: string, query: SeatQuery = {}): Promise<Seat[]> {
      await findRow(db, SOFTWARE, workspaceId, softwareId)
      return await page(db('software_assignments').select(SEAT_COLUMNS)
        .where({ workspace_id: workspaceId, software_id: softwareId })
        .modify(q => { if (!query.includeRevoked) q.whereNull('revoked_at') })
        .orderBy(['assigned_at', 'id']), query)
    }
  }
}

/** userId -> user_id: the API takes camelCase options, errors name the column. */
function snakeCase (input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([key, value]) => [key.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`), value]))
}
