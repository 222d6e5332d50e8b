import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import type { Jobs } from '../jobs/index.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import type { PluginManifest } from './manifest.ts'
import { RUN_JOB } from './runs.ts'

/** The intervals an admin picks from (minutes); a plugin's declared minimum removes the shorter ones. */
export const SCHEDULE_CHOICES = [15, 30, 60, 240, 720, 1440] as const
const DEFAULT_MINIMUM = 15

export class ScheduleError extends Error {
  override name = 'ScheduleError'
  readonly field = 'schedule_minutes'
}

type DeclaresSyncs = { manifest?: Pick<PluginManifest, 'syncs'> }

export function minimumInterval (plugin: DeclaresSyncs): number {
  return Math.max(DEFAULT_MINIMUM, ...(plugin.manifest?.syncs ?? []).map(s => s.minimumIntervalMinutes ?? 0))
}

const DECLARED_MINUTES = { off: null, hourly: 60, daily: 1440 } as const

/**
 * The schedule a workspace starts with when it first saves the plugin's settings: what its syncs
 * declare (`syncs[].schedule`; the most frequent if they differ), as the admin's nearest choice at or
 * above the declared minimum interval; null (off) when none declares one.
 */
export function declaredSchedule (plugin: DeclaresSyncs): number | null {
  const wanted = (plugin.manifest?.syncs ?? []).flatMap(s => {
    const minutes = s.schedule === undefined ? null : DECLARED_MINUTES[s.schedule]
    return minutes === null ? [] : [minutes]
  })
  if (wanted.length === 0) return null
  const at = Math.max(Math.min(...wanted), minimumInterval(plugin))
  return SCHEDULE_CHOICES.find(m => m >= at) ?? SCHEDULE_CHOICES[SCHEDULE_CHOICES.length - 1]
}

export function scheduleChoices (plugin: DiscoveredPlugin): number[] {
  const minimum = minimumInterval(plugin)
  return SCHEDULE_CHOICES.filter(m => m >= minimum)
}

export function describeInterval (minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'Every day' : `Every ${minutes / 1440} days`
  if (minutes % 60 === 0) return minutes === 60 ? 'Every hour' : `Every ${minutes / 60} hours`
  return `Every ${minutes} minutes`
}

/**
 * Sets (or, with null, turns off) the scheduled sync of a plugin in a workspace. Off by default; an
 * interval shorter than the plugin's declared minimum is refused. The first run is one interval away.
 */
export async function setSchedule (db: Knex, workspaceId: string, actor: Actor, plugin: DiscoveredPlugin, minutes: number | null): Promise<void> {
  if (!plugin.connector?.sync) throw new ScheduleError(`${plugin.manifest.name} has nothing to sync on a schedule`)
  if (minutes !== null && !scheduleChoices(plugin).includes(minutes)) {
    throw new ScheduleError(`must be one of ${scheduleChoices(plugin).join(', ')} minutes (at least ${minimumInterval(plugin)} for ${plugin.manifest.name})`)
  }
  await db.transaction(async trx => {
    const [row] = await trx('integrations').where({ workspace_id: workspaceId, plugin_id: plugin.id }).forUpdate().select('schedule_minutes')
    if (!row) throw new ScheduleError(`save ${plugin.manifest.name}'s settings before scheduling its sync`)
    if (row.schedule_minutes === minutes) return
    await trx('integrations').where({ workspace_id: workspaceId, plugin_id: plugin.id }).update({
      schedule_minutes: minutes,
      next_sync_at: minutes === null ? null : trx.raw('now() + make_interval(mins => ?)', [minutes])
    })
    await recordAudit(trx, workspaceId, actor, {
      action: 'integration.schedule_changed',
      target: { type: 'integration', id: plugin.id, label: plugin.manifest.name },
      changes: { schedule_minutes: { old: row.schedule_minutes, new: minutes } }
    })
  })
}

/**
 * The scheduler job (every minute), set-based: in one transaction it claims the due integrations
 * by moving their next time on (two workers never claim the same one), queues a sync run for each
 * that has no run in progress (the one-active-run index skips the others), and their jobs.
 */
export async function startDueSyncs (db: Knex, jobs: Jobs, plugins: Map<string, DiscoveredPlugin>): Promise<number> {
  const syncing = [...plugins.values()].filter(p => p.connector?.sync && p.manifest.status !== 'coming-soon').map(p => p.id)
  if (syncing.length === 0) return 0
  return await db.transaction(async trx => {
    const { rows: runs } = await trx.raw<{ rows: Array<{ id: string, workspace_id: string, job_id: string }> }>(`
      WITH due AS (
        UPDATE integrations SET next_sync_at = now() + make_interval(mins => schedule_minutes)
        WHERE enabled AND schedule_minutes IS NOT NULL AND next_sync_at <= now() AND plugin_id = ANY(?)
        RETURNING workspace_id, plugin_id
      )
      INSERT INTO integration_runs (workspace_id, plugin_id, kind, trigger)
      SELECT workspace_id, plugin_id, 'sync', 'schedule' FROM due
      ON CONFLICT (workspace_id, plugin_id) WHERE kind = 'sync' AND status IN ('queued', 'running', 'retry_scheduled') DO NOTHING
      RETURNING id, workspace_id, job_id`, [syncing])
    await jobs.sendMany(RUN_JOB, runs.map(r => ({ runId: r.id, workspaceId: r.workspace_id })), { trx, retryLimit: 0, ids: runs.map(r => r.job_id) })
    return runs.length
  })
}
