// Deletions in full syncs (manifest `trackDeletes`): what a run saw is staged set-based as the pages
// come (integration_run_seen); at the run's completion, in its transaction, one anti-join per model
// finds the records the plugin created or linked that the run did not see. They are removed by the
// model's importer (person → inactive, seat → revoked: audited and evented as the register does),
// or, past the mass-removal guard, kept in integration_removals for the admin to confirm or dismiss.
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { Outbox } from '../events/index.ts'
import { IMPORTERS, type ImportSource, type PlannedChange } from '../register/importers/index.ts'
import type { Model } from '../sdk/records.ts'
import type { RunLease } from './lease.ts'

/** Records per importer `remove` call. */
const REMOVE_CHUNK = 1000
export const DEFAULT_GUARD_PERCENT = 20

export interface SeenScope { workspaceId: string, runId: string }

/** Stages the external ids a run saw of a model (a page read again after a resume adds nothing). Written only while the lease holds. */
export async function stageSeen (db: Knex, lease: RunLease, scope: SeenScope, model: Model, externalIds: string[]): Promise<void> {
  if (externalIds.length === 0) return
  const held = lease.scope(db).select(1).toSQL()
  await db.raw(`
    INSERT INTO integration_run_seen (workspace_id, run_id, model, external_id)
    SELECT ?, ?, ?, e FROM unnest(?::text[]) AS e WHERE EXISTS (${held.sql})
    ON CONFLICT DO NOTHING`, [scope.workspaceId, scope.runId, model, [...new Set(externalIds)], ...held.bindings])
}

/** Records that this run read the sync from the top (no checkpoint of an earlier run): only such a pass may remove anything. */
export async function markFullPass (db: Knex, lease: RunLease, syncId: string): Promise<void> {
  lease.check(await lease.scope(db).update({ full_passes: db.raw('CASE WHEN ? = ANY(full_passes) THEN full_passes ELSE array_append(full_passes, ?) END', [syncId, syncId]) }))
}

/** Forgets what the workspace's finished runs saw (a cancelled or failed run leaves its rows). Called as a run starts. */
export async function sweepSeen (db: Knex, workspaceId: string, active: readonly string[]): Promise<void> {
  await db.raw(`DELETE FROM integration_run_seen s USING integration_runs r
    WHERE s.workspace_id = ? AND r.workspace_id = s.workspace_id AND r.id = s.run_id AND r.status <> ALL(?::text[])`, [workspaceId, [...active]])
}

/**
 * The records of one model the plugin created or linked that are still in force (an active person,
 * an unrevoked seat), as (external id, label) rows: the candidates a run's seen set is compared with.
 * Seats are the plugin's by `source` (a seat records no other link); people by their link in source_ids.
 */
function managedSql (model: Model): string {
  if (model === 'person') {
    return `SELECT u.source_ids ->> :plugin AS external_id,
        coalesce(nullif(concat_ws(' ', u.first_name, u.last_name), ''), u.email) AS label,
        jsonb_build_object('status', jsonb_build_object('old', u.status, 'new', 'inactive')) AS changes
      FROM users u WHERE u.workspace_id = :ws AND u.status = 'active' AND u.source_ids ->> :plugin IS NOT NULL`
  }
  return `SELECT a.external_id, sw.name || ': ' || coalesce(u.email, a.external_email) AS label,
      jsonb_build_object('revoked', jsonb_build_object('old', null, 'new', true)) AS changes
    FROM software_assignments a JOIN software sw ON sw.workspace_id = a.workspace_id AND sw.id = a.software_id
    LEFT JOIN users u ON u.workspace_id = a.workspace_id AND u.id = a.user_id
    WHERE a.workspace_id = :ws AND a.source = :plugin AND a.external_id IS NOT NULL AND a.revoked_at IS NULL`
}

export interface ModelRemovals {
  model: Model
  /** The plugin's records of the model still in force. */
  managed: number
  /** Distinct external ids of the model the run saw. */
  seen: number
  removals: Array<{ externalId: string, label: string, changes: PlannedChange['changes'] }>
}

