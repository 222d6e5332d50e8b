// The mass-removal guard's share, per integration (integrations.removal_guard_percent, default 20):
// a run that would remove more than this share of the plugin's records holds them for review.
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'

export class RemovalGuardError extends Error {
  override name = 'RemovalGuardError'
}

/** The percent typed in a form or on the command line, or a RemovalGuardError naming the rule. */
export function parseGuardPercent (raw: string): number {
  if (!/^\d{1,3}$/.test(raw.trim()) || Number(raw) > 100) throw new RemovalGuardError('must be a whole number of percent from 0 to 100')
  return Number(raw)
}

/** Saves the share on the integration (saved settings first: false when there are none), audited with the old and new value. */
export async function setRemovalGuard (db: Knex, workspaceId: string, actor: Actor, pluginName: string, pluginId: string, percent: number): Promise<boolean> {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RemovalGuardError('must be a whole number of percent from 0 to 100')
  return await db.transaction(async trx => {
    const row = await trx('integrations').where({ workspace_id: workspaceId, plugin_id: pluginId }).forUpdate().first('removal_guard_percent')
    if (!row) return false
    if (row.removal_guard_percent === percent) return true
    await trx('integrations').where({ workspace_id: workspaceId, plugin_id: pluginId }).update({ removal_guard_percent: percent })
    await recordAudit(trx, workspaceId, actor, {
      action: 'integration.removal_guard_set',
      target: { type: 'integration', id: pluginId, label: pluginName },
      changes: { removal_guard_percent: { old: row.removal_guard_percent, new: percent } }
    })
    return true
  })
}
