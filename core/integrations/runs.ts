import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { isUniqueViolation } from '../db/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { testResultFromError } from '../sdk/failures.ts'
import type { TestResult } from '../sdk/contract.ts'
import { emptyCounts } from '../sdk/drain.ts'
import { systemActor } from '../audit/index.ts'
import type { PlannedChange } from '../register/importers/index.ts'
import { countColumns, executeSync, type SyncDeps, type SyncOutcome } from './sync-run.ts'
import { findWorkspaceById } from '../tenancy/index.ts'
import { connectorContext, pluginActor } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'

export const RUN_JOB = 'integration.run'
/** The statuses that hold a plugin's one run slot (a partial unique index enforces it). */
export const ACTIVE: ReadonlyArray<RunRow['status']> = ['queued', 'running', 'retry_scheduled']
const TEST_TIMEOUT_MS = 60_000

export interface RunRow {
  id: string
  workspace_id: string
  plugin_id: string
  kind: 'test' | 'sync'
  trigger: RunTrigger
  dry_run: boolean
  attempt: number
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'retry_scheduled'
  created: number
  updated: number
  unchanged: number
  skipped: number
  deleted: number
  read: number
  errors: number
  error_details: Array<{ externalId: string, reason: string }>
  preview: PlannedChange[]
  message: string | null
  retry_at: Date | null
  created_at: Date
  finished_at: Date | null
}

export type RunTrigger = 'manual' | 'schedule' | 'cli' | 'api'
export interface StartRunOptions { trigger?: RunTrigger, dryRun?: boolean }

export class RunActiveError extends Error {
  override name = 'RunActiveError'
  statusCode = 409
  constructor (readonly runId: string) { super('A run of this integration is already in progress.') }
}

/** Queues a run: the row and its job commit together, and the database allows one active run per plugin. */
export async function startRun (db: Knex | Knex.Transaction, jobs: Jobs, workspaceId: string, pluginId: string, kind: RunRow['kind'], options: StartRunOptions = {}): Promise<RunRow> {
  const { trigger = 'manual', dryRun = false } = options
  try {
    return await db.transaction(async trx => {
      const [run] = await trx('integration_runs').insert({ workspace_id: workspaceId, plugin_id: pluginId, kind, trigger, dry_run: dryRun }).returning('*')
      await jobs.send(RUN_JOB, { runId: run.id, workspaceId }, { trx, retryLimit: 0 })
      return run as RunRow
    })
  } catch (err) {
    if (!isUniqueViolation(err, 'integration_runs_one_active_key')) throw err
    const active = await db('integration_runs').where({ workspace_id: workspaceId, plugin_id: pluginId }).whereIn('status', ACTIVE).first('id')
    throw new RunActiveError(active?.id ?? '')
  }
}

export async function getRun (db: Knex, workspaceId: string, runId: string): Promise<RunRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined
  return await db('integration_runs').where({ workspace_id: workspaceId, id: runId }).first()
}

/** The job: runs the connector's test() or sync and records the outcome on the run, the integration and the audit log. */
export async function executeRun (deps: SyncDeps & { jobs: Jobs }, plugins: Map<string, DiscoveredPlugin>, workspaceId: string, runId: string): Promise<void> {
  const { db } = deps
  // A retry is claimed only once its time has come: a job queued earlier for the same run must not run it early.
  const [run] = await db('integration_runs').where({ workspace_id: workspaceId, id: runId })
    .where(q => q.where('status', 'queued').orWhere(r => r.where('status', 'retry_scheduled').where('retry_at', '<=', db.fn.now())))
    .update({ status: 'running', started_at: db.fn.now(), retry_at: null }).returning('*')
  if (!run) return
  const plugin = plugins.get(run.plugin_id)
  const workspace = await findWorkspaceById(db, workspaceId)
  const actor = plugin ? pluginActor(plugin) : systemActor
  if (run.kind === 'sync') {
    const outcome: SyncOutcome = plugin?.connector?.sync && workspace
      ? await executeSync(deps, plugin, workspace, run)
      : { status: 'failed', counts: emptyCounts(), reason: 'config', message: 'This integration is not installed or cannot sync.' }
    await recordSyncOutcome(deps, run, actor, outcome)
    return
  }
  let result: TestResult
  if (!plugin?.connector?.test || !workspace) {
    result = { ok: false, reason: 'config', message: 'This integration is not installed or cannot be tested.' }
  } else {
    try {
      const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.timeout(TEST_TIMEOUT_MS))
      result = await plugin.connector.test(ctx)
    } catch (err) {
      result = testResultFromError(err)
    }
  }
  await recordTestResult(db, run, actor, result)
}

