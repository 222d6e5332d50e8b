import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { roleLabel } from '../../admin/helpers.ts'
import { statusLabeller } from '../../admin/status-labels.ts'
import { choiceOptions, parseListQuery, sendCsv, sendListPage, type Column, type RawQuery } from '../../admin/list/index.ts'
import { signInLinkRefusal } from '../../auth/send-sign-in-link.ts'
import { PERSON_ROLES, PERSON_STATUSES } from '../../register/index.ts'
import { PEOPLE_COLUMNS } from './csv.ts'
import { departments, PEOPLE_LIST, peopleBatches, peoplePage } from './list.ts'

const PAGE_SIZE = 50
const COLUMNS: Array<Column<keyof typeof PEOPLE_LIST.sorts>> = [
  { label: 'Name', sort: 'name' }, { label: 'Job title' }, { label: 'Department', sort: 'department' }, { label: 'Role', sort: 'role' },
  { label: 'Status', sort: 'status' }, { label: 'Started', sort: 'started' }, { label: 'Holds' }, { label: 'Sign-in' }
]

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>

/** The people list: the page, the filter panel (htmx filtering and sorting) or more rows ("Load more"). */
export async function renderList (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  const list = parseListQuery(request.query ?? {}, PEOPLE_LIST)
  const found = await peoplePage(app.db, request.workspace.id, list, PAGE_SIZE)
  const page = {
    ...found,
    rows: found.rows.map(row => {
      const refusal = signInLinkRefusal(request.user!, row, request.workspace)
      return { ...row, sendsSignInLink: refusal === null, signsInWithSso: refusal === 'sso_required' }
    })
  }
  const more = async () => ({
    options: {
      status: choiceOptions(PERSON_STATUSES, list.filters.status, statusLabeller('person')),
      department: choiceOptions(await departments(app.db, request.workspace.id), list.filters.department),
      role: choiceOptions(PERSON_ROLES, list.filters.role, roleLabel)
    }
  })
  return sendListPage(request, reply, { name: 'people', title: 'People', spec: PEOPLE_LIST, list, page, columns: COLUMNS, more })
}

/** /people.csv: the list as filtered, searched and sorted. */
export async function sendPeopleCsv (app: FastifyInstance, request: ListRequest, reply: FastifyReply) {
  const list = parseListQuery(request.query ?? {}, PEOPLE_LIST)
  return sendCsv(request, reply, 'people', list, PEOPLE_COLUMNS, () => peopleBatches(app.db, request.workspace.id, list))
}
