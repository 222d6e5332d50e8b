// From a vendor's pages to a sync's messages: per page, one upsert of the mapped records, a skip
// (with its reason) per record the plugin passes over, then the checkpoint to resume after it.
import type { Page, ResumeToken } from '../integrations/http-types.ts'
import type { CanonicalRecord, Checkpoint, Model, SyncMessage } from './records.ts'

/** A vendor record read: the canonical record, or why it is passed over (counted as an error of the run). */
export type MappedRecord<R extends CanonicalRecord = CanonicalRecord> = { record: R } | { externalId: string, reason: string }

export interface PageMessagesOptions<Raw> {
  model: Model
  /** Vendor record → canonical record or skip. Without it, the items are canonical records already. */
  map?: (raw: Raw) => MappedRecord
  /**
   * The checkpoint after a page, from the token to resume after it (null after the last page);
   * null writes none. By default the token itself, and none after the last page (a full sync's
   * checkpoint is cleared when the run completes): pass the checkpoint back as `resumeFrom`.
   */
  checkpoint?: (resume: ResumeToken | null) => Checkpoint | null
}

/**
 * Yields each page's messages: `upsert` of its mapped records (none for a page without any), a
 * `skip` per record passed over, in the page's order, then `checkpoint`. The next page is read only
 * when the sync asks for more: a run never holds more than a page.
 */
export async function * pageMessages<Raw> (pages: AsyncIterable<Page<Raw>>, options: PageMessagesOptions<Raw>): AsyncGenerator<SyncMessage> {
  const map = options.map ?? ((raw: Raw): MappedRecord => ({ record: raw as CanonicalRecord }))
  for await (const page of pages) {
    const records: CanonicalRecord[] = []
    const skips: SyncMessage[] = []
    for (const raw of page.items) {
      const mapped = map(raw)
      if ('record' in mapped) records.push(mapped.record)
      else skips.push({ type: 'skip', externalId: mapped.externalId, reason: mapped.reason })
    }
    if (records.length > 0) yield { type: 'upsert', model: options.model, records }
    yield * skips
    const checkpoint = options.checkpoint === undefined ? page.resume : options.checkpoint(page.resume)
    if (checkpoint !== null) yield { type: 'checkpoint', value: checkpoint }
  }
}
