import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { asPgBossExecutor, isUniqueViolation } from '../db/index.ts'
import { connectionColumns } from './connection-state.ts'
import type { Jobs } from '../jobs/index.ts'
import { namedVendor, testResultFromError } from '../sdk/failures.ts'
import type { TestResult } from '../sdk/contract.ts'
import { emptyCounts } from '../sdk/drain.ts'
import { systemActor } from '../audit/index.ts'
import type { PlannedChange } from '../register/importers/index.ts'
import { countColumns, executeSync, MAX_PREVIEW, type SyncDeps, type SyncOutcome } from './sync-run.ts'
import { findWorkspaceById } from '../tenancy/index.ts'
import { connectorContext, pluginActor } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { RunLease } from './lease.ts'
import { settleRemovals, supersedeReviews } from './run-removals.ts'

export const RUN_JOB = 'integration.run'
/** The statuses that hold a plugin's run slots, one for a test and one for a sync (partial unique indexes enforce them). */
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
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'retry_scheduled' | 'cancelled'
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
  /** The syncs this run read from the top (core/integrations/sync-deletes.ts). */
  full_passes: string[]
  /** Removals the mass-removal guard held: pending an admin's review, then what became of them. */
  review: 'pending' | 'confirmed' | 'dismissed' | 'superseded' | null
  review_reason: string | null
  /** The pg-boss job that executes it next (cancelled with the run while it waits). */
  job_id: string
  /** The process executing it, this execution, and until when (core/integrations/lease.ts). */
  worker_id: string | null
  lease_id: string | null
  lease_until: Date | null
  created_at: Date
  finished_at: Date | null
}

export type RunTrigger = 'manual' | 'schedule' | 'cli' | 'api'
export interface StartRunOptions {
  trigger?: RunTrigger
  dryRun?: boolean
  /** Written in the run's transaction, before its job can start (a CSV import links its file to the run). */
  attach?: (trx: Knex.Transaction, run: RunRow) => Promise<void>
}

export class RunActiveError extends Error {
  override name = 'RunActiveError'
  statusCode = 409
  constructor (readonly runId: string) { super('A run of this integration is already in progress.') }
}

/**
 * Queues a run: the row and its job commit together, and the database allows one active run per
 * plugin. When the slot is taken, a recovery sweep runs first (so a run whose worker is gone never
 * blocks the slot, even with no worker process sweeping), then the insert is tried once more.
 */
export async function startRun (db: Knex, jobs: Jobs, workspaceId: string, pluginId: string, kind: RunRow['kind'], options: StartRunOptions = {}): Promise<RunRow> {
  const { trigger = 'manual', dryRun = false } = options
  const insert = async () => await db.transaction(async trx => {
    const [run] = await trx('integration_runs').insert({ workspace_id: workspaceId, plugin_id: pluginId, kind, trigger, dry_run: dryRun }).returning('*')
    await options.attach?.(trx, run)
    await jobs.send(RUN_JOB, { runId: run.id, workspaceId }, { trx, retryLimit: 0, id: run.job_id })
    return run as RunRow
  })
  for (let attempt = 1; ; attempt++) {
    try {
      return await insert()
    } catch (err) {
      if (!isUniqueViolation(err, 'integration_runs_one_active_key') && !isUniqueViolation(err, 'integration_runs_one_active_test_key')) throw err
      if (attempt === 1) {
        await jobs.sweep()
        continue
      }
      throw new RunActiveError((await findActiveRuns(db, workspaceId, pluginId)).find(r => r.kind === kind)?.id ?? '')
    }
  }
}

/** The plugin's queued, running or waiting runs: a sync and a test at most, the sync first. */
export async function findActiveRuns (db: Knex, workspaceId: string, pluginId: string): Promise<RunRow[]> {
  return await db('integration_runs').where({ workspace_id: workspaceId, plugin_id: pluginId }).whereIn('status', ACTIVE).orderBy('kind')
}

export async function getRun (db: Knex, workspaceId: string, runId: string): Promise<RunRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined
  return await db('integration_runs').where({ workspace_id: workspaceId, id: runId }).first()
}

/**
 * The job: claims the run with a lease (core/integrations/lease.ts), runs the connector's test() or
 * sync and records the outcome on the run, the integration and the audit log — unless the run was
 * cancelled or resumed elsewhere meanwhile.
 */
