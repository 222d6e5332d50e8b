// A device sync's records, held for the whole run (table integration_run_devices) so that one
// serial reported by several MDM records reaches the register once, as the record that checked in
// last, wherever the vendor's pages and the run's chunks put the others. Staged as the pages come
// (fenced by the run's lease, so a checkpoint still follows everything before it), then read back
// by serial key a chunk at a time: memory holds one chunk, never the fleet.
import type { Knex } from 'knex'
import { normaliseSerial } from '../register/hardware.schema.ts'
import type { DeviceRecord } from '../sdk/records.ts'
import type { RunLease } from './lease.ts'

export interface StagedScope { workspaceId: string, runId: string, syncId: string }

/**
 * Stages validated device records (they all have a serial). A record staged again (a page read
 * again after a resume) replaces itself. Written only while the run's lease holds.
 */
export async function stageDevices (db: Knex, lease: RunLease, scope: StagedScope, records: DeviceRecord[]): Promise<void> {
  if (records.length === 0) return
  // One row per externalId in a statement (ON CONFLICT cannot touch a row twice): the last wins.
  const rows = [...new Map(records.map(r => [r.externalId, r])).values()].map(record => ({
    external_id: record.externalId,
    serial: normaliseSerial(record.serial!),
    checked_in_at: record.checkedInAt ?? null,
    record
  }))
  const held = lease.scope(db).select(1).toSQL()
  const { rowCount } = await db.raw(`
    INSERT INTO integration_run_devices (workspace_id, run_id, sync_id, external_id, serial_key, checked_in_at, record)
    SELECT ?, ?, ?, v.external_id, lower(v.serial), v.checked_in_at, v.record
    FROM jsonb_to_recordset(?::jsonb) AS v(external_id text, serial text, checked_in_at timestamptz, record jsonb)
    WHERE EXISTS (${held.sql})
    ON CONFLICT (run_id, sync_id, external_id) DO UPDATE
      SET serial_key = EXCLUDED.serial_key, checked_in_at = EXCLUDED.checked_in_at, record = EXCLUDED.record`,
  [scope.workspaceId, scope.runId, scope.syncId, JSON.stringify(rows), ...held.bindings])
  lease.check(rowCount ?? 0)
}

export interface StagedChunk {
  /** One record per serial: the one that checked in last (ties: the highest externalId). */
  records: DeviceRecord[]
  /** Records of the chunk's serials that lost to another of the same serial. */
  duplicates: number
}

/**
 * The staged devices by serial key, `size` serials a chunk, each serial wholly in one chunk. A
 * record with no check-in time sorts below any with one; equal times fall to the externalId so
 * that the same input always keeps the same record.
 */
export async function * stagedChunks (db: Knex, scope: StagedScope, size: number): AsyncGenerator<StagedChunk> {
  const where = 'workspace_id = ? AND run_id = ? AND sync_id = ?'
  const keys = [scope.workspaceId, scope.runId, scope.syncId]
  let after = ''
  for (;;) {
    // Two range scans of the (run, sync, serial key) index: the chunk's last key (the size-th row
    // after the last chunk, or the end), then every row up to it, so a serial's rows stay together.
    // (Joining on a list of keys instead let the planner, without statistics on rows staged a
    // moment ago, scan the whole run for each chunk.)
    const { rows: [bound] } = await db.raw<{ rows: Array<{ serial_key: string }> }>(`
      SELECT serial_key FROM integration_run_devices WHERE ${where} AND serial_key > ?
      ORDER BY serial_key OFFSET ? LIMIT 1`, [...keys, after, size - 1])
    const { rows } = await db.raw<{ rows: Array<{ serial_key: string, record: DeviceRecord, records: number }> }>(`
      SELECT DISTINCT ON (serial_key) serial_key, record, (count(*) OVER (PARTITION BY serial_key))::int AS records
      FROM integration_run_devices WHERE ${where} AND serial_key > ? ${bound === undefined ? '' : 'AND serial_key <= ?'}
      ORDER BY serial_key, checked_in_at DESC NULLS LAST, external_id DESC`, [...keys, after, ...(bound === undefined ? [] : [bound.serial_key])])
    if (rows.length === 0) return
    after = rows[rows.length - 1].serial_key
    yield { records: rows.map(r => r.record), duplicates: rows.reduce((n, r) => n + r.records - 1, 0) }
    if (bound === undefined) return
  }
}

/** Forgets a sync's staged devices (merged, or a preview's), while the run's lease holds. */
export async function clearStaged (db: Knex, lease: RunLease, scope: StagedScope): Promise<void> {
  await db('integration_run_devices').where({ workspace_id: scope.workspaceId, run_id: scope.runId, sync_id: scope.syncId })
    .whereExists(lease.scope(db).select(1)).delete()
}

/**
 * Forgets the staged devices of the workspace's runs that are no longer active (a cancelled run),
 * and the checkpoint of each such sync: it points past devices that never reached the register,
 * so that sync starts again from the top. Called as a run starts: nothing is cleared by hand.
 */
export async function sweepStaged (db: Knex, workspaceId: string, active: readonly string[]): Promise<void> {
  await db.raw(`
    WITH gone AS (
      DELETE FROM integration_run_devices d USING integration_runs r
      WHERE d.workspace_id = ? AND r.workspace_id = d.workspace_id AND r.id = d.run_id AND r.status <> ALL(?::text[])
      RETURNING r.plugin_id, d.sync_id
    )
    DELETE FROM integration_state s USING (SELECT DISTINCT plugin_id, sync_id FROM gone) g
    WHERE s.workspace_id = ? AND s.plugin_id = g.plugin_id AND s.sync_id = g.sync_id`, [workspaceId, [...active], workspaceId])
}
