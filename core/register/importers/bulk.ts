import type { Knex } from 'knex'
import type { Kind } from '../records.ts'

/**
 * One UPDATE for many rows of a workspace: each row's final values travel as a jsonb recordset
 * joined on id. `columns` maps each written column to its SQL type; every row must carry all of
 * them. `source_ids` is merged rather than replaced, and every row's version moves on. With
 * `guardVersion`, each row also carries the `version` its values were computed from, and a row
 * changed since (a concurrent edit) is left alone: it is missing from the result.
 */
export async function updateMany<Row> (trx: Knex.Transaction, kind: Kind<Row>, workspaceId: string,
  columns: Record<string, string>, rows: Array<Record<string, unknown> & { id: string }>, options: { guardVersion?: boolean } = {}): Promise<Row[]> {
  if (rows.length === 0) return []
  const names = Object.keys(columns)
  const sets = names.map(c => c === 'source_ids' ? 'source_ids = t.source_ids || v.source_ids' : `${c} = v.${c}`)
  const types = ['id uuid', ...names.map(c => `${c} ${columns[c]}`), ...(options.guardVersion ? ['version int'] : [])]
  const { rows: updated } = await trx.raw(`
    UPDATE ${kind.table} AS t SET ${sets.join(', ')}, version = t.version + 1, updated_at = now()
    FROM jsonb_to_recordset(?::jsonb) AS v(${types.join(', ')})
    WHERE t.workspace_id = ? AND t.id = v.id${options.guardVersion ? ' AND t.version = v.version' : ''}
    RETURNING ${kind.columns.map(c => `t.${c}`).join(', ')}`, [JSON.stringify(rows), workspaceId])
  return (updated as Array<Record<string, unknown>>).map(kind.fromDb)
}

export interface PersonByEmail { id: string, email: string, first_name: string | null }

/**
 * People of the workspace by lower-cased email, for exact (case-insensitive) matching, in one
 * query; `activeOnly` leaves out inactive and offboarded people.
 */
export async function peopleByEmail (trx: Knex.Transaction, workspaceId: string, emails: Iterable<string>, activeOnly: boolean): Promise<Map<string, PersonByEmail>> {
  const wanted = [...new Set([...emails].map(e => e.toLowerCase()))]
  if (wanted.length === 0) return new Map()
  const rows: PersonByEmail[] = await trx('users')
    .where({ workspace_id: workspaceId }).modify(q => { if (activeOnly) q.where({ status: 'active' }) })
    .whereRaw('lower(email) = any(?)', [wanted])
    .select('id', 'email', 'first_name')
  return new Map(rows.map(r => [r.email.toLowerCase(), r]))
}
