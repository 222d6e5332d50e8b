import type { Knex } from 'knex'
import {
  containsPattern, distinctValues, readListBatches, readListPage, type ListQuery, type ListSpec, type Page, type PageSource
} from '../../admin/list/index.ts'
import { displayName } from '../../auth/users.ts'
import { PERSON_ROLES, PERSON_STATUSES, type Person } from '../../register/index.ts'
import { PERSON_TEXT, personOrder } from '../hardware/sql.ts'

type Filter = 'status' | 'department' | 'role'
type SortKey = 'name' | 'department' | 'role' | 'status' | 'started'

/**
 * The people list's parameters. People without a department or a start date come last in those
 * sorts whichever the direction. Every order has an index (migrations/004 and 007).
 */
export const PEOPLE_LIST: ListSpec<Filter, SortKey> = {
  filters: {
    status: { kind: 'choice', values: PERSON_STATUSES },
    department: { kind: 'text', max: 255 },
    role: { kind: 'choice', values: PERSON_ROLES }
  },
  sorts: {
    name: { label: 'Name', segments: [{ keys: personOrder('p') }] },
    department: { label: 'Department', segments: [{ where: 'p.department IS NOT NULL', keys: ['p.department'] }, { where: 'p.department IS NULL', keys: [] }] },
    role: { label: 'Role', segments: [{ keys: ['p.role'] }] },
    status: { label: 'Status', segments: [{ keys: ['p.status'] }] },
    started: { label: 'Started', defaultDir: 'desc', segments: [{ where: 'p.start_date IS NOT NULL', keys: ['p.start_date'] }, { where: 'p.start_date IS NULL', keys: [] }] }
  },
  defaultSort: 'name',
  search: { max: 200 }
}

export type PeopleListQuery = ListQuery<Filter, SortKey>

/** A list or export row: the person, their manager's name and email, and how much they hold. */
export type PersonRow = Omit<Person, 'workspace_id' | 'source_ids' | 'version' | 'manager_id'> & {
  name: string
  manager_name: string | null
  manager_email: string | null
  hardware_held: number
  seats_held: number
}

const COLUMNS = ['p.id', 'p.email', 'p.first_name', 'p.last_name', 'p.job_title', 'p.department', 'p.location', 'p.cost_center',
  'p.start_date', 'p.end_date', 'p.status', 'p.role', 'p.source', 'p.created_at', 'p.updated_at',
  'm.email as manager_email', 'm.first_name as manager_first_name', 'm.last_name as manager_last_name']

// Counted per row of a page (50) through the assignee and seat-holder indexes, not per person of the workspace.
const HARDWARE_HELD = '(SELECT count(*) FROM hardware h WHERE h.workspace_id = p.workspace_id AND h.assigned_user_id = p.id)::int AS hardware_held'
const SEATS_HELD = `(SELECT count(*) FROM software_assignments sa
  WHERE sa.workspace_id = p.workspace_id AND sa.user_id = p.id AND sa.revoked_at IS NULL)::int AS seats_held`

function source (db: Knex, workspaceId: string, list: PeopleListQuery): PageSource {
  const { filters, terms } = list
  const query = () => db({ p: 'users' })
    .leftJoin({ m: 'users' }, join => join.on('m.id', 'p.manager_id').andOn('m.workspace_id', 'p.workspace_id'))
    .where('p.workspace_id', workspaceId)
    .select(COLUMNS)
    .select(db.raw(HARDWARE_HELD), db.raw(SEATS_HELD))
    .modify(q => {
      if (filters.status) q.where('p.status', filters.status)
      if (filters.department) q.where('p.department', filters.department)
      if (filters.role) q.where('p.role', filters.role)
      // Every word must match the name, email or department (two trigram indexes, OR-ed).
      for (const term of terms) {
        const pattern = containsPattern(term)
        q.where(w => w.whereRaw(`${PERSON_TEXT} LIKE lower(?)`, [pattern]).orWhereRaw('lower(p.department) LIKE lower(?)', [pattern]))
      }
    })
  return { db, query, sort: list.sort, idColumn: 'p.id' }
}

function toRow (raw: Record<string, unknown>): PersonRow {
  const { manager_first_name: mf, manager_last_name: ml, ...row } = raw
  const managerEmail = row.manager_email as string | null
  return {
    ...row as Omit<PersonRow, 'name' | 'manager_name'>,
    name: displayName(row as Pick<Person, 'first_name' | 'last_name' | 'email'>),
    manager_name: managerEmail ? displayName({ first_name: mf as string | null, last_name: ml as string | null, email: managerEmail }) : null
  }
}

/** One page of the list as filtered, searched and sorted; an invalid query reads nothing. */
export function peoplePage (db: Knex, workspaceId: string, list: PeopleListQuery, limit: number): Promise<Page<PersonRow>> {
  return readListPage(source(db, workspaceId, list), list, limit, toRow)
}

/** The whole list as filtered, in batches, for the CSV export. */
export function peopleBatches (db: Knex, workspaceId: string, list: PeopleListQuery): AsyncGenerator<PersonRow[]> {
  return readListBatches(source(db, workspaceId, list), toRow)
}

/** The departments the workspace uses: the department filter's and the form's choices. */
export function departments (db: Knex, workspaceId: string): Promise<string[]> {
  return distinctValues(db, workspaceId, 'users', 'department')
}
