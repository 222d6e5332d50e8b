import type { Knex } from 'knex'
import { displayName } from '../../auth/users.ts'
import { HARDWARE_STATUSES, type Hardware } from '../../register/index.ts'
import {
  containsPattern, distinctColumns, readListBatches, readListPage, type ListQuery, type ListSpec, type Page, type PageSource
} from '../../admin/list/index.ts'
import { HARDWARE_TEXT, PERSON_TEXT, personOrder } from './sql.ts'

type Filter = 'status' | 'category' | 'manufacturer' | 'source'
type SortKey = 'asset_tag' | 'name' | 'model' | 'status' | 'assignee' | 'updated'

/**
 * The hardware list's parameters. Hardware without a model, and unassigned hardware, come last
 * in their sorts whichever the direction. The assignee sort walks people by name
 * (users_sort_name_idx) and each one's hardware by id, so it too reads one page's worth of rows.
 */
export const HARDWARE_LIST: ListSpec<Filter, SortKey> = {
  filters: {
    status: { kind: 'choice', values: HARDWARE_STATUSES },
    category: { kind: 'text', max: 64 },
    manufacturer: { kind: 'text', max: 255 },
    source: { kind: 'text', max: 64 }
  },
  sorts: {
    asset_tag: { label: 'Asset tag', segments: [{ keys: ['h.asset_tag'], unique: true }] },
    name: { label: 'Name', segments: [{ keys: ['lower(h.name)'] }] },
    model: { label: 'Model', segments: [{ where: 'lower(h.model) IS NOT NULL', keys: ['lower(h.model)'] }, { where: 'lower(h.model) IS NULL', keys: [] }] },
    status: { label: 'Status', segments: [{ keys: ['h.status'] }] },
    assignee: {
      label: 'Assigned to',
      segments: [
        { where: 'u.id IS NOT NULL', keys: personOrder('u') },
        { where: 'h.assigned_user_id IS NULL', keys: [] }
      ]
    },
    updated: { label: 'Updated', defaultDir: 'desc', segments: [{ keys: ['h.updated_at'] }] }
  },
  defaultSort: 'asset_tag',
  search: { max: 200 }
}

export type HardwareListQuery = ListQuery<Filter, SortKey>

/** Whose hardware a list may show: an employee's is limited to what is assigned to them. */
export interface HardwareScope { assignedTo?: string }

/** A list or export row: the hardware with its assignee's name and email. */
export type HardwareRow = Omit<Hardware, 'workspace_id' | 'specifications' | 'source_ids' | 'version' | 'assigned_user_id' | 'acknowledged_at' | 'acknowledgement_note'> & {
  assignee_email: string | null
  assignee_name: string | null
}

const COLUMNS = ['h.id', 'h.asset_tag', 'h.serial', 'h.name', 'h.category', 'h.manufacturer', 'h.model', 'h.os', 'h.os_version',
  'h.mac_address', 'h.status', 'h.condition', 'h.assigned_at', 'h.cpu', 'h.ram', 'h.storage', 'h.purchase_price', 'h.purchase_date',
  'h.warranty_end', 'h.notes', 'h.source', 'h.created_at', 'h.updated_at']
// A subquery rather than a join: Postgres evaluates it after the sort and limit, once per row shown,
// and the plan stays sound even before statistics exist (the embedded database has no autovacuum).
const ASSIGNEE = `(SELECT json_build_object('email', p.email, 'first_name', p.first_name, 'last_name', p.last_name)
  FROM users p WHERE p.id = h.assigned_user_id AND p.workspace_id = h.workspace_id) AS assignee`

function source (db: Knex, workspaceId: string, list: HardwareListQuery, scope: HardwareScope): PageSource {
  const { filters, terms } = list
  const query = () => db({ h: 'hardware' })
    .where('h.workspace_id', workspaceId)
    .select([...COLUMNS, db.raw(ASSIGNEE)])
    .modify(q => {
      // Only the assignee sort needs the person in the query itself: its keys are their name.
      if (list.sort.key === 'assignee') q.leftJoin({ u: 'users' }, join => join.on('u.id', 'h.assigned_user_id').andOn('u.workspace_id', 'h.workspace_id'))
      if (scope.assignedTo) q.where('h.assigned_user_id', scope.assignedTo)
      if (filters.status) q.where('h.status', filters.status)
      if (filters.category) q.where('h.category', filters.category)
      if (filters.manufacturer) q.where('h.manufacturer', filters.manufacturer)
      if (filters.source) q.where('h.source', filters.source)
      // Every word must match the hardware's text or its assignee's name or email. The people
      // matching a word are an array evaluated once, so Postgres can OR two index scans.
      for (const term of terms) {
        // Serials are stored in NFC; a word typed in NFD (as macOS may send it) still finds them.
        const pattern = containsPattern(term.normalize('NFC'))
        q.where(w => w.whereRaw(`${HARDWARE_TEXT} LIKE lower(?)`, [pattern])
          .orWhereRaw(`h.assigned_user_id = ANY(ARRAY(SELECT p.id FROM users p WHERE p.workspace_id = ? AND ${PERSON_TEXT} LIKE lower(?)))`, [workspaceId, pattern]))
      }
    })
  return { db, query, sort: list.sort, idColumn: 'h.id' }
}

function toRow (raw: Record<string, unknown>): HardwareRow {
  const { assignee, ...row } = raw as Record<string, unknown> & { assignee: { email: string, first_name: string | null, last_name: string | null } | null }
  return {
    ...row as Omit<HardwareRow, 'assignee_name' | 'assignee_email'>,
    purchase_price: row.purchase_price == null ? null : Number(row.purchase_price),
    assignee_email: assignee?.email ?? null,
    assignee_name: assignee ? displayName(assignee) : null
  }
}

/** One page of the list as filtered, searched and sorted; an invalid query reads nothing. */
export function hardwarePage (db: Knex, workspaceId: string, list: HardwareListQuery, scope: HardwareScope, limit: number): Promise<Page<HardwareRow>> {
  return readListPage(source(db, workspaceId, list, scope), list, limit, toRow)
}

/** The whole list as filtered, in batches, for the CSV export. */
export function hardwareBatches (db: Knex, workspaceId: string, list: HardwareListQuery, scope: HardwareScope): AsyncGenerator<HardwareRow[]> {
  return readListBatches(source(db, workspaceId, list, scope), toRow)
}

/** The values the category, manufacturer and source filters offer. */
export function filterChoices (db: Knex, workspaceId: string): Promise<Record<'category' | 'manufacturer' | 'source', string[]>> {
  return distinctColumns(db, workspaceId, 'hardware', ['category', 'manufacturer', 'source'])
}
