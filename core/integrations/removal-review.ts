// "Needs review": the removals a run's mass-removal guard held (integration_removals), shown on the
// plugin's card until an admin confirms them (exactly those, unless a newer run has superseded
// them) or dismisses them. Both are audited; the records removed are audited and evented as the
// register does.
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { Model } from '../sdk/records.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import type { RunRow } from './runs.ts'
import { applyRemovals, type RemovalDeps } from './sync-deletes.ts'

const SHOWN = 20

export interface PendingReview {
  runId: string
  pluginId: string
  count: number
  /** Why the guard held them, in a sentence. */
  reason: string
  finishedAt: Date | null
  /** The first removals by label, for the card. */
  sample: Array<{ model: Model, label: string }>
}

/** The workspace's pending reviews, the latest per plugin, with their counts and first labels (two statements). */
export async function pendingReviews (db: Knex, workspaceId: string, pluginId?: string): Promise<Map<string, PendingReview>> {
  const runs: Array<Pick<RunRow, 'id' | 'plugin_id' | 'review_reason' | 'finished_at'>> = await db('integration_runs')
    .distinctOn('plugin_id').where({ workspace_id: workspaceId, review: 'pending' })
    .modify(q => { if (pluginId !== undefined) q.where({ plugin_id: pluginId }) })
    .orderBy([{ column: 'plugin_id' }, { column: 'created_at', order: 'desc' }]).select('id', 'plugin_id', 'review_reason', 'finished_at')
  if (runs.length === 0) return new Map()
  const { rows } = await db.raw<{ rows: Array<{ run_id: string, count: number, sample: Array<{ model: Model, label: string }> }> }>(`
    SELECT run_id, count(*)::int AS count,
      (array_agg(jsonb_build_object('model', model, 'label', label) ORDER BY model, label, external_id))[1:${SHOWN}] AS sample
    FROM integration_removals WHERE workspace_id = ? AND run_id = ANY(?::uuid[]) GROUP BY run_id`, [workspaceId, runs.map(r => r.id)])
  const byRun = new Map(rows.map(r => [r.run_id, r]))
  return new Map(runs.map(r => [r.plugin_id, {
    runId: r.id,
    pluginId: r.plugin_id,
    count: byRun.get(r.id)?.count ?? 0,
    reason: r.review_reason ?? '',
    finishedAt: r.finished_at,
    sample: byRun.get(r.id)?.sample ?? []
  }]))
}

export type ReviewOutcome =
  | { outcome: 'confirmed', removed: number, count: number }
  | { outcome: 'dismissed', count: number }
  /** Nothing done: the review had been settled already (or superseded by a newer run). */
  | { outcome: 'already', review: NonNullable<RunRow['review']> }

/**
 * Confirm removals or Dismiss on a run that needs review. Undefined when the plugin has no such run
 * in the workspace (404). Confirm applies the removals the run computed, unless a newer sync of the
 * plugin has started since: then they are superseded and nothing is removed.
 */
export async function settleReview (db: Knex, deps: RemovalDeps, workspaceId: string, actor: Actor, plugin: DiscoveredPlugin, runId: string, decision: 'confirm' | 'dismiss'): Promise<ReviewOutcome | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined
  return await db.transaction(async trx => {
    const run: RunRow | undefined = await trx('integration_runs').where({ workspace_id: workspaceId, plugin_id: plugin.id, id: runId, kind: 'sync' })
      .whereNotNull('review').forUpdate().first()
    if (!run) return undefined
    if (run.review !== 'pending') return { outcome: 'already', review: run.review! }
    const scope = { workspace_id: workspaceId, run_id: run.id }
    const target = { type: 'integration', id: plugin.id, label: plugin.manifest.name }
    if (decision === 'confirm' && await supersededBy(trx, run)) {
      await trx('integration_runs').where({ workspace_id: workspaceId, id: run.id }).update({ review: 'superseded' })
      await trx('integration_removals').where(scope).delete()
      return { outcome: 'already', review: 'superseded' }
    }
    const held: Array<{ model: Model, ids: string[] }> = await trx('integration_removals').where(scope)
      .groupBy('model').select('model', trx.raw('array_agg(external_id ORDER BY external_id) AS ids'))
    const count = held.reduce((n, h) => n + h.ids.length, 0)
    await trx('integration_removals').where(scope).delete()
    if (decision === 'dismiss') {
      await trx('integration_runs').where({ workspace_id: workspaceId, id: run.id }).update({ review: 'dismissed' })
      await recordAudit(trx, workspaceId, actor, { action: 'integration.removals_dismissed', target, details: { run_id: run.id, count } })
      return { outcome: 'dismissed', count }
    }
    const source = { pluginId: plugin.id, name: plugin.manifest.name }
    let removed = 0
    for (const { model, ids } of held) removed += await applyRemovals(trx, deps, workspaceId, source, actor, model, ids)
    await trx('integration_runs').where({ workspace_id: workspaceId, id: run.id }).update({ review: 'confirmed', deleted: trx.raw('deleted + ?', [removed]) })
    await recordAudit(trx, workspaceId, actor, { action: 'integration.removals_confirmed', target, details: { run_id: run.id, count, removed } })
    return { outcome: 'confirmed', removed, count }
  })
}

/** Whether a newer sync of the plugin (not a preview) has started since the run: its view of the vendor is newer. */
async function supersededBy (trx: Knex.Transaction, run: RunRow): Promise<boolean> {
  const newer = await trx('integration_runs').where({ workspace_id: run.workspace_id, plugin_id: run.plugin_id, kind: 'sync', dry_run: false })
    .whereNot({ id: run.id }).whereNotNull('started_at')
    // Compared in SQL: a JavaScript Date drops the microseconds PostgreSQL keeps.
    .where('created_at', '>', trx('integration_runs').where({ workspace_id: run.workspace_id, id: run.id }).select('created_at')).first('id')
  return newer !== undefined
}
