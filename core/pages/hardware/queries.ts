import type { Knex } from 'knex'
import { containsPattern } from '../../admin/list/index.ts'
import { displayName } from '../../auth/users.ts'
import { PERSON_TEXT, personOrder } from './sql.ts'

export interface PersonOption { id: string, email: string, name: string }

export interface AssignmentRow {
  assigned_at: Date
  recovered_at: Date | null
  note: string | null
  person_name: string | null
  person_email: string | null
}

const PERSON_COLUMNS = ['p.id', 'p.email', 'p.first_name', 'p.last_name', 'p.status']
type PersonRow = { id: string, email: string, first_name: string | null, last_name: string | null, status: string }

/** Who had the hardware and when, newest first, with their names (one query). */
export async function assignmentHistory (db: Knex, workspaceId: string, hardwareId: string, limit = 50): Promise<AssignmentRow[]> {
  const rows = await db('hardware_assignments as a')
    .leftJoin('users as p', join => join.on('p.id', 'a.user_id').andOn('p.workspace_id', 'a.workspace_id'))
    .where({ 'a.workspace_id': workspaceId, 'a.hardware_id': hardwareId })
    .select('a.assigned_at', 'a.recovered_at', 'a.note', ...PERSON_COLUMNS)
    .orderBy('a.assigned_at', 'desc').limit(limit)
  return rows.map((r: PersonRow & AssignmentRow) => ({
    assigned_at: r.assigned_at,
    recovered_at: r.recovered_at,
    note: r.note,
    person_name: r.email ? displayName(r) : null,
    person_email: r.email
  }))
}

/** Active people whose name or email contains `search`, in name order: the assign form's choices. */
export async function activePeople (db: Knex, workspaceId: string, search: string, limit: number): Promise<PersonOption[]> {
  const rows: PersonRow[] = await db('users as p').select(PERSON_COLUMNS)
    .where({ 'p.workspace_id': workspaceId, 'p.status': 'active' })
    .modify(q => { if (search) q.whereRaw(`${PERSON_TEXT} LIKE lower(?)`, [containsPattern(search)]) })
    .orderByRaw(personOrder('p').join(', ')).limit(limit)
  return rows.map(r => ({ id: r.id, email: r.email, name: displayName(r) }))
}

/**
 * The person an admin typed into the assign form: an email, or a full name that only one active
 * person has. Returns the person or the message to show beside the field. `purpose` ends the
 * message about someone inactive (other pages use it for seats and managers).
 */
export async function findAssignee (db: Knex, workspaceId: string, typed: string, purpose = 'be given hardware'): Promise<{ person: PersonOption } | { error: string }> {
  if (!typed) return { error: 'Choose the person to assign it to.' }
  const people = db('users as p').select(PERSON_COLUMNS).where('p.workspace_id', workspaceId)
  let matches: PersonRow[] = await people.clone().whereRaw('lower(p.email) = lower(?)', [typed])
  if (matches.length === 0) matches = await people.clone().whereRaw("lower(concat_ws(' ', p.first_name, p.last_name)) = lower(?)", [typed]).limit(10)
  const active = matches.filter(p => p.status === 'active')
  if (active.length === 1) return { person: { id: active[0].id, email: active[0].email, name: displayName(active[0]) } }
  if (active.length > 1) return { error: `Several people are called ${typed}. Enter the email of the one you mean.` }
  if (matches.length > 0) return { error: `${displayName(matches[0])} is ${matches[0].status}: only active people can ${purpose}.` }
  return { error: `No one in this workspace has the name or email “${typed}”. Pick a person from the suggestions.` }
}
