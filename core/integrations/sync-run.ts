import type { Knex } from 'knex'
import { recordAudit } from '../audit/index.ts'
import type { Outbox } from '../events/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { IMPORTERS, type ImportedBatch, type ImportSource, type PlannedChange } from '../register/importers/index.ts'
import { drainMessages, emptyCounts, readAhead, type SyncCounts, type SyncSink } from '../sdk/drain.ts'
import { failureReason } from '../sdk/failures.ts'
import type { Checkpoint, Model } from '../sdk/records.ts'
import type { Workspace } from '../tenancy/index.ts'
import { connectorContext, pluginActor, type ContextDeps } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { RetryLaterError } from './http-types.ts'
import type { RunRow } from './runs.ts'
import type { Change } from '../register/change.ts'

export interface SyncDeps extends ContextDeps { events: Outbox, jobs: Jobs }

/**
 * Records per importer transaction, gathered across the vendor's pages: big enough for set-based
 * SQL to pay, small enough to keep locks (and, on the embedded database, other requests) waiting
 * briefly.
 */
const CHUNK = 1000
/** Live progress is written at most this often; the final counts are written with the outcome. */
const PROGRESS_EVERY_MS = 500
/** Kept on the run for the admin; the counts stay exact beyond it. */
const MAX_ERROR_DETAILS = 500
const MAX_PREVIEW = 1000
const SYNC_TIMEOUT_MS = 60 * 60_000
export const MAX_ATTEMPTS = 3

/**
 * After a sync creates this many rows, the table's planner statistics are refreshed at once rather
 * than whenever autovacuum gets to it: until then Postgres plans the next import's lookups by
 * serial for the table as it was (a scan of 100,000 rows per batch instead of an index lookup),
 * which made an unchanged re-import right after a first one take 4-5 s instead of 2.
 */
const ANALYZE_AFTER_CREATED = 1000
const TABLE_OF: Record<Model, string> = { device: 'hardware', person: 'users', seat: 'software_assignments' }

/** Thrown inside a dry run's transaction so that what the importer wrote is rolled back. */
class DryRun extends Error {
  constructor (readonly result: unknown) { super('dry run') }
}

export type SyncOutcome =
  | { status: 'succeeded', counts: SyncCounts, preview: PlannedChange[] }
  | { status: 'failed', counts: SyncCounts, reason: string, message: string }
  | { status: 'retry_scheduled', counts: SyncCounts, retryAt: Date, message: string }

/**
 * Runs every sync the plugin declares, in order, each from its saved checkpoint, merging batches
 * through the model's importer; records before a failure stay committed and the run keeps its
 * counts. Auth failures are final; rate limits and network failures retry from the checkpoint.
 */
export async function executeSync (deps: SyncDeps, plugin: DiscoveredPlugin, workspace: Workspace, run: RunRow & { dry_run: boolean, attempt: number }): Promise<SyncOutcome> {
  // A retry continues the run: its totals include what earlier attempts wrote.
  const counts: SyncCounts = run.attempt > 1 ? countsOf(run) : emptyCounts()
  let current = emptyCounts()
  const preview: PlannedChange[] = []
  try {
    const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.timeout(SYNC_TIMEOUT_MS))
    for (const declared of plugin.manifest.syncs ?? []) {
      const checkpoint = await loadCheckpoint(deps.db, workspace.id, plugin.id, declared.id)
      const sink = registerSink(deps, workspace.id, plugin, run, declared.id, preview)
      // The next vendor page is fetched while the last one is written.
      const messages = readAhead(plugin.connector!.sync!(ctx, { syncId: declared.id, checkpoint }))
      current = emptyCounts()
      let savedAt = 0
      const progress = async (c: SyncCounts) => {
        current = c
        if (performance.now() - savedAt < PROGRESS_EVERY_MS) return
        savedAt = performance.now()
        await saveProgress(deps.db, run.id, add(counts, c))
      }
      await drainMessages(messages, { ...sink, progress }, { permissions: plugin.manifest.permissions ?? [], batchSize: CHUNK })
      if (!run.dry_run && current.created >= ANALYZE_AFTER_CREATED) await deps.db.raw('ANALYZE ??', [TABLE_OF[declared.model]])
      Object.assign(counts, add(counts, current))
      current = emptyCounts()
      // A full sync starts from the top next time; an incremental one continues from where it ended.
      if (declared.mode === 'full' && !run.dry_run) await clearCheckpoint(deps.db, workspace.id, plugin.id, declared.id)
    }
    return { status: 'succeeded', counts, preview }
  } catch (err) {
    Object.assign(counts, add(counts, current))
    const message = err instanceof Error ? err.message : String(err)
    const reason = failureReason(err)
    if (reason === 'network' && !(err instanceof TypeError) && run.attempt < MAX_ATTEMPTS) {
      const retryAt = err instanceof RetryLaterError ? err.retryAt : new Date(Date.now() + 30_000 * 2 ** (run.attempt - 1))
      return { status: 'retry_scheduled', counts, retryAt, message }
    }
    return { status: 'failed', counts, reason, message }
  }
}

