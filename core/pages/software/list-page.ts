import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parseListQuery, sendCsv, sendListPage, type Column, type RawQuery } from '../../admin/list/index.ts'
import { isAdmin } from '../../auth/session.ts'
import { IDLE_SEAT_DAYS } from '../../register/index.ts'
import { SOFTWARE_COLUMNS } from './csv.ts'
import { SOFTWARE_LIST, softwareBatches, softwarePage } from './list.ts'

const PAGE_SIZE = 50
const COLUMNS: Array<Column<keyof typeof SOFTWARE_LIST.sorts>> = [
  { label: 'Software', sort: 'name' }, { label: 'Seats in use', sort: 'in_use' }, { label: 'Active' }, { label: 'Idle', sort: 'idle' },
  { label: 'Cost per seat' }, { label: 'Monthly spend', sort: 'spend' }, { label: 'Renewal', sort: 'renewal' }
]

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>

/** An employee's software: the seats they hold, read-only. */
async function renderMine (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const { seats } = await app.registry.people.holdings(request.workspace.id, request.user!.id)
  return reply.view('pages/software/mine', { title: 'Software', seats })
}

/**
 * /software: for admins every licence with its seats, utilization and monthly spend (the page, the
 * htmx panel or more rows); for an employee the seats they hold.
 */
export async function renderList (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  if (!isAdmin(request)) return renderMine(app, request, reply)
  const workspaceId = request.workspace.id
  const list = parseListQuery(request.query ?? {}, SOFTWARE_LIST)
  const page = await softwarePage(app.db, workspaceId, list, PAGE_SIZE)
  const more = async () => ({ idle: await app.registry.software.idleSeats(workspaceId) })
  return sendListPage(request, reply, { name: 'software', title: 'Software', spec: SOFTWARE_LIST, list, page, columns: COLUMNS, data: { idleDays: IDLE_SEAT_DAYS }, more })
}

/** /software.csv: every licence as searched and sorted, with its figures. */
export async function sendSoftwareCsv (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  const list = parseListQuery(request.query ?? {}, SOFTWARE_LIST)
  return sendCsv(request, reply, 'software', list, SOFTWARE_COLUMNS, () => softwareBatches(app.db, request.workspace.id, list))
}
