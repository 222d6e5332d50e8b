import type { FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import { keysetBatches, keysetPage, parseListQuery, type ListQuery, type ListSpec, type Page, type PageSource, type RawQuery } from '../../admin/list/index.ts'
import { OPEN_REQUEST_STATUSES, REQUEST_STATUSES, type RequestStatus } from '../../register/index.ts'
import { isAdmin } from '../../auth/session.ts'
import { statusLabel } from '../../admin/status-labels.ts'
import { requestsQuery, toRequestView, type RequestScope, type RequestView } from './queries.ts'

/** The status filter: a status, `open` (created + approved) or `all`. */
export type StatusFilter = RequestStatus | 'open' | 'all'

export const STATUS_FILTERS: Array<{ value: StatusFilter, label: string }> = [
  { value: 'open', label: 'Open' },
  ...REQUEST_STATUSES.map(value => ({ value, label: statusLabel('request', value) })),
  { value: 'all', label: 'All' }
]

/** Newest first, the id breaking ties (migrations/006 indexes both orders a list uses). */
export const REQUEST_LIST: ListSpec<'status', 'created'> = {
  filters: { status: { kind: 'choice', values: STATUS_FILTERS.map(f => f.value) } },
  sorts: { created: { label: 'Requested', defaultDir: 'desc', segments: [{ keys: ['r.created_at'] }] } },
  defaultSort: 'created'
}

export type RequestListQuery = ListQuery<'status', 'created'>

export interface RequestList {
  list: RequestListQuery
  /** The filter in force: admins start from the open requests, an employee from all of theirs. */
  filter: StatusFilter
  /** An employee only ever sees their own requests. */
  scope: RequestScope
}

export function readRequestList (request: FastifyRequest<{ Querystring: RawQuery }>): RequestList {
  const list = parseListQuery(request.query ?? {}, REQUEST_LIST)
  const admin = isAdmin(request)
  const asked = list.errors.status ? undefined : list.filters.status as StatusFilter | undefined
  const filter = asked ?? (admin ? 'open' : 'all')
  const statuses = filter === 'all' ? undefined : filter === 'open' ? OPEN_REQUEST_STATUSES : [filter]
  return { list, filter, scope: { statuses, requesterId: admin ? undefined : request.user!.id } }
}

function source (db: Knex, workspaceId: string, { list, scope }: RequestList): PageSource {
  return { db, query: () => requestsQuery(db, workspaceId, scope), sort: list.sort, idColumn: 'r.id' }
}

export async function requestPage (db: Knex, workspaceId: string, read: RequestList, limit: number): Promise<Page<RequestView>> {
  if (read.list.invalid) return { rows: [], next: null }
  const page = await keysetPage<Record<string, unknown>>(source(db, workspaceId, read), read.list.cursor, limit)
  return { rows: page.rows.map(toRequestView), next: page.next }
}

/** Every request of the list, a batch at a time, for the CSV export. */
export async function * requestBatches (db: Knex, workspaceId: string, read: RequestList): AsyncGenerator<RequestView[]> {
  for await (const batch of keysetBatches<Record<string, unknown>>(source(db, workspaceId, read))) yield batch.map(toRequestView)
}