export async function executeRun (deps: SyncDeps & { jobs: Jobs }, plugins: Map<string, DiscoveredPlugin>, workspaceId: string, runId: string): Promise<void> {
  const { db } = deps
  const lease = new RunLease(db, deps.jobs, runId)
  // A retry is claimed only once its time has come: a job queued earlier for the same run must not run it early.
  const [run] = await db('integration_runs').where({ workspace_id: workspaceId, id: runId })
    .where(q => q.where('status', 'queued').orWhere(r => r.where('status', 'retry_scheduled').where('retry_at', '<=', db.fn.now())))
    .update({ status: 'running', started_at: db.fn.now(), retry_at: null, ...lease.columns() }).returning('*')
  if (!run) return
  lease.start()
  try {
    const plugin = plugins.get(run.plugin_id)
    const workspace = await findWorkspaceById(db, workspaceId)
    const actor = plugin ? pluginActor(plugin) : systemActor
    if (run.kind === 'sync') {
      const outcome: SyncOutcome = plugin?.connector?.sync && workspace
        ? await executeSync(deps, plugin, workspace, run, lease)
        : { status: 'failed', counts: emptyCounts(), reason: 'config', message: 'This integration is not installed or cannot sync.' }
      if (outcome.status !== 'stopped') await recordSyncOutcome(deps, run, lease, actor, outcome, plugin)
      return
    }
    let result: TestResult
    if (!plugin?.connector?.test || !workspace) {
      result = { ok: false, reason: 'config', message: 'This integration is not installed or cannot be tested.' }
    } else {
      try {
        const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.any([AbortSignal.timeout(TEST_TIMEOUT_MS), lease.signal]))
        result = await Promise.race([plugin.connector.test(ctx), lease.lost])
      } catch (err) {
        if (lease.signal.aborted) return
        result = testResultFromError(err, plugin.manifest.name)
      }
    }
    await recordTestResult(db, run, lease, actor, result)
  } finally {
    lease.stop()
  }
}

