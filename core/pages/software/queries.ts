import type { Knex } from 'knex'
import { displayName } from '../../auth/users.ts'
import { IDLE_SEAT, IDLE_SEAT_DAYS, isUuid, NotFoundError, softwareUsage, type SoftwareWithUsage } from '../../register/index.ts'

// A tool with no API has its seats in use counted by hand (manual_seat_count); the others count the
// seats held in the register. Cost per seat is monthly, and every purchased seat is paid for
// (MONTHLY_SPEND, the register's). SQL on the register's usage query, alias `s`.
export const IN_USE = 'coalesce(s.manual_seat_count, s.seats_assigned)'

/** Software as the pages show it: seats purchased against in use, utilization and what it costs a month. */
export interface SoftwareView extends SoftwareWithUsage {
  seats_in_use: number
  counted_by_hand: boolean
  /** Active seats as a percentage of those held; null with no seats held. */
  utilization: number | null
  /** More seats in use than purchased. */
  over: boolean
  idle_cost: number | null
}

/** The workspace's software with its figures, one row a title (a derived table, so pages sort on the figures). */
export function softwareQuery (db: Knex, workspaceId: string): Knex.QueryBuilder {
  return db.from(softwareUsage(db, workspaceId).as('s'))
    .select('s.*', db.raw(`${IN_USE}::int AS seats_in_use`), db.raw('(s.cost_per_seat * s.seats_idle)::float8 AS idle_cost'))
}

export function toSoftwareView (raw: Record<string, unknown>): SoftwareView {
  const row = raw as unknown as SoftwareView
  const active = row.seats_active
  return {
    ...row,
    cost_per_seat: row.cost_per_seat == null ? null : Number(row.cost_per_seat),
    counted_by_hand: row.manual_seat_count !== null,
    utilization: row.seats_assigned > 0 ? Math.round(100 * active / row.seats_assigned) : null,
    over: row.seats_in_use > row.seats_purchased
  }
}

/** One title of the workspace with its figures; another workspace's is as missing as an unknown id. */
export async function findSoftware (db: Knex, workspaceId: string, id: string): Promise<SoftwareView> {
  const raw = isUuid(id) ? await softwareQuery(db, workspaceId).where('s.id', id).first() : undefined
  if (!raw) throw new NotFoundError('Software', id)
  return toSoftwareView(raw)
}

/** A held seat as the software page lists it: who holds it, since when, when last active, whether idle. */
export interface SeatView {
  id: string
  user_id: string | null
  holder_name: string
  holder_email: string
  /** Held by an outside address, not a person of the workspace. */
  external: boolean
  holder_status: string | null
  assigned_at: Date
  last_active_at: Date | null
  source: string
  idle: boolean
}

/** The held seats of one title with their holders, and the idle flag by the register's rule (one query). */
export function seatsQuery (db: Knex, workspaceId: string, softwareId: string): Knex.QueryBuilder {
  return db('software_assignments as sa')
    .leftJoin('users as u', join => join.on('u.id', 'sa.user_id').andOn('u.workspace_id', 'sa.workspace_id'))
    .where({ 'sa.workspace_id': workspaceId, 'sa.software_id': softwareId }).whereNull('sa.revoked_at')
    .select('sa.id', 'sa.user_id', 'sa.external_email', 'sa.assigned_at', 'sa.last_active_at', 'sa.source',
      'u.email as user_email', 'u.first_name', 'u.last_name', 'u.status as holder_status')
    .select(db.raw(`(${IDLE_SEAT}) AS idle`, [IDLE_SEAT_DAYS]))
}

/** Only the idle seats (idle), or only those in use (not idle). */
export function whereIdle (query: Knex.QueryBuilder, idle: boolean): Knex.QueryBuilder {
  return query.whereRaw(`${idle ? '' : 'NOT '}(${IDLE_SEAT})`, [IDLE_SEAT_DAYS])
}

export function toSeatView (raw: Record<string, unknown>): SeatView {
  const email = (raw.user_email ?? raw.external_email) as string
  return {
    id: raw.id as string,
    user_id: raw.user_id as string | null,
    holder_name: raw.user_email ? displayName({ first_name: raw.first_name as string | null, last_name: raw.last_name as string | null, email }) : email,
    holder_email: email,
    external: !raw.user_id,
    holder_status: raw.holder_status as string | null,
    assigned_at: raw.assigned_at as Date,
    last_active_at: raw.last_active_at as Date | null,
    source: raw.source as string,
    idle: Boolean(raw.idle)
  }
}

/** One held seat of the workspace with its title's name and holder; anything else is as missing as an unknown id. */
export async function findSeat (db: Knex, workspaceId: string, seatId: string): Promise<SeatView & { software_id: string, software_name: string }> {
  const raw = isUuid(seatId)
    ? await db('software_assignments as sa')
      .join('software as s', join => join.on('s.id', 'sa.software_id').andOn('s.workspace_id', 'sa.workspace_id'))
      .leftJoin('users as u', join => join.on('u.id', 'sa.user_id').andOn('u.workspace_id', 'sa.workspace_id'))
      .where({ 'sa.workspace_id': workspaceId, 'sa.id': seatId })
      .select('sa.*', 's.name as software_name', 'u.email as user_email', 'u.first_name', 'u.last_name', 'u.status as holder_status')
      .first()
    : undefined
  if (!raw) throw new NotFoundError('Seat', seatId)
  return { ...toSeatView(raw), software_id: raw.software_id, software_name: raw.software_name }
}
