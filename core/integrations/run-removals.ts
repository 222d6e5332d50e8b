// A completed run's removals, settled in the transaction that records its completion (so a crash
// between them cannot happen: the run stays running, is recovered and resumes): applied, held for
// review past the guard, or — in a preview — listed as "would remove".
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { PlannedChange } from '../register/importers/index.ts'
import type { Model } from '../sdk/records.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import type { RunRow } from './runs.ts'
import { applyRemovals, computeRemovals, DEFAULT_GUARD_PERCENT, guardReason, holdRemovals, plannedRemovals, removalCount, type RemovalDeps } from './sync-deletes.ts'
import { trackedModels } from './sync-deletes-manifest.ts'

export interface SettledRemovals {
  /** Removed now (or, in a preview, that would be). */
  removed: number
  /** Held for review (the guard tripped). */
  held: number
  /** A sentence for the run's message, or null when the plugin tracks no deletes. */
  note: string | null
  /** A preview's planned removals. */
  planned: PlannedChange[]
}

const NONE: SettledRemovals = { removed: 0, held: 0, note: null, planned: [] }

/** Why a run that tracks deletes may not remove anything, or null when it may. */
function partialReason (plugin: DiscoveredPlugin, passes: string[], errors: number): string | null {
  const missing = (plugin.manifest.syncs ?? []).filter(s => s.trackDeletes === true && !passes.includes(s.id))
  if (missing.length > 0) return `the run continued an earlier run's ${missing.map(s => s.id).join(', ')} sync instead of reading every record`
  if (errors > 0) return 'some records could not be read, and one of them may be a record the run would remove'
  return null
}

/**
 * Settles the removals of a run that succeeded: nothing for a plugin that tracks no deletes; none
 * after a partial run; else the records no sync of the model saw, removed by the importers — or,
 * when more than the integration's guard share of the plugin's records (or when the run saw none
 * of a model), kept for review. Forgets what the run saw.
 */
export async function settleRemovals (trx: Knex.Transaction, deps: RemovalDeps, plugin: DiscoveredPlugin, run: RunRow, errors: number, actor: Actor, roomInPreview: number): Promise<SettledRemovals> {
  const models: Model[] = trackedModels(plugin.manifest.syncs)
  if (models.length === 0) return NONE
  try {
    const { full_passes: passes } = await trx('integration_runs').where({ workspace_id: run.workspace_id, id: run.id }).first('full_passes')
    const partial = partialReason(plugin, passes ?? [], errors)
    if (partial !== null) return { ...NONE, note: `${run.dry_run ? 'Would remove nothing' : 'Nothing was removed'}: ${partial}.` }
    const computed = await computeRemovals(trx, run.workspace_id, plugin.id, run.id, models)
    const count = removalCount(computed)
    const integration = await trx('integrations').where({ workspace_id: run.workspace_id, plugin_id: plugin.id }).first('removal_guard_percent')
    const percent: number = integration?.removal_guard_percent ?? DEFAULT_GUARD_PERCENT
    const held = count > 0 ? guardReason(computed, percent) : null
    if (run.dry_run) {
      const planned = plannedRemovals(computed, roomInPreview)
      return { removed: count, held: 0, planned, note: count === 0 ? null : `Would remove ${count}${held === null ? '' : `, but a sync would hold them for review: ${held}`}.` }
    }
    const target = { type: 'integration', id: plugin.id, label: plugin.manifest.name }
    if (held !== null) {
      await holdRemovals(trx, run.workspace_id, run.id, computed)
      await trx('integration_runs').where({ workspace_id: run.workspace_id, id: run.id }).update({ review: 'pending', review_reason: `${held[0].toUpperCase()}${held.slice(1)}.` })
      await recordAudit(trx, run.workspace_id, actor, { action: 'integration.removals_held', target, details: { run_id: run.id, count, guard_percent: percent, reason: held, ...byModel(computed) } })
      return { ...NONE, held: count, note: `Needs review: nothing was removed, because ${held}. Confirm or dismiss the ${count} removal${count === 1 ? '' : 's'} on the card.` }
    }
    const source = { pluginId: plugin.id, name: plugin.manifest.name }
    let removed = 0
    for (const m of computed) removed += await applyRemovals(trx, deps, run.workspace_id, source, actor, m.model, m.removals.map(r => r.externalId))
    if (removed > 0) await recordAudit(trx, run.workspace_id, actor, { action: 'integration.removed', target, details: { run_id: run.id, count: removed, ...byModel(computed) } })
    return { ...NONE, removed, note: removed === 0 ? null : `Removed ${removed} no longer at ${plugin.manifest.name}.` }
  } finally {
    await trx('integration_run_seen').where({ workspace_id: run.workspace_id, run_id: run.id }).delete()
  }
}

const byModel = (computed: Array<{ model: Model, removals: unknown[] }>) =>
  ({ models: Object.fromEntries(computed.map(m => [m.model, m.removals.length])) })

/** A newer run of the plugin ended: the removals an older run held are no longer the ones to apply (and are forgotten). */
export async function supersedeReviews (trx: Knex.Transaction, run: RunRow): Promise<void> {
  const superseded: Array<{ id: string }> = await trx('integration_runs').where({ workspace_id: run.workspace_id, plugin_id: run.plugin_id, review: 'pending' })
    .whereNot({ id: run.id })
    // Compared in SQL: a JavaScript Date drops the microseconds PostgreSQL keeps.
    .where('created_at', '<', trx('integration_runs').where({ workspace_id: run.workspace_id, id: run.id }).select('created_at'))
    .update({ review: 'superseded' }).returning('id')
  if (superseded.length > 0) await trx('integration_removals').where({ workspace_id: run.workspace_id }).whereIn('run_id', superseded.map(r => r.id)).delete()
}