async function recordSyncOutcome (deps: SyncDeps & { jobs: Jobs }, run: RunRow, actor: Actor, outcome: SyncOutcome): Promise<void> {
  const { counts } = outcome
  const summary = { read: counts.read, created: counts.created, updated: counts.updated, unchanged: counts.unchanged, skipped: counts.skipped, deleted: counts.deleted, errors: counts.errors.length }
  await deps.db.transaction(async trx => {
    const common = { ...countColumns(counts), preview: JSON.stringify(outcome.status === 'succeeded' ? outcome.preview : []) }
    if (outcome.status === 'retry_scheduled') {
      await trx('integration_runs').where({ id: run.id })
        .update({ ...common, status: 'retry_scheduled', retry_at: outcome.retryAt, attempt: run.attempt + 1, message: `${outcome.message} — retrying at ${outcome.retryAt.toISOString()}` })
      await deps.jobs.send(RUN_JOB, { runId: run.id, workspaceId: run.workspace_id }, { trx, retryLimit: 0, startAfter: outcome.retryAt })
      return
    }
    const ok = outcome.status === 'succeeded'
    const message = ok ? syncMessage(summary, run.dry_run) : outcome.message
    await trx('integration_runs').where({ id: run.id }).update({ ...common, status: outcome.status, message, finished_at: trx.fn.now() })
    if (!run.dry_run) {
      await trx('integrations').where({ workspace_id: run.workspace_id, plugin_id: run.plugin_id }).update({
        last_sync_at: trx.fn.now(),
        last_sync_ok: ok,
        ...(outcome.status === 'failed' && outcome.reason === 'auth' ? { needs_attention: true } : {})
      })
    }
    await recordAudit(trx, run.workspace_id, actor, {
      action: run.dry_run ? 'integration.previewed' : 'integration.synced',
      target: { type: 'integration', id: run.plugin_id, label: actor.label },
      outcome: ok ? 'success' : 'failure',
      details: { run_id: run.id, source: actor.label, trigger: run.trigger, ...summary, ...(ok ? {} : { reason: outcome.reason, message }) }
    })
  })
}

function syncMessage (s: { created: number, updated: number, unchanged: number, skipped: number, errors: number }, dryRun: boolean): string {
  const counts = `${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.skipped} skipped, ${s.errors} errors`
  return dryRun ? `Preview: would write ${counts}.` : `${counts[0].toUpperCase()}${counts.slice(1)}.`
}

async function recordTestResult (db: Knex, run: RunRow, actor: Actor, result: TestResult): Promise<void> {
  const message = result.message ?? (result.ok ? 'Connected.' : 'The test failed.')
  await db.transaction(async trx => {
    await trx('integration_runs').where({ id: run.id })
      .update({ status: result.ok ? 'succeeded' : 'failed', message, finished_at: trx.fn.now() })
    await trx('integrations').where({ workspace_id: run.workspace_id, plugin_id: run.plugin_id }).update({
      last_test_at: trx.fn.now(),
      last_test_ok: result.ok,
      last_test_message: message,
      needs_attention: !result.ok && result.reason === 'auth'
    })
    await recordAudit(trx, run.workspace_id, actor, {
      action: 'integration.tested',
      target: { type: 'integration', id: run.plugin_id, label: run.plugin_id },
      outcome: result.ok ? 'success' : 'failure',
      details: result.ok ? { message } : { reason: result.reason, message }
    })
  })
}