function countsOf (run: RunRow): SyncCounts {
  const { read, created, updated, unchanged, deleted, skipped } = run
  return { read, created, updated, unchanged, deleted, skipped, errors: [...(run.error_details ?? [])] }
}

/** The totals so far: earlier syncs of this run plus the one in progress. */
function add (done: SyncCounts, current: SyncCounts): SyncCounts {
  return {
    read: done.read + current.read,
    created: done.created + current.created,
    updated: done.updated + current.updated,
    unchanged: done.unchanged + current.unchanged,
    deleted: done.deleted + current.deleted,
    skipped: done.skipped + current.skipped,
    errors: [...done.errors, ...current.errors]
  }
}

function registerSink (deps: SyncDeps, workspaceId: string, plugin: DiscoveredPlugin, run: { dry_run: boolean }, syncId: string, preview: PlannedChange[]): SyncSink {
  const actor = pluginActor(plugin)
  const source: ImportSource = { pluginId: plugin.id, name: plugin.manifest.name }
  /**
   * One transaction per chunk: the rows, their audit entries and events commit together (or, in a
   * dry run, not at all). `eventsWritten` tells how many events the importer wrote set-based itself.
   */
  const apply = async <T>(work: (trx: Knex.Transaction) => Promise<Change<T>>, eventsWritten: (result: T) => number = () => 0): Promise<T> => {
    try {
      return await deps.db.transaction(async trx => {
        const change = await work(trx)
        if (run.dry_run) throw new DryRun(change.result)
        await recordAudit(trx, workspaceId, actor, change.audit ?? [])
        await deps.events.emit(trx, workspaceId, change.events ?? [])
        if (eventsWritten(change.result) > 0) await deps.events.wake(trx, workspaceId)
        return change.result
      })
    } catch (err) {
      if (err instanceof DryRun) return err.result as T
      throw err
    }
  }
  return {
    async upsert (model: Model, records) {
      const total = { created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [] as ImportedBatch['errors'] }
      for (let i = 0; i < records.length; i += CHUNK) {
        const plan = run.dry_run ? MAX_PREVIEW - preview.length : 0
        const batch: ImportedBatch = await apply(trx => IMPORTERS[model].upsert(trx, workspaceId, source, records.slice(i, i + CHUNK), { plan }), b => b.eventsWritten)
        total.created += batch.created
        total.updated += batch.updated
        total.unchanged += batch.unchanged
        total.skipped += batch.skipped
        total.errors.push(...batch.errors)
        preview.push(...batch.planned.slice(0, plan))
      }
      return total
    },
    async delete (model: Model, externalIds) {
      if (run.dry_run) return 0
      return await apply<number>(trx => IMPORTERS[model].remove(trx, workspaceId, source, externalIds))
    },
    async checkpoint (value: Checkpoint) {
      if (run.dry_run) return
      await deps.db('integration_state')
        .insert({ workspace_id: workspaceId, plugin_id: source.pluginId, sync_id: syncId, checkpoint: JSON.stringify(value), updated_at: deps.db.fn.now() })
        .onConflict(['workspace_id', 'plugin_id', 'sync_id']).merge(['checkpoint', 'updated_at'])
    }
  }
}

async function loadCheckpoint (db: Knex, workspaceId: string, pluginId: string, syncId: string): Promise<Checkpoint | null> {
  const row = await db('integration_state').where({ workspace_id: workspaceId, plugin_id: pluginId, sync_id: syncId }).first('checkpoint')
  return row?.checkpoint ?? null
}

async function clearCheckpoint (db: Knex, workspaceId: string, pluginId: string, syncId: string): Promise<void> {
  await db('integration_state').where({ workspace_id: workspaceId, plugin_id: pluginId, sync_id: syncId }).delete()
}

/** The run's live counts, for the progress shown while it runs. */
async function saveProgress (db: Knex, runId: string, counts: SyncCounts): Promise<void> {
  await db('integration_runs').where({ id: runId }).update(countColumns(counts))
}

export function countColumns (counts: SyncCounts) {
  return {
    read: counts.read,
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    deleted: counts.deleted,
    skipped: counts.skipped,
    errors: counts.errors.length,
    error_details: JSON.stringify(counts.errors.slice(0, MAX_ERROR_DETAILS))
  }
}
