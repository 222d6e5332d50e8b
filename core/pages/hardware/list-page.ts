import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { choiceOptions, parseListQuery, sendCsv, sendListPage, type Column, type RawQuery } from '../../admin/list/index.ts'
import { HARDWARE_STATUSES } from '../../register/index.ts'
import { statusLabeller } from '../../admin/status-labels.ts'
import { HARDWARE_COLUMNS } from './csv.ts'
import { isAdmin, scopeOf } from './access.ts'
import { filterChoices, HARDWARE_LIST, hardwareBatches, hardwarePage, type HardwareListQuery } from './list.ts'

const PAGE_SIZE = 50
const COLUMNS: Array<Column<keyof typeof HARDWARE_LIST.sorts>> = [
  { label: 'Asset tag', sort: 'asset_tag' }, { label: 'Name', sort: 'name' }, { label: 'Model', sort: 'model' },
  { label: 'Category' }, { label: 'Status', sort: 'status' }, { label: 'Assigned to', sort: 'assignee' }, { label: 'Updated', sort: 'updated' }
]

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>

async function filterOptions (app: FastifyInstance, request: FastifyRequest, list: HardwareListQuery) {
  const status = choiceOptions(HARDWARE_STATUSES, list.filters.status, statusLabeller('hardware'))
  // An employee's handful of devices needs no more than search and status.
  if (!isAdmin(request)) return { status }
  const found = await filterChoices(app.db, request.workspace.id)
  const pluginName = (id: string) => app.integrations.plugin(id)?.manifest.name ?? id
  return {
    status,
    category: choiceOptions(found.category, list.filters.category),
    manufacturer: choiceOptions(found.manufacturer, list.filters.manufacturer),
    source: choiceOptions(found.source, list.filters.source, pluginName)
  }
}

/** The hardware list: the page, the filter panel (htmx filtering and sorting) or more rows ("Load more"). */
export async function renderList (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  const list = parseListQuery(request.query ?? {}, HARDWARE_LIST)
  const page = await hardwarePage(app.db, request.workspace.id, list, scopeOf(request), PAGE_SIZE)
  const more = async () => ({ options: await filterOptions(app, request, list) })
  return sendListPage(request, reply, { name: 'hardware', title: 'Hardware', spec: HARDWARE_LIST, list, page, columns: COLUMNS, more })
}

/** /hardware.csv: the list as filtered, searched and sorted, streamed a batch at a time. */
export async function exportCsv (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  const list = parseListQuery(request.query ?? {}, HARDWARE_LIST)
  return sendCsv(request, reply, 'hardware', list, HARDWARE_COLUMNS, () => hardwareBatches(app.db, request.workspace.id, list, scopeOf(request)))
}
