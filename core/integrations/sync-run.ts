import type { Knex } from 'knex'
import { recordAudit } from '../audit/index.ts'
import type { Outbox } from '../events/index.ts'
import type { Jobs } from '../jobs/index.ts'
import { IMPORTERS, type ImportedBatch, type ImportSource, type PlannedChange } from '../register/importers/index.ts'
import { drainMessages, emptyCounts, readAhead, type BatchCounts, type RecordError, type SyncCounts, type SyncSink } from '../sdk/drain.ts'
import { failureReason, failureWords } from '../sdk/failures.ts'
import type { CanonicalRecord, Checkpoint, DeviceRecord, Model } from '../sdk/records.ts'
import type { Workspace } from '../tenancy/index.ts'
import { connectorContext, pluginActor, type ContextDeps } from './context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { RetryLaterError } from './http-types.ts'
import { ACTIVE, type RunRow } from './runs.ts'
import type { Change } from '../register/change.ts'
import { RunStoppedError, type RunLease } from './lease.ts'
import { clearStaged, stageDevices, stagedChunks, sweepStaged, type StagedScope } from './run-devices.ts'
import { markFullPass, stageSeen, sweepSeen } from './sync-deletes.ts'
import { trackedModels } from './sync-deletes-manifest.ts'

export interface SyncDeps extends ContextDeps { events: Outbox, jobs: Jobs }

/**
 * Records per importer transaction, gathered across the vendor's pages: big enough for set-based
 * SQL to pay, small enough to keep locks (and, on the embedded database, other requests) waiting
 * briefly.
 */
const CHUNK = 1000
/** Live progress (records read) is written at most this often; what was written is counted with each chunk. */
const PROGRESS_EVERY_MS = 500
/** Kept on the run for the admin; the counts stay exact beyond it. */
const MAX_ERROR_DETAILS = 500
export const MAX_PREVIEW = 1000
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
  /** Cancelled, or resumed by another worker: the run is no longer this execution's to record. */
  | { status: 'stopped', counts: SyncCounts, message: string }

/**
 * Runs every sync the plugin declares, in order, each from its saved checkpoint, merging batches
 * through the model's importer; records before a failure stay committed and the run keeps its
 * counts. Auth failures are final; rate limits and network failures retry from the checkpoint.
 * Everything it writes is fenced by the run's lease; once the lease is lost it stops (even if the
 * plugin ignores its signal).
 */
export async function executeSync (deps: SyncDeps, plugin: DiscoveredPlugin, workspace: Workspace, run: RunRow & { dry_run: boolean, attempt: number }, lease: RunLease): Promise<SyncOutcome> {
  // A retry or a resumed run continues the run: its totals include what earlier attempts wrote.
  const counts: SyncCounts = run.attempt > 1 ? countsOf(run) : emptyCounts()
  let current = emptyCounts()
  const preview: PlannedChange[] = []
  /** The sync being drained, whose staged devices a final failure still merges. */
  let draining: RegisterSink | null = null
  try {
    await sweepStaged(deps.db, workspace.id, ACTIVE)
    await sweepSeen(deps.db, workspace.id, ACTIVE)
    const ctx = await connectorContext(deps, plugin, workspace, AbortSignal.any([AbortSignal.timeout(SYNC_TIMEOUT_MS), lease.signal]))
    for (const declared of plugin.manifest.syncs ?? []) {
      const checkpoint = await loadCheckpoint(deps.db, workspace.id, plugin.id, declared.id)
      // A pass from the top may remove what it did not see; one resumed from an earlier run's checkpoint may not.
      if (declared.trackDeletes === true && checkpoint === null) await markFullPass(deps.db, lease, declared.id)
      const sink = registerSink(deps, workspace.id, plugin, run, lease, declared.id, preview, counts)
      draining = sink
      // The next vendor page is fetched while the last one is written.
      const messages = readAhead(plugin.connector!.sync!(ctx, { syncId: declared.id, checkpoint }))
      current = emptyCounts()
      let savedAt = 0
      const progress = async (c: SyncCounts) => {
        current = c
        if (performance.now() - savedAt < PROGRESS_EVERY_MS) return
        savedAt = performance.now()
        lease.check(await lease.scope(deps.db).update(countColumns(counts, c)))
      }
      const drained = drainMessages(messages, { ...sink, progress }, { permissions: plugin.manifest.permissions ?? [], batchSize: CHUNK })
      drained.catch(() => {}) // when the lease is lost first, its failure is not awaited
      const read = await Promise.race([drained, lease.lost])
      current = withBatch(read, await Promise.race([sink.mergeDevices(read), lease.lost]))
      draining = null
      if (!run.dry_run && current.created >= ANALYZE_AFTER_CREATED) await deps.db.raw('ANALYZE ??', [TABLE_OF[declared.model]])
      Object.assign(counts, add(counts, current))
      current = emptyCounts()
      // A full sync starts from the top next time; an incremental one continues from where it ended.
      if (declared.mode === 'full' && !run.dry_run) await clearCheckpoint(deps.db, workspace.id, plugin.id, declared.id, lease)
    }
    return { status: 'succeeded', counts, preview }
  } catch (err) {
    if (lease.signal.aborted || err instanceof RunStoppedError) {
      Object.assign(counts, add(counts, current))
      return { status: 'stopped', counts, message: (lease.signal.reason as Error | undefined)?.message ?? String(err) }
    }
    const message = failureWords(err, plugin.manifest.name)
    const reason = failureReason(err)
    if (reason === 'network' && !(err instanceof TypeError) && run.attempt < MAX_ATTEMPTS) {
      // The retry continues the run: its staged devices wait for the rest of the fleet.
      Object.assign(counts, add(counts, current))
      const retryAt = err instanceof RetryLaterError ? err.retryAt : new Date(Date.now() + 30_000 * 2 ** (run.attempt - 1))
      return { status: 'retry_scheduled', counts, retryAt, message }
    }
    // The run ends here: what it read before the failure is still written, as it would have been
    // page by page.
    if (draining !== null) {
      try {
        current = withBatch(current, await draining.mergeDevices(current))
      } catch {} // the failure reported is the sync's
    }
    Object.assign(counts, add(counts, current))
    return { status: 'failed', counts, reason, message }
  }
}

