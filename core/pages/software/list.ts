import type { Knex } from 'knex'
import { containsPattern, readListBatches, readListPage, type ListQuery, type ListSpec, type Page, type PageSource } from '../../admin/list/index.ts'
import { IN_USE, seatsQuery, softwareQuery, toSeatView, toSoftwareView, whereIdle, type SeatView, type SoftwareView } from './queries.ts'

type SoftwareSort = 'name' | 'in_use' | 'idle' | 'spend' | 'renewal'

/**
 * The software list. A workspace has tens or hundreds of titles, not millions, so the figures are
 * sorted as computed rather than through indexes. Titles without a cost or a renewal date come last.
 */
export const SOFTWARE_LIST: ListSpec<never, SoftwareSort> = {
  filters: {},
  sorts: {
    name: { label: 'Software', segments: [{ keys: ['lower(s.name)'] }] },
    in_use: { label: 'Seats in use', defaultDir: 'desc', segments: [{ keys: [IN_USE] }] },
    idle: { label: 'Idle', defaultDir: 'desc', segments: [{ keys: ['s.seats_idle'] }] },
    spend: {
      label: 'Monthly spend',
      defaultDir: 'desc',
      segments: [{ where: 's.cost_per_seat IS NOT NULL', keys: ['s.monthly_spend'] }, { where: 's.cost_per_seat IS NULL', keys: [] }]
    },
    renewal: { label: 'Renewal', segments: [{ where: 's.renewal_date IS NOT NULL', keys: ['s.renewal_date'] }, { where: 's.renewal_date IS NULL', keys: [] }] }
  },
  defaultSort: 'name',
  search: { max: 200 }
}

export type SoftwareListQuery = ListQuery<never, SoftwareSort>

function softwareSource (db: Knex, workspaceId: string, list: SoftwareListQuery): PageSource {
  const query = () => softwareQuery(db, workspaceId).modify(q => {
    for (const term of list.terms) q.whereRaw("lower(s.name || ' ' || coalesce(s.vendor, '')) LIKE lower(?)", [containsPattern(term)])
  })
  return { db, query, sort: list.sort, idColumn: 's.id' }
}

export function softwarePage (db: Knex, workspaceId: string, list: SoftwareListQuery, limit: number): Promise<Page<SoftwareView>> {
  return readListPage(softwareSource(db, workspaceId, list), list, limit, toSoftwareView)
}

export function softwareBatches (db: Knex, workspaceId: string, list: SoftwareListQuery): AsyncGenerator<SoftwareView[]> {
  return readListBatches(softwareSource(db, workspaceId, list), toSoftwareView)
}

type SeatSort = 'holder' | 'assigned' | 'last_active'

/**
 * The seats of one title on its page: all, those in use or the idle ones, by holder, assignment or
 * last activity (never used last). migrations/007 indexes the last two; the holder order joins people.
 */
export const SEAT_LIST: ListSpec<'seats', SeatSort> = {
  filters: { seats: { kind: 'choice', values: ['active', 'idle'] } },
  sorts: {
    holder: { label: 'Holder', segments: [{ keys: ['lower(coalesce(u.email, sa.external_email))'] }] },
    assigned: { label: 'Assigned', defaultDir: 'desc', segments: [{ keys: ['sa.assigned_at'] }] },
    last_active: {
      label: 'Last active',
      defaultDir: 'desc',
      segments: [{ where: 'sa.last_active_at IS NOT NULL', keys: ['sa.last_active_at'] }, { where: 'sa.last_active_at IS NULL', keys: [] }]
    }
  },
  defaultSort: 'holder'
}

export type SeatListQuery = ListQuery<'seats', SeatSort>

function seatSource (db: Knex, workspaceId: string, softwareId: string, list: SeatListQuery): PageSource {
  const { seats } = list.filters
  const query = () => seatsQuery(db, workspaceId, softwareId).modify(q => { if (seats) whereIdle(q, seats === 'idle') })
  return { db, query, sort: list.sort, idColumn: 'sa.id' }
}

export function seatPage (db: Knex, workspaceId: string, softwareId: string, list: SeatListQuery, limit: number): Promise<Page<SeatView>> {
  return readListPage(seatSource(db, workspaceId, softwareId, list), list, limit, toSeatView)
}
