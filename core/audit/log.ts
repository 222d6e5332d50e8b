import type { Knex } from 'knex'
import type { Actor, AuditEntry, AuditFilters, AuditRow } from './types.ts'
import { escapeLike } from '../db/index.ts'

/** An entry as the row the audit log stores. */
function auditRow (workspaceId: string, actor: Actor, entry: AuditEntry) {
  return {
    workspace_id: workspaceId,
    actor_type: actor.type,
    actor_id: actor.id ?? null,
    actor_label: actor.label,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    target_label: entry.target?.label ?? null,
    outcome: entry.outcome ?? 'success',
    changes: entry.changes ? JSON.stringify(entry.changes) : null,
    details: entry.details ? JSON.stringify(entry.details) : null,
    request_id: actor.requestId ?? null
  }
}

/** Appends entries to the audit log in one statement, on the caller's transaction. */
export async function recordAudit (db: Knex | Knex.Transaction, workspaceId: string, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries]
  if (list.length === 0) return
  await db('audit_log').insert(list.map(entry => auditRow(workspaceId, actor, entry)))
}

const CASTS: Record<string, string> = { workspace_id: 'uuid', changes: 'jsonb', details: 'jsonb' }

/**
 * Runs one INSERT or UPDATE … RETURNING and appends its audit entry in the same statement, so a
 * change costs one round trip to the database, not two. The entry's target id is the id of the
 * row written (none written: no entry). Returns the rows written.
 */
export async function writeAudited (trx: Knex.Transaction, write: Knex.QueryBuilder, workspaceId: string, actor: Actor, entry: AuditEntry): Promise<Array<Record<string, unknown>>> {
  const row: Record<string, unknown> = auditRow(workspaceId, actor, entry)
  const columns = Object.keys(row)
  const values = columns.map(c => c === 'target_id' ? 'w.id::text' : `?::${CASTS[c] ?? 'text'}`)
  const { sql, bindings } = write.toSQL()
  const { rows } = await trx.raw(
    `WITH w AS (${sql}), audited AS (INSERT INTO audit_log (${columns.join(', ')}) SELECT ${values.join(', ')} FROM w) SELECT * FROM w`,
    [...bindings, ...columns.filter(c => c !== 'target_id').map(c => row[c] as Knex.Value)])
  return rows
}

/** One page of the log, newest first, by keyset on id (`before` is the last id seen). */
export async function listAudit (db: Knex, workspaceId: string, filters: AuditFilters, page: { before?: number, limit: number }): Promise<{ rows: AuditRow[], nextBefore: number | null }> {
  const query = db('audit_log').where({ workspace_id: workspaceId })
  if (filters.action) query.where('action', 'like', `${escapeLike(filters.action)}%`)
  if (filters.actor) query.whereILike('actor_label', `%${escapeLike(filters.actor)}%`)
  if (filters.target) {
    query.where(q => q.whereILike('target_label', `%${escapeLike(filters.target!)}%`).orWhere('target_id', filters.target!))
  }
  if (filters.from) query.where('occurred_at', '>=', filters.from)
  if (filters.to) query.whereRaw('occurred_at < (?::date + 1)', [filters.to])
  if (page.before) query.where('id', '<', page.before)
  const rows: AuditRow[] = await query.orderBy('id', 'desc').limit(page.limit + 1)
  const more = rows.length > page.limit
  const pageRows = more ? rows.slice(0, page.limit) : rows
  return { rows: pageRows, nextBefore: more ? pageRows[pageRows.length - 1].id : null }
}

/** Audit entries about one record, newest first. */
export async function auditTrail (db: Knex, workspaceId: string, targetType: string, targetId: string, limit = 50): Promise<AuditRow[]> {
  return await db('audit_log')
    .where({ workspace_id: workspaceId, target_type: targetType, target_id: targetId })
    .orderBy('id', 'desc').limit(limit)
}