/** Counts with a batch's added. */
function withBatch (counts: SyncCounts, batch: BatchCounts): SyncCounts {
  return {
    ...counts,
    created: counts.created + batch.created,
    updated: counts.updated + batch.updated,
    unchanged: counts.unchanged + batch.unchanged,
    skipped: counts.skipped + batch.skipped,
    errors: [...counts.errors, ...batch.errors]
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

/**
 * `earlier`: the run's totals before this sync (earlier syncs and attempts). Each chunk's counts are
 * written on the run row in the chunk's own transaction — the run's totals so far, this chunk
 * included — so the counts never disagree with the register, whenever the process stops.
 */
interface RegisterSink extends SyncSink {
  /**
   * Merges the devices this sync staged, one serial at a time whatever the pages (the record that
   * checked in last; the others count as skipped), then forgets them. `read`: the drain's totals.
   */
  mergeDevices: (read: SyncCounts) => Promise<BatchCounts>
}

function registerSink (deps: SyncDeps, workspaceId: string, plugin: DiscoveredPlugin, run: { id: string, dry_run: boolean }, lease: RunLease, syncId: string, preview: PlannedChange[], earlier: SyncCounts): RegisterSink {
  const actor = pluginActor(plugin)
  const mdm = plugin.manifest.categories.includes('device-management')
  const source: ImportSource = { pluginId: plugin.id, name: plugin.manifest.name, ...(mdm ? {} : { origin: plugin.manifest.name }) }
  /**
   * One transaction per chunk: the rows, their audit entries and events, and the run's counts
   * commit together (or, in a dry run, not at all), and only while the run's lease holds. A chunk
   * that wrote no row leaves the counts to the progress writes: its transaction stays read-only,
   * which spares PostgreSQL a WAL flush per chunk of an unchanged re-import. `written` tells
   * whether the importer wrote rows; `eventsWritten` how many events it wrote set-based itself.
   */
  const apply = async <T>(work: (trx: Knex.Transaction) => Promise<Change<T>>, written: (result: T) => boolean, countsWith: (result: T) => CountParts, eventsWritten: (result: T) => number = () => 0): Promise<T> => {
    try {
      return await deps.db.transaction(async trx => {
        const change = await work(trx)
        if (run.dry_run) throw new DryRun(change.result)
        if (written(change.result) || (change.audit ?? []).length > 0 || (change.events ?? []).length > 0) {
          lease.check(await lease.scope(trx).update(countColumns(...countsWith(change.result))))
        }
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
  const staged: StagedScope = { workspaceId, runId: run.id, syncId }
  const tracked = trackedModels(plugin.manifest.syncs)
  let stagedNow = 0
  /** Imports records in chunks; `duplicates` (skipped) is counted with the first chunk. */
  const importChunks = async (model: Model, records: CanonicalRecord[], before: SyncCounts, batches: BatchCounts[], duplicates = 0) => {
    for (let i = 0; i < records.length; i += CHUNK) {
      const plan = run.dry_run ? MAX_PREVIEW - preview.length : 0
      const skipped = i === 0 ? duplicates : 0
      const batch: ImportedBatch = await apply(async trx => {
        const change = await IMPORTERS[model].upsert(trx, workspaceId, source, records.slice(i, i + CHUNK), { plan })
        change.result.skipped += skipped
        return change
      }, b => b.created + b.updated + b.eventsWritten > 0, b => [earlier, before, ...batches, b], b => b.eventsWritten)
      batches.push(batch)
      preview.push(...batch.planned.slice(0, plan))
    }
  }
  return {
    async upsert (model: Model, records, before) {
      // Devices wait for the whole run (see mergeDevices); the register sees them once each.
      if (model === 'device') {
        await stageDevices(deps.db, lease, staged, records as DeviceRecord[])
        stagedNow += records.length
        return emptyBatchCounts()
      }
      if (tracked.includes(model)) await stageSeen(deps.db, lease, staged, model, records.map(r => r.externalId))
      const batches: BatchCounts[] = []
      await importChunks(model, records, before, batches)
      return sumBatches(batches)
    },
    async mergeDevices (read) {
      // Planned on statistics of the rows just staged, the merge reads each chunk by index.
      if (stagedNow >= ANALYZE_AFTER_CREATED) await deps.db.raw('ANALYZE integration_run_devices')
      const batches: BatchCounts[] = []
      for await (const chunk of stagedChunks(deps.db, staged, CHUNK)) {
        await importChunks('device', chunk.records, read, batches, chunk.duplicates)
      }
      await clearStaged(deps.db, lease, staged)
      return sumBatches(batches)
    },
    async delete (model: Model, externalIds, before) {
      if (run.dry_run) return 0
      return await apply<number>(trx => IMPORTERS[model].remove(trx, workspaceId, source, externalIds), n => n > 0, n => [earlier, before, { deleted: n, errors: [] }])
    },
    async checkpoint (value: Checkpoint) {
      if (run.dry_run) return
      // Written only while the run is still this execution's: a cancelled or resumed one moves no checkpoint.
      const held = lease.scope(deps.db).select(1).toSQL()
      const { rowCount } = await deps.db.raw(`
        INSERT INTO integration_state (workspace_id, plugin_id, sync_id, checkpoint, updated_at)
        SELECT ?, ?, ?, ?::jsonb, now() WHERE EXISTS (${held.sql})
        ON CONFLICT (workspace_id, plugin_id, sync_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = EXCLUDED.updated_at`,
      [workspaceId, source.pluginId, syncId, JSON.stringify(value), ...held.bindings])
      lease.check(rowCount ?? 0)
    }
  }
}

const sum = (batches: BatchCounts[], key: 'created' | 'updated' | 'unchanged' | 'skipped') => batches.reduce((n, b) => n + b[key], 0)
const emptyBatchCounts = (): BatchCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [] })
const sumBatches = (batches: BatchCounts[]): BatchCounts => ({
  created: sum(batches, 'created'),
  updated: sum(batches, 'updated'),
  unchanged: sum(batches, 'unchanged'),
  skipped: sum(batches, 'skipped'),
  errors: batches.flatMap(b => b.errors)
})

async function loadCheckpoint (db: Knex, workspaceId: string, pluginId: string, syncId: string): Promise<Checkpoint | null> {
  const row = await db('integration_state').where({ workspace_id: workspaceId, plugin_id: pluginId, sync_id: syncId }).first('checkpoint')
  return row?.checkpoint ?? null
}

async function clearCheckpoint (db: Knex, workspaceId: string, pluginId: string, syncId: string, lease: RunLease): Promise<void> {
  await db('integration_state').where({ workspace_id: workspaceId, plugin_id: pluginId, sync_id: syncId })
    .whereExists(lease.scope(db).select(1)).delete()
}

/** Parts of a run's totals (earlier syncs, the drain so far, chunks), summed by countColumns. */
type CountParts = Array<Partial<Omit<SyncCounts, 'errors'>> & { errors: RecordError[] }>

/** The run row's count columns for the sum of `parts`, without copying their error lists. */
export function countColumns (...parts: CountParts) {
  const total = (key: 'read' | 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped') => parts.reduce((n, p) => n + (p[key] ?? 0), 0)
  const details: RecordError[] = []
  for (const p of parts) {
    if (details.length >= MAX_ERROR_DETAILS) break
    details.push(...p.errors.slice(0, MAX_ERROR_DETAILS - details.length))
  }
  return {
    read: total('read'),
    created: total('created'),
    updated: total('updated'),
    unchanged: total('unchanged'),
    deleted: total('deleted'),
    skipped: total('skipped'),
    errors: parts.reduce((n, p) => n + p.errors.length, 0),
    error_details: JSON.stringify(details)
  }
}
