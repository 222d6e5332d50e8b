import type { Knex } from 'knex'
import type { Changes } from '../../audit/index.ts'
import type { BatchCounts } from '../../sdk/drain.ts'
import type { CanonicalRecord } from '../../sdk/records.ts'
import type { Change } from '../change.ts'

/** Where a batch comes from: the plugin (its id is the `source` of what it creates) and its run. */
export interface ImportSource {
  pluginId: string
  /** The plugin's display name, e.g. "Jamf Pro" (the acknowledgement note names it). */
  name: string
  /** Where an assignment it makes says it came from, when not an MDM: "CSV file (hardware)". */
  origin?: string
}

/** One record's planned or applied change, for a dry run's preview. */
export interface PlannedChange {
  action: 'create' | 'update' | 'remove'
  externalId: string
  label: string
  changes: Changes
}

export interface ImportedBatch extends BatchCounts {
  planned: PlannedChange[]
  /**
   * Outbox events the importer wrote itself, set-based in SQL (besides any it returns to be
   * emitted): the caller then wakes the outbox's dispatch in the same transaction.
   */
  eventsWritten: number
}

export interface UpsertOptions {
  /** How many planned changes to return (a preview's); default all. A run that is not a preview passes 0. */
  plan?: number
}

/**
 * Merges a validated batch of canonical records into the register inside the caller's
 * transaction, with set-based SQL, and returns the audit entries and events to commit with it.
 */
export interface Importer<R extends CanonicalRecord = CanonicalRecord> {
  upsert: (trx: Knex.Transaction, workspaceId: string, source: ImportSource, records: R[], options?: UpsertOptions) => Promise<Change<ImportedBatch>>
  remove: (trx: Knex.Transaction, workspaceId: string, source: ImportSource, externalIds: string[]) => Promise<Change<number>>
}

export const emptyBatch = (): ImportedBatch => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [], planned: [], eventsWritten: 0 })

/** Keeps the last record per key; earlier duplicates are returned so they can be counted as skipped. */
export function lastByKey<R> (records: R[], key: (r: R) => string): { unique: Map<string, R>, duplicates: R[] } {
  const unique = new Map<string, R>()
  const duplicates: R[] = []
  for (const record of records) {
    const k = key(record)
    const earlier = unique.get(k)
    if (earlier !== undefined) duplicates.push(earlier)
    unique.delete(k)
    unique.set(k, record)
  }
  return { unique, duplicates }
}
