import type { FastifyInstance, FastifyReply } from 'fastify'
import { listHref, pageLinks, parseListQuery, sortHeaders, tableColumns } from '../../admin/list/index.ts'
import { IDLE_SEAT_DAYS } from '../../register/index.ts'
import { formatDate } from '../../admin/dates.ts'
import { activePeople } from '../hardware/queries.ts'
import type { IdRequest } from './form-page.ts'
import { MANUAL_COUNT_HINT } from './form.ts'
import { SEAT_LIST, seatPage } from './list.ts'
import { findSoftware, type SoftwareView } from './queries.ts'

const SEAT_PAGE_SIZE = 50
/** Idle seats shown to reclaim at once; the seats list filtered to idle has them all. */
const RECLAIM_LIMIT = 20
const TRAIL_LIMIT = 50
const PEOPLE_SUGGESTED = 50
const SEAT_COLUMNS = [{ label: 'Holder', sort: 'holder' }, { label: 'Assigned', sort: 'assigned' }, { label: 'Last active', sort: 'last_active' }, { label: 'Use' }, { label: 'Action' }] as const
const SEAT_FILTERS = [{ value: '', label: 'All' }, { value: 'active', label: 'In use' }, { value: 'idle', label: 'Idle' }]

export interface DetailState {
  status?: number
  /** What was typed into the assign and seat-count forms, and what was wrong with it. */
  assign?: { person: string, external_email: string }
  count?: string
  errors?: Partial<Record<'person' | 'external_email' | 'manual_seat_count', string>>
  /** A message for the whole page: a conflict, or a seat already revoked. */
  problem?: string
}

function figures (s: SoftwareView, dateFormat: string) {
  return [
    ['Vendor', s.vendor], ['Seats purchased', s.seats_purchased],
    ['Seats in use', s.counted_by_hand ? `${s.seats_in_use} (counted by hand)` : s.seats_in_use],
    ['Seats assigned here', s.seats_assigned],
    [`Active in the last ${IDLE_SEAT_DAYS} days`, s.seats_active], ['Idle', s.seats_idle],
    ['Utilization', s.utilization === null ? null : `${s.utilization}%`], ['Renewal date', formatDate(s.renewal_date, dateFormat) || null], ['Source', s.source]
  ].map(([label, value]) => ({ label, value: value === null || value === '' ? null : String(value) }))
}

/**
 * A licence's page: its figures, the idle seats to reclaim, every seat (filtered, sorted, paged by
 * the list toolkit), and the forms to assign a seat, revoke one and record a count kept by hand.
 * htmx "Load more" gets the seat rows only.
 */
export async function renderDetail (app: FastifyInstance, request: IdRequest, reply: FastifyReply, software: SoftwareView, state: DetailState = {}) {
  const workspaceId = request.workspace.id
  const base = `/software/${software.id}`
  const seats = parseListQuery(request.query ?? {}, SEAT_LIST)
  const page = await seatPage(app.db, workspaceId, software.id, seats, SEAT_PAGE_SIZE)
  const seatList = { rows: page.rows, ...pageLinks(base, seats, page.next) }
  if (request.headers['hx-target'] === 'seats-more' && !seats.invalid) {
    return reply.header('Vary', 'HX-Request, HX-Target').view('partials/software/seat-rows', { software, seatList, fragment: true })
  }
  const reclaimQuery = parseListQuery({ seats: 'idle', sort: 'last_active', dir: 'asc' }, SEAT_LIST)
  const [reclaim, trail, people] = await Promise.all([
    seatPage(app.db, workspaceId, software.id, reclaimQuery, RECLAIM_LIMIT),
    app.audit.trail(workspaceId, 'software', software.id, TRAIL_LIMIT),
    activePeople(app.db, workspaceId, '', PEOPLE_SUGGESTED)
  ])
  const headers = sortHeaders(SEAT_LIST.sorts, seats.sort, (sort, dir) => listHref(base, seats.params, { sort, dir }))
  return reply.code(state.status ?? (seats.invalid ? 422 : 200)).header('Vary', 'HX-Request, HX-Target').view('pages/software/detail', {
    title: software.name,
    software,
    figures: figures(software, request.workspace.date_format),
    idleDays: IDLE_SEAT_DAYS,
    reclaim: { rows: reclaim.rows, more: reclaim.next !== null, allUrl: listHref(base, reclaimQuery.params) },
    seatList: {
      ...seatList,
      errors: seats.errors,
      invalid: seats.invalid,
      filters: SEAT_FILTERS.map(f => ({ ...f, href: listHref(base, seats.params, { seats: f.value }), current: (seats.filters.seats ?? '') === f.value })),
      columns: tableColumns(SEAT_COLUMNS, headers)
    },
    people,
    assign: state.assign ?? { person: '', external_email: '' },
    count: state.count ?? (software.manual_seat_count === null ? '' : String(software.manual_seat_count)),
    countHint: MANUAL_COUNT_HINT,
    trail,
    trailLimited: trail.length === TRAIL_LIMIT,
    errors: state.errors ?? {},
    problem: state.problem ?? null
  })
}

export async function showDetail (app: FastifyInstance, request: IdRequest, reply: FastifyReply) {
  return renderDetail(app, request, reply, await findSoftware(app.db, request.workspace.id, request.params.id))
}
