import type { FastifyInstance } from 'fastify'
import { ACTIVE, RunActiveError, type RunRow } from '../core/integrations/runs.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'
import { IntegrationUsageError } from './integration-command.ts'

export const SYNC_USAGE = `  sync <plugin> --workspace <slug> [--dry-run]
                                         run a sync (or, with --dry-run, a preview that writes nothing) to
                                         the end; prints its counts as JSON on the last line; exit 0 only if
                                         it completed`

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
/** While it waits for a run executing elsewhere, every 5 s. */
const SWEEP_EVERY = 10

/**
 * Queues the run as Sync now does, then executes it in this process. If a worker claimed it first
 * (a server is running), waits for that worker; a run waiting to retry is retried here when due.
 * A sync of the same kind already in progress (say, one resumed after a crash, with no worker to
 * take it) is followed the same way instead of being refused.
 */
/**
 * Executes a queued run in this process, or waits for the worker that claimed it first; a run
 * waiting to retry is retried here when due. Returns the run once it has ended.
 */
export async function followRun (app: FastifyInstance, workspaceId: string, queued: RunRow): Promise<RunRow> {
  let run: RunRow | undefined = queued
  for (let waited = 0; ; waited++) {
    await app.integrations.executeNow(workspaceId, run.id)
    run = await app.integrations.run(workspaceId, run.id)
    if (!run) throw new Error('the run disappeared')
    if (run.status === 'retry_scheduled') {
      console.error(`${run.message ?? 'Retrying'}`)
      await sleep(Math.max(0, new Date(run.retry_at ?? Date.now()).getTime() - Date.now()))
      continue
    }
    if (!ACTIVE.includes(run.status)) return run
    // Running elsewhere: if that process is gone, the sweep hands the run back (here, with no worker running) to be resumed.
    if (waited % SWEEP_EVERY === SWEEP_EVERY - 1) await app.jobs.sweep()
    await sleep(500)
  }
}

export async function syncCommand (app: FastifyInstance, slug: string, pluginId: string | undefined, dryRun: boolean): Promise<number> {
  if (!pluginId) throw new IntegrationUsageError('sync needs a plugin id')
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new IntegrationUsageError(`no workspace "${slug}"`)
  const plugin = app.integrations.plugin(pluginId)
  if (!plugin?.connector?.sync) throw new IntegrationUsageError(`no plugin "${pluginId}" that can sync; these can: ${app.integrations.plugins.filter(p => p.connector?.sync).map(p => p.id).join(', ') || 'none'}`)
  const row = await app.integrations.settings.get(workspace.id, plugin.id)
  if (!row?.enabled) throw new IntegrationUsageError(`${plugin.manifest.name} is not enabled in "${slug}"`)

  let run: RunRow
  try {
    run = await app.integrations.sync(workspace.id, plugin.id, { trigger: 'cli', dryRun })
    console.error(`${dryRun ? 'Previewing' : 'Syncing'} ${plugin.manifest.name} in "${slug}" (run ${run.id})…`)
  } catch (err) {
    const active = err instanceof RunActiveError ? await app.integrations.run(workspace.id, err.runId) : undefined
    if (active?.kind !== 'sync' || active.dry_run !== dryRun) throw err
    run = active
    console.error(`A ${dryRun ? 'preview' : 'sync'} of ${plugin.manifest.name} in "${slug}" is already in progress (run ${run.id}); following it…`)
  }
  run = await followRun(app, workspace.id, run)
  if (run.status !== 'succeeded') console.error(`${plugin.manifest.name}: ${run.message ?? 'the sync failed'}`)
  console.log(JSON.stringify({
    run: run.id,
    plugin: plugin.id,
    status: run.status,
    dryRun: run.dry_run,
    read: run.read,
    created: run.created,
    updated: run.updated,
    unchanged: run.unchanged,
    skipped: run.skipped,
    deleted: run.deleted,
    errors: run.errors
  }))
  return run.status === 'succeeded' ? 0 : 1
}
