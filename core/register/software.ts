import type { Knex } from 'knex'
import type { Actor } from '../audit/index.ts'
import type { RegisterContext } from './change.ts'
import { NotFoundError } from './errors.ts'
import { editRow, insertRow, isUuid, page, type Page, type VersionCheck } from './records.ts'
import { seatService } from './software-seats.ts'
import {
  SOFTWARE, validateSoftware, validateSoftwarePatch,
  type Software, type SoftwareInput, type SoftwarePatch, type SoftwareWithUsage
} from './software.schema.ts'

export type SoftwareService = ReturnType<typeof softwareService>

/** A seat held this many days and not used in as many (or never) is idle; a newer one is not idle yet. */
export const IDLE_SEAT_DAYS = 30

export interface IdleSeats { seats: number, monthlyCost: number }

export function softwareService (ctx: RegisterContext) {
  const { db, run } = ctx
  return {
    // The product defines no event for a software record itself, only for its seats.
    async create (workspaceId: string, actor: Actor, input: SoftwareInput): Promise<Software> {
      const values = validateSoftware(input)
      return await run(workspaceId, actor, async trx => {
        return { result: await insertRow(trx, SOFTWARE, workspaceId, values, { actor, action: 'software.created' }) }
      })
    },

    async update (workspaceId: string, actor: Actor, id: string, patch: SoftwarePatch, opts: VersionCheck = {}): Promise<Software> {
      const values = validateSoftwarePatch(patch)
      return await run(workspaceId, actor, trx => editRow(trx, SOFTWARE, workspaceId, id, values, opts.expectedVersion, { actor, action: 'software.updated' }))
    },

    async get (workspaceId: string, id: string): Promise<SoftwareWithUsage> {
      const row = isUuid(id) ? await softwareUsage(db, workspaceId).where('s.id', id).first() : undefined
      if (!row) throw new NotFoundError(SOFTWARE.noun, id)
      return usageFromDb(row)
    },

    async list (workspaceId: string, query: Page = {}): Promise<SoftwareWithUsage[]> {
      return (await page(softwareUsage(db, workspaceId).orderByRaw('lower(s.name), s.id'), query)).map(usageFromDb)
    },

    /** Idle held seats (IDLE_SEAT), and what they cost a month (cost_per_seat is monthly). */
    async idleSeats (workspaceId: string, days = IDLE_SEAT_DAYS): Promise<IdleSeats> {
      const { rows: [row] } = await db.raw(`SELECT count(*)::int AS seats, coalesce(sum(s.cost_per_seat), 0)::float8 AS monthly_cost
        FROM software s CROSS JOIN LATERAL (SELECT sa.assigned_at, sa.last_active_at FROM ${HELD_SEATS}) sa
        WHERE s.workspace_id = ? AND (${IDLE_SEAT})`, [workspaceId, days])
      return { seats: row.seats, monthlyCost: row.monthly_cost }
    },

    ...seatService(ctx)
  }
}

/** The seats of software `s` held now (not revoked): what usage and idleness are counted from. */
const HELD_SEATS = `software_assignments sa
  WHERE sa.workspace_id = s.workspace_id AND sa.software_id = s.id AND sa.revoked_at IS NULL`

/**
 * Whether the held seat `sa` is idle: neither assigned nor used in the last `days` days (greatest()
 * skips a null last use), so a seat handed out last week is not idle before its holder had the time
 * to use it. SQL with one binding (the days), for a condition on software_assignments aliased `sa`.
 */
export const IDLE_SEAT = 'greatest(sa.assigned_at, sa.last_active_at) < now() - make_interval(days => ?)'

/**
 * Software (alias `s`) with the number of seats held now, how many of those are idle and how many
 * were used in the idle window (the rest, assigned lately and not used yet, are neither), counted
 * by the database in the same query, and what it costs a month: every purchased seat (what is
 * paid, used or not), in the workspace currency. The pages page and sort on it as a derived table.
 */
export function softwareUsage (db: Knex, workspaceId: string): Knex.QueryBuilder {
  return db('software as s')
    .select(SOFTWARE.columns.map(c => `s.${c}`))
    .select(db.raw(`(${MONTHLY_SPEND})::float8 AS monthly_spend`))
    .select(db.raw('(SELECT w.currency FROM workspaces w WHERE w.id = s.workspace_id) AS currency'))
    .select(db.raw(`(SELECT count(*) FROM ${HELD_SEATS})::int AS seats_assigned`))
    .select(db.raw(`(SELECT count(*) FROM ${HELD_SEATS} AND (${IDLE_SEAT}))::int AS seats_idle`, [IDLE_SEAT_DAYS]))
    .select(db.raw(`(SELECT count(*) FROM ${HELD_SEATS} AND sa.last_active_at >= now() - make_interval(days => ?))::int AS seats_active`, [IDLE_SEAT_DAYS]))
    .where('s.workspace_id', workspaceId)
}

/** What a title costs a month: cost per seat × seats purchased; null without a cost per seat. SQL on `s`. */
export const MONTHLY_SPEND = 's.cost_per_seat * s.seats_purchased'

// fromDb keeps the extra column and converts the numeric ones.
export const usageFromDb = (raw: Record<string, unknown>) => SOFTWARE.fromDb(raw) as SoftwareWithUsage