/** One statement per model: what the plugin manages, what the run saw, and what it did not see. */
export async function computeRemovals (trx: Knex | Knex.Transaction, workspaceId: string, pluginId: string, runId: string, models: Model[]): Promise<ModelRemovals[]> {
  const result: ModelRemovals[] = []
  for (const model of models) {
    const { rows } = await trx.raw<{ rows: Array<{ managed: number, seen: number, external_id: string | null, label: string | null, changes: PlannedChange['changes'] | null }> }>(`
      WITH managed AS (${managedSql(model)}),
      seen AS (SELECT external_id FROM integration_run_seen WHERE run_id = :run AND model = :model),
      gone AS (SELECT m.* FROM managed m WHERE NOT EXISTS (SELECT 1 FROM seen s WHERE s.external_id = m.external_id))
      SELECT (SELECT count(*) FROM managed)::int AS managed, (SELECT count(*) FROM seen)::int AS seen, g.external_id, g.label, g.changes
      FROM (SELECT 1) one LEFT JOIN gone g ON true ORDER BY g.label, g.external_id`,
    { ws: workspaceId, plugin: pluginId, run: runId, model })
    result.push({
      model,
      managed: rows[0]?.managed ?? 0,
      seen: rows[0]?.seen ?? 0,
      removals: rows.flatMap(r => r.external_id === null ? [] : [{ externalId: r.external_id, label: r.label ?? r.external_id, changes: r.changes ?? {} }])
    })
  }
  return result
}

/** Why the guard holds these removals for review, or null when they may go ahead. */
export function guardReason (computed: ModelRemovals[], percent: number): string | null {
  for (const { model, managed, seen, removals } of computed) {
    if (removals.length === 0) continue
    const noun = model === 'person' ? 'people' : 'seats'
    if (seen === 0) return `the run saw no ${noun} at all and would remove all ${removals.length}`
    if (removals.length * 100 > percent * managed) {
      return `it would remove ${removals.length} of ${managed} ${noun} (${Math.round(removals.length * 100 / managed)}%), more than the ${percent}% allowed without review`
    }
  }
  return null
}

export const removalCount = (computed: ModelRemovals[]) => computed.reduce((n, m) => n + m.removals.length, 0)

/** A preview's rows for the removals (as many as `room` allows). */
export function plannedRemovals (computed: ModelRemovals[], room: number): PlannedChange[] {
  return computed.flatMap(m => m.removals.map(r => ({ action: 'remove' as const, externalId: r.externalId, label: r.label, changes: r.changes }))).slice(0, Math.max(0, room))
}

export interface RemovalDeps { events: Outbox }

/**
 * Removes records by the model's importer, a chunk at a time, with their audit entries (as the
 * plugin) and events in the caller's transaction. Returns how many were removed.
 */
export async function applyRemovals (trx: Knex.Transaction, deps: RemovalDeps, workspaceId: string, source: ImportSource, actor: Actor, model: Model, externalIds: string[]): Promise<number> {
  let removed = 0
  for (let i = 0; i < externalIds.length; i += REMOVE_CHUNK) {
    const change = await IMPORTERS[model].remove(trx, workspaceId, source, externalIds.slice(i, i + REMOVE_CHUNK))
    await recordAudit(trx, workspaceId, actor, change.audit ?? [])
    await deps.events.emit(trx, workspaceId, change.events ?? [])
    removed += change.result
  }
  return removed
}

/** Keeps the removals the guard held, set-based, for Confirm to apply exactly these. */
export async function holdRemovals (trx: Knex.Transaction, workspaceId: string, runId: string, computed: ModelRemovals[]): Promise<void> {
  const rows = computed.flatMap(m => m.removals.map(r => ({ model: m.model, external_id: r.externalId, label: r.label })))
  if (rows.length === 0) return
  await trx.raw(`INSERT INTO integration_removals (workspace_id, run_id, model, external_id, label)
    SELECT ?, ?, v.model, v.external_id, v.label FROM jsonb_to_recordset(?::jsonb) AS v(model text, external_id text, label text)
    ON CONFLICT DO NOTHING`, [workspaceId, runId, JSON.stringify(rows)])
}
