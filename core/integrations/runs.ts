import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { isUniqueViolation } from '../db/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { testResultFromError } from '../sdk/failures.ts'
import type { TestResult } from '../sdk/contract.ts'
import { findWorkspaceById } from '../tenancy/index.ts'
import { connectorContext, pluginActor, type ContextDeps } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'

export const RUN_JOB = 'integration.run'
const TEST_TIMEOUT_MS = 60_000

export interface RunRow {
  id: string
  workspace_id: string
  plugin_id: string
  kind: 'test' | 'sync'
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'retry_scheduled'
  created: number
  updated: number
  unchanged: number
  skipped: number
  errors: number
  message: string | null
  created_at: Date
  finished_at: Date | null
}

export class RunActiveError extends Error {
  override name = 'RunActiveError'
  statusCode = 409
  constructor (readonly runId: string) { super('A run of this integration is already in progress.') }
}

/** Queues a run: the row and its job commit together, and the database allows one active run per plugin. */
export async function startRun (db: Knex, jobs: Jobs, workspaceId: string, pluginId: string, kind: 'test', trigger: 'manual' | 'cli' = 'manual'): Promise<RunRow> {
  try {
    return await db.transaction(async trx => {
      const [run] = await trx('integration_runs').insert({ workspace_id: workspaceId, plugin_id: pluginId, kind, trigger }).returning('*')
      await jobs.send(RUN_JOB, { runId: run.id, workspaceId }, { trx, retryLimit: 0 })
      return run as RunRow
    })
  } catch (err) {
    if (!isUniqueViolation(err, 'integration_runs_one_active_key')) throw err
    const active = await db('integration_runs').where({ workspace_id: workspaceId, plugin_id: pluginId }).whereIn('status', ['queued', 'running']).first('id')
    throw new RunActiveError(active?.id ?? '')
  }
}

export async function getRun (db: Knex, workspaceId: string, runId: string): Promise<RunRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined
  return await db('integration_runs').where({ workspace_id: workspaceId, id: runId }).first()
}

/** The job: runs the connector's test() and records the outcome on the run, the integration and the audit log. */
export async function executeRun (deps: ContextDeps, plugins: Map<string, DiscoveredPlugin>, workspaceId: string, runId: string): Promise<void> {
  const { db } = deps
  const [run] = await db('integration_runs').where({ workspace_id: workspaceId, id: runId, status: 'queued' })
    .update({ status: 'running', started_at: db.fn.now() }).returning('*')
  if (!run) return
  const plugin = plugins.get(run.plugin_id)
  const workspace = await findWorkspaceById(db, workspaceId)
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
  await recordTestResult(db, run, plugin ? pluginActor(plugin) : { type: 'system', label: 'Stocktake' }, result)
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