async function recordSyncOutcome (deps: SyncDeps & { jobs: Jobs }, run: RunRow, lease: RunLease, actor: Actor, outcome: Exclude<SyncOutcome, { status: 'stopped' }>, plugin: DiscoveredPlugin | undefined): Promise<void> {
  const { counts } = outcome
  const summary: { held?: number } & Record<'read' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'deleted' | 'errors', number> = { read: counts.read, created: counts.created, updated: counts.updated, unchanged: counts.unchanged, skipped: counts.skipped, deleted: counts.deleted, errors: counts.errors.length }
  await deps.db.transaction(async trx => {
    const common = { ...countColumns(counts), preview: JSON.stringify(outcome.status === 'succeeded' ? outcome.preview : []) }
    if (outcome.status === 'retry_scheduled') {
      // The retry is a job of its own, named on the run so that Cancel cancels it too.
      const [held] = await lease.scope(trx)
        .update({ ...common, status: 'retry_scheduled', retry_at: outcome.retryAt, attempt: run.attempt + 1, lease_id: null, lease_until: null, message: outcome.message, job_id: trx.raw('gen_random_uuid()') })
        .returning('job_id')
      if (held === undefined) return
      await deps.jobs.send(RUN_JOB, { runId: run.id, workspaceId: run.workspace_id }, { trx, retryLimit: 0, startAfter: outcome.retryAt, id: held.job_id })
      await markConnection(trx, run, false, `${outcome.message}; the ${run.dry_run ? 'preview' : 'sync'} will try again by itself`)
      return
    }
    const ok = outcome.status === 'succeeded'
    let message = ok ? syncMessage(summary, run.dry_run) : outcome.message
    // Cancelled or resumed elsewhere meanwhile: the outcome is no longer this execution's to record.
    if (await lease.scope(trx).update({ ...common, status: outcome.status, message, finished_at: trx.fn.now(), lease_until: null }) === 0) return
    if (!run.dry_run) await supersedeReviews(trx, run)
    if (ok && plugin !== undefined) {
      // The removals commit with the completion, or not at all.
      const settled = await settleRemovals(trx, deps, plugin, run, counts.errors.length, actor, MAX_PREVIEW - outcome.preview.length)
      if (settled.note !== null) {
        message = `${message} ${settled.note}`
        summary.deleted += settled.removed
        if (settled.held > 0) summary.held = settled.held
        await trx('integration_runs').where({ workspace_id: run.workspace_id, id: run.id })
          .update({ message, deleted: summary.deleted, preview: JSON.stringify([...outcome.preview, ...settled.planned]) })
      }
    }
    await markConnection(trx, run, ok, message, run.dry_run ? {} : { last_sync_at: trx.fn.now(), last_sync_ok: ok })
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

async function recordTestResult (db: Knex, run: RunRow, lease: RunLease, actor: Actor, result: TestResult): Promise<void> {
  const message = namedVendor(result.message ?? (result.ok ? 'Connected.' : 'The test failed.'), actor.label)
  await db.transaction(async trx => {
    if (await lease.scope(trx).update({ status: result.ok ? 'succeeded' : 'failed', message, finished_at: trx.fn.now(), lease_until: null }) === 0) return
    await markConnection(trx, run, result.ok, message, { last_test_at: trx.fn.now(), last_test_ok: result.ok, last_test_message: message })
    await recordAudit(trx, run.workspace_id, actor, {
      action: 'integration.tested',
      target: { type: 'integration', id: run.plugin_id, label: run.plugin_id },
      outcome: result.ok ? 'success' : 'failure',
      details: result.ok ? { message } : { reason: result.reason, message }
    })
  })
}

/** A finished (or waiting) test or run's verdict on the connection, written on its integration with `also`. */
async function markConnection (trx: Knex.Transaction, run: RunRow, ok: boolean, reason: string, also: Record<string, unknown> = {}): Promise<void> {
  await trx('integrations').where({ workspace_id: run.workspace_id, plugin_id: run.plugin_id }).update({ ...also, ...connectionColumns(trx, ok, reason) })
}

/**
 * Cancels a queued, running or waiting run: it ends "Cancelled by <who>" and frees the plugin's slot
 * at once. A queued or waiting run's pg-boss job is cancelled in the same transaction, so a retry
 * never starts after Cancel; a running execution notices at its next lease renewal or write and
 * stops through its signal (core/integrations/lease.ts). Returns the run as it is now, or undefined
 * if there is none.
 */
export async function cancelRun (db: Knex, jobs: Jobs, workspaceId: string, actor: Actor, pluginId: string, runId: string, pluginName: string): Promise<{ run: RunRow, cancelled: boolean } | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined
  return await db.transaction(async trx => {
    const [cancelled] = await cancelRuns(trx, jobs, { workspace_id: workspaceId, plugin_id: pluginId, id: runId }, `Cancelled by ${actor.label}.`)
    if (!cancelled) {
      const run = await trx('integration_runs').where({ workspace_id: workspaceId, plugin_id: pluginId, id: runId }).first()
      return run ? { run, cancelled: false } : undefined
    }
    await recordAudit(trx, workspaceId, actor, {
      action: 'integration.run_cancelled',
      target: { type: 'integration', id: cancelled.plugin_id, label: pluginName },
      details: { run_id: cancelled.id, kind: cancelled.kind, dry_run: cancelled.dry_run, trigger: cancelled.trigger, created: cancelled.created, updated: cancelled.updated, ...(cancelled.waited ? { was: 'waiting to retry' } : {}) }
    })
    return { run: cancelled, cancelled: true }
  })
}

/** Disconnect: every active run of the plugin ends cancelled (their executions stop writing, their waiting jobs are cancelled). Returns their ids. */
export async function cancelActiveRuns (db: Knex, jobs: Jobs, workspaceId: string, pluginId: string, message: string): Promise<string[]> {
  return await db.transaction(async trx => (await cancelRuns(trx, jobs, { workspace_id: workspaceId, plugin_id: pluginId }, message)).map(r => r.id))
}

type CancelledRun = RunRow & { waited: boolean, started: boolean }

/** Cancels the active runs in `scope`, and the pg-boss jobs of those that were not running yet. */
async function cancelRuns (trx: Knex.Transaction, jobs: Jobs, scope: Record<string, string>, message: string): Promise<CancelledRun[]> {
  const before = trx('integration_runs').where(scope).whereIn('status', ACTIVE).forUpdate().select('id', 'status').toSQL()
  const { rows } = await trx.raw<{ rows: CancelledRun[] }>(`
    WITH before AS (${before.sql})
    UPDATE integration_runs r SET status = 'cancelled', message = ?, finished_at = now(), retry_at = NULL, lease_until = NULL
    FROM before b WHERE r.id = b.id
    RETURNING r.*, b.status = 'retry_scheduled' AS waited, b.status = 'running' AS started`, [...before.bindings, message])
  const notStarted = rows.filter(r => !r.started).map(r => r.job_id)
  if (notStarted.length > 0) await jobs.boss.cancel(RUN_JOB, notStarted, { db: asPgBossExecutor(trx) })
  return rows
}
