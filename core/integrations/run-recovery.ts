// Runs whose worker is gone: a sync resumes from its checkpoint as a new attempt, keeping its counts;
// a test, a preview, or a sync with no attempt left fails with the reason. Run in the job sweep's
// transaction (core/jobs/workers.ts), so two workers never recover the same run.
import type { Knex } from 'knex'
import { recordAudit, systemActor, type AuditEntry } from '../audit/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { RUN_JOB } from './runs.ts'
import { MAX_ATTEMPTS } from './sync-run.ts'

export const WORKER_STOPPED = 'The worker running it stopped.'

interface Recovered {
  outcome: 'resumed' | 'failed'
  id: string
  job_id: string
  workspace_id: string
  plugin_id: string
  kind: 'test' | 'sync'
  dry_run: boolean
  trigger: string
  read: number
  created: number
  updated: number
  unchanged: number
  skipped: number
  deleted: number
  errors: number
}

/**
 * Every running run whose lease lapsed, or whose process was just found gone, in one statement (a
 * run from before leases existed has none and counts as lapsed). The integrations of the failed ones
 * are marked as after any failed run; their audit entries and the resumed runs' jobs follow.
 */
export async function recoverRuns (trx: Knex.Transaction, jobs: Jobs, gone: string[]): Promise<void> {
  const resumable = `r.kind = 'sync' AND NOT r.dry_run AND r.attempt < ${MAX_ATTEMPTS}`
  const { rows } = await trx.raw<{ rows: Recovered[] }>(`
    WITH lapsed AS (
      SELECT id FROM integration_runs
      WHERE status = 'running' AND (lease_until IS NULL OR lease_until < now() OR worker_id = ANY (?::uuid[]))
      FOR UPDATE
    ), resumed AS (
      UPDATE integration_runs r SET status = 'queued', attempt = r.attempt + 1, lease_id = NULL, lease_until = NULL, job_id = gen_random_uuid(),
        message = 'Resuming from its last checkpoint: the worker running it stopped.'
      FROM lapsed l WHERE r.id = l.id AND ${resumable}
      RETURNING r.*
    ), failed AS (
      UPDATE integration_runs r SET status = 'failed', message = ?, finished_at = now(), lease_id = NULL, lease_until = NULL
      FROM lapsed l WHERE r.id = l.id AND NOT (${resumable})
      RETURNING r.*
    ), synced AS (
      UPDATE integrations i SET last_sync_at = now(), last_sync_ok = false
      FROM failed f WHERE i.workspace_id = f.workspace_id AND i.plugin_id = f.plugin_id AND f.kind = 'sync' AND NOT f.dry_run
    ), tested AS (
      UPDATE integrations i SET last_test_at = now(), last_test_ok = false, last_test_message = ?
      FROM failed f WHERE i.workspace_id = f.workspace_id AND i.plugin_id = f.plugin_id AND f.kind = 'test'
    )
    SELECT 'resumed' AS outcome, id, job_id, workspace_id, plugin_id, kind, dry_run, trigger, read, created, updated, unchanged, skipped, deleted, errors FROM resumed
    UNION ALL
    SELECT 'failed', id, job_id, workspace_id, plugin_id, kind, dry_run, trigger, read, created, updated, unchanged, skipped, deleted, errors FROM failed`,
  [gone, WORKER_STOPPED, WORKER_STOPPED])
  if (rows.length === 0) return
  const resumed = rows.filter(r => r.outcome === 'resumed')
  await jobs.sendMany(RUN_JOB, resumed.map(r => ({ runId: r.id, workspaceId: r.workspace_id })), { trx, retryLimit: 0, ids: resumed.map(r => r.job_id) })
  const byWorkspace = new Map<string, AuditEntry[]>()
  for (const r of rows.filter(r => r.outcome === 'failed')) {
    const { read, created, updated, unchanged, skipped, deleted, errors } = r
    const entries = byWorkspace.get(r.workspace_id) ?? []
    entries.push({
      action: r.kind === 'test' ? 'integration.tested' : r.dry_run ? 'integration.previewed' : 'integration.synced',
      target: { type: 'integration', id: r.plugin_id, label: r.plugin_id },
      outcome: 'failure',
      details: { run_id: r.id, trigger: r.trigger, reason: 'worker_stopped', message: WORKER_STOPPED, ...(r.kind === 'sync' ? { read, created, updated, unchanged, skipped, deleted, errors } : {}) }
    })
    byWorkspace.set(r.workspace_id, entries)
  }
  for (const [workspaceId, entries] of byWorkspace) await recordAudit(trx, workspaceId, systemActor, entries)
}
